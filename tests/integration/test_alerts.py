"""Alerts: a late publication fires its DAG's DeadlineAlert through Airflow's own deadline machinery
(time controlled by the due dates chosen, never slept); a failed task's notifier names the source,
period, step and the error's first lines; a configured webhook connection receives the same alert.
(A failed task inside a real `airflow dags test` run: test_end_to_end.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.landing import append_manifest_rows
from core.settings import Settings
from tests.conftest import fetched_row
from warehouse.alerts import AlertNotifier, read_alerts

PROJECT = Path(__file__).resolve().parents[2]
GRACE = 31  # mhclg_ra: due each 30 June, 31 days' grace (catalogue)


def _due_dates(today: date) -> tuple[date, date]:
    """The last 30 June whose deadline has passed, and the next 30 June whose deadline has not."""
    late = date(today.year, 6, 30)
    if late + timedelta(days=GRACE) >= today:
        late = date(today.year - 1, 6, 30)
    upcoming = date(today.year, 6, 30) if date(today.year, 6, 30) >= today else date(today.year + 1, 6, 30)
    return late, upcoming


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory) -> dict[str, str]:
    """Airflow metadata (SQLite) migrated, with the project's DAGs serialised into it."""
    root = tmp_path_factory.mktemp("deadlines")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "WHOLEPLACE_WAREHOUSE_DIR": str(root / "warehouse"),
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    for args in (["db", "migrate"], ["dags", "reserialize"]):
        proc = subprocess.run([airflow, *args], env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return env


def test_a_late_publication_fires_the_deadline_alert_and_one_not_yet_due_does_not(airflow_home) -> None:
    today = datetime.now(UTC).date()
    late, upcoming = _due_dates(today)
    warehouse = Path(airflow_home["WHOLEPLACE_WAREHOUSE_DIR"])
    # the file that answered the due date a year before `late` came; none since
    before = datetime(late.year - 1, 7, 2, 6, tzinfo=UTC)
    period = f"{late.year - 2}-{str(late.year - 1)[2:]}"
    append_manifest_rows(warehouse / "raw", [fetched_row("mhclg_ra", period, before.isoformat())])

    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.deadline_probe", "publication_mhclg_ra", str(late), str(upcoming)],
        cwd=PROJECT,
        env=airflow_home,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    probes = {p["due"]: p for p in (json.loads(x[6:]) for x in proc.stdout.splitlines() if x.startswith("PROBE "))}

    # Airflow computed each run's deadline from the DAG's DeadlineAlert: due date + grace
    assert probes[str(late)]["deadline_time"].startswith(str(late + timedelta(days=GRACE)))
    assert probes[str(late)]["missed"] is True and probes[str(late)]["callback"] == [True, None]
    assert probes[str(upcoming)]["missed"] is False and probes[str(upcoming)]["callback"] is None

    settings = SimpleNamespace(warehouse_dir=warehouse)
    (alert,) = read_alerts(settings)  # one alert: the late run's, none for the run not yet due
    assert (alert.kind, alert.source, alert.step, alert.dag_id) == (
        "publication_late",
        "mhclg_ra",
        "publication",
        "publication_mhclg_ra",
    )
    assert alert.details["due"] == str(late)
    assert alert.details["late_by_days"] == (today - (late + timedelta(days=GRACE))).days
    assert alert.details["last_new_file_at"].startswith(str(before.date()))
    assert alert.period == f"after {late.year - 2}-{str(late.year - 1)[2:]}"
    assert f"due {late}" in alert.summary and "has not arrived" in alert.summary


def test_a_publication_dag_runs_on_each_due_date_and_waits_for_a_file_that_answers_it(
    dagbag, warehouse_settings: Settings
) -> None:
    import pendulum

    from core.catalogue import catalogue

    dated = {s.id for s in catalogue() if s.expected.due_cron()}
    assert {d for d in dagbag.dag_ids if d.startswith("publication_")} == {f"publication_{s}" for s in dated}
    dag = dagbag.dags["publication_mhclg_ra"]
    assert dag.timetable.expression == "0 0 30 6 *"
    (alert,) = dag.deadline
    assert alert.interval == timedelta(days=GRACE) and alert.callback.kwargs == {"source_id": "mhclg_ra"}

    poke = dag.get_task("published").python_callable
    due = pendulum.datetime(2026, 6, 30, tz="UTC")
    assert poke(logical_date=due).is_done is False  # nothing landed yet
    append_manifest_rows(
        warehouse_settings.landing_dir, [fetched_row("mhclg_ra", "2024-25", "2025-06-20T00:00:00+00:00")]
    )
    assert poke(logical_date=due).is_done is False  # that file answered 30 June 2025
    append_manifest_rows(
        warehouse_settings.landing_dir, [fetched_row("mhclg_ra", "2025-26", "2026-06-18T00:00:00+00:00")]
    )
    done = poke(logical_date=due)  # a little early: it answers 30 June 2026
    assert done.is_done is True and done.xcom_value["file"] == "mhclg_ra_2025-26.ods"


def _failure_context(exc: Exception) -> dict:
    ti = SimpleNamespace(
        task_id="source.load", dag_id="ingest_council", map_index=3, rendered_map_index="mhclg_rsx", try_number=1
    )
    return {
        "ti": ti,
        "task_instance": ti,
        "exception": exc,
        "params": {"periods": ["2023-24"], "sources": []},
        "dag_run": SimpleNamespace(run_id="scheduled__2026-11-23T05:00:00+00:00"),
    }


def test_a_failed_task_notifies_its_source_period_step_and_first_error_lines(warehouse_settings: Settings) -> None:
    from core.errors import SourceError

    exc = SourceError("mhclg_rsx", "RSX_2023-24_data_by_LA.csv", "'12x4' is not a number\nline 2", row=9, column="H")
    AlertNotifier()(_failure_context(exc))

    (alert,) = read_alerts(warehouse_settings)
    assert (alert.kind, alert.source, alert.period, alert.step) == (
        "task_failed",
        "mhclg_rsx",
        "2023-24",
        "source.load",
    )
    assert alert.error[0] == "mhclg_rsx: RSX_2023-24_data_by_LA.csv, row 9, column H: '12x4' is not a number"
    assert alert.error[1] == "line 2"
    assert alert.dag_id == "ingest_council" and alert.run_id.startswith("scheduled__")
    assert alert.summary.startswith("mhclg_rsx source.load failed (period 2023-24): mhclg_rsx: RSX_2023-24")


def test_a_webhook_connection_receives_the_alert_and_a_dead_one_is_not_fatal(
    warehouse_settings: Settings, httpserver, monkeypatch
) -> None:
    httpserver.expect_oneshot_request("/services/T0/B0", method="POST").respond_with_data("ok")
    connection = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": httpserver.port,
        "extra": {"path": "/services/T0/B0"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_WHOLEPLACE_ALERTS", json.dumps(connection))

    AlertNotifier()(_failure_context(RuntimeError("dbt build failed\nsecond line")))
    (request, _response), *_ = httpserver.log
    posted = request.get_json()
    assert (posted["kind"], posted["step"], posted["error"]) == (
        "task_failed",
        "source.load",
        ["dbt build failed", "second line"],
    )

    httpserver.clear()  # the hook now answers 500: the alert is still in the file
    AlertNotifier()(_failure_context(RuntimeError("again")))
    assert [a.error for a in read_alerts(warehouse_settings)] == [["dbt build failed", "second line"], ["again"]]
