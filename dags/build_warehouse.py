"""build_warehouse: runs when any source's raw table is updated (an Asset event).

dbt build (staging -> intermediate -> marts + dbt tests) -> GX publication gate -> publish.
"""

from __future__ import annotations

from airflow.sdk import AssetAny, dag

from assets import RAW, RELEASE
from common import DEFAULT_ARGS, START, build_and_publish


@dag(
    dag_id="build_warehouse",
    description="Build the marts with dbt, check them with GX, publish a release",
    schedule=AssetAny(*RAW.values()),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["wholeplace", "build"],
)
def build_warehouse():
    build_and_publish(outlets=[RELEASE])


build_warehouse()
