"""Airflow's deadline machinery on publication_<source> runs, in a process of its own (its own
AIRFLOW_HOME with migrated SQLite metadata and the DAGs serialised into it; see test_alerts.py):

    python -m tests.integration.deadline_probe <dag_id> <due YYYY-MM-DD> [<due> ...]

For each due date: create the DAG run as the scheduler would (a scheduled run whose logical date is
the due date: Airflow writes its Deadline row from the DAG's DeadlineAlert), then do what the
scheduler loop does with deadlines that have passed (Deadline.handle_miss queues the callback) and
what the executor does with the queued callback (callback_supervisor.execute_callback). Time is
controlled by the due dates chosen, never waited for. Prints one JSON line per run: its deadline
time and whether it was missed and its callback ran.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime


def main(dag_id: str, dues: list[str]) -> int:
    import structlog
    from airflow.models.deadline import Deadline
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.sdk.execution_time.callback_supervisor import execute_callback
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType
    from sqlalchemy import select

    for due in dues:
        when = datetime.fromisoformat(due).replace(tzinfo=UTC)
        with create_session() as session:
            dag = SerializedDagModel.get_dag(dag_id, session=session)
            run = dag.create_dagrun(
                run_id=f"scheduled__{when.isoformat()}",
                logical_date=when,
                data_interval=(when, when),
                run_after=when,
                run_type=DagRunType.SCHEDULED,
                triggered_by=DagRunTriggeredByType.TIMETABLE,
                state=DagRunState.RUNNING,
                session=session,
            )
            session.flush()
            (deadline,) = session.scalars(select(Deadline).where(Deadline.dagrun_id == run.id)).all()
            # the scheduler loop: deadlines that have passed and are not yet handled
            missed = deadline.deadline_time < datetime.now(UTC) and not deadline.missed
            outcome = None
            if missed:
                deadline.handle_miss(session)
                session.flush()
                data = deadline.callback.data
                outcome = execute_callback(data["path"], data["kwargs"], "", None, structlog.get_logger("probe"))
            print(
                "PROBE "
                + json.dumps(
                    {
                        "due": due,
                        "deadline_time": deadline.deadline_time.isoformat(),
                        "missed": missed,
                        "callback": outcome,
                    }
                ),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
