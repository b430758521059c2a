"""publication_<source>: one DAG per source with publication dates, waiting for its next file.

A run starts on each due date of the source's calendar (catalogue ``expected``; its logical date is
the due date) and waits (a sensor, rescheduled twice a day, no worker held) until the ingest DAGs
have landed a new file that answers that date (core.freshness.arrival). If the run is still
waiting ``grace_days`` after the due date, Airflow's DeadlineAlert calls
warehouse.alerts.PublicationLateNotifier, which names the source, the due date and how late it is.
The same rule as `make status` (core.freshness); it reads the landing manifest only.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, DeadlineAlert, DeadlineReference, SyncCallback, dag, task
from airflow.sdk.bases.sensor import PokeReturnValue

from assets import CATALOGUE
from common import DEFAULT_ARGS, START
from warehouse.alerts import PublicationLateNotifier


def make_publication_dag(source_id: str, cron: str, grace_days: int):
    @dag(
        dag_id=f"publication_{source_id}",
        description=f"Wait for {source_id}'s file due on the run's date; alert when it is late",
        schedule=CronTriggerTimetable(cron, timezone="UTC"),
        start_date=START,
        catchup=False,
        max_active_runs=4,  # a monthly source's grace may outlast its next due date
        default_args=DEFAULT_ARGS,
        tags=["wholeplace", "freshness"],
        deadline=DeadlineAlert(
            reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
            interval=timedelta(days=grace_days),
            callback=SyncCallback(PublicationLateNotifier, kwargs={"source_id": source_id}),
            name=f"{source_id} late",
        ),
    )
    def publication():
        @task.sensor(
            task_id="published",
            mode="reschedule",
            poke_interval=timedelta(hours=12),
            timeout=timedelta(days=grace_days + 14),  # after the alert, give up quietly (skipped)
            soft_fail=True,
            retries=0,
        )
        def published(logical_date=None) -> PokeReturnValue:
            from core import settings
            from core.freshness import arrival

            landed = arrival(source_id, logical_date.date(), settings.get())
            value = {"file": landed.file_name, "period": landed.period, "at": landed.retrieved_at} if landed else None
            return PokeReturnValue(is_done=landed is not None, xcom_value=value)

        published()

    return publication()


for _source in CATALOGUE:
    if _cron := _source.expected.due_cron():
        make_publication_dag(_source.id, _cron, _source.expected.grace_days)
