"""One ingest DAG per source family (ingest_council, ingest_nhs, ingest_reference, ...).

Each runs on its sources' check schedules (from their publication calendars) and plans, when it
runs, the family's sources due a check, then fans out over them (dynamic task mapping): fetch and
land, load, run the source's raw GX suite, and emit the raw.<source> Asset that build_warehouse is
scheduled on. Reload a financial year, or some sources, with params:
{"periods": ["2023-24"], "sources": ["mhclg_ra"]}.
"""

from __future__ import annotations

from airflow.sdk import MultipleCronTriggerTimetable, dag

from assets import CATALOGUE
from common import DEFAULT_ARGS, PARAMS, START, ingest_sources


def check_schedule(family: str) -> MultipleCronTriggerTimetable:
    """The union of the family's sources' check schedules (from their calendars); each run's plan
    keeps the sources whose own schedule fires at its logical date."""
    crons = sorted({c for s in CATALOGUE.by_family(family) for c in s.expected.check_crons()})
    return MultipleCronTriggerTimetable(*crons, timezone="UTC")


def make_ingest_dag(family: str):
    @dag(
        dag_id=f"ingest_{family}",
        description=f"Fetch, land, load and check the {family} sources",
        schedule=check_schedule(family),
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
