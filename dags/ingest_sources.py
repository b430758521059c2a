"""One ingest DAG per source family (ingest_council, ingest_nhs, ingest_reference, ...).

Each plans its family's sources from the catalogue when it runs, then fans out over them (dynamic
task mapping): fetch and land, load, run the source's raw GX suite, and emit the raw.<source> Asset
that build_warehouse is scheduled on. Reload a financial year, or some sources, with params:
{"periods": ["2023-24"], "sources": ["mhclg_ra"]}.
"""

from __future__ import annotations

from airflow.sdk import dag

from assets import CATALOGUE
from common import DEFAULT_ARGS, PARAMS, START, ingest_sources

# Publications are annual or less frequent; checking weekly catches restatements (new vintages).
SCHEDULES = {
    "council": "0 5 * * 1",
    "combined_authority": "0 5 * * 1",
    "nhs": "30 5 * * 1",
    "reference": "0 6 1 * *",
}


def make_ingest_dag(family: str):
    @dag(
        dag_id=f"ingest_{family}",
        description=f"Fetch, land, load and check the {family} sources",
        schedule=SCHEDULES[family],
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["wholeplace", "ingest", family],
        params=PARAMS,
    )
    def ingest_family():
        ingest_sources(family)

    return ingest_family()


for _family in CATALOGUE.families():
    make_ingest_dag(_family)
