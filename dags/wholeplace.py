"""wholeplace: the whole pipeline in one run, for the embedded default (`make run`).

Every source's ingest and raw checks, then dbt build -> GX publication gate -> publish.
The same task builders as the per-family ingest DAGs and build_warehouse.
"""

from __future__ import annotations

from airflow.sdk import dag

from assets import RELEASE
from common import DEFAULT_ARGS, PARAMS, START, build_and_publish, ingest_sources


@dag(
    dag_id="wholeplace",
    description="Ingest every source, build, check and publish (the main job)",
    schedule=None,
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["wholeplace", "main"],
    params=PARAMS,
)
def wholeplace():
    build_and_publish(upstream=[ingest_sources()], outlets=[RELEASE])


wholeplace()
