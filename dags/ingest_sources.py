"""One ingest DAG per source family (ingest_council, ingest_nhs, ingest_reference, ...).

Each fetches its family's sources from the catalogue, lands and loads them, runs each source's
raw GX suite, and emits the raw.<source> Asset that build_warehouse is scheduled on.
Backfill a financial year with params: {"periods": ["2023-24"]}.
"""

from __future__ import annotations

from airflow.sdk import Param, dag

from assets import CATALOGUE
from common import DEFAULT_ARGS, START, ingest_and_validate

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
        params={"periods": Param([], type="array", description="financial years to (re)load; empty = all")},
    )
    def ingest_family():
        for source in CATALOGUE.by_family(family):
            ingest_and_validate(source)

    return ingest_family()


for _family in CATALOGUE.families():
    make_ingest_dag(_family)
