"""Alerts: a task that failed for good, or a publication that is late, told to whoever watches.

Both go through Airflow's notifier mechanism (BaseNotifier): a failed task through
``on_failure_callback`` with ``AlertNotifier`` (in the DAGs' default_args), a late publication
through a DeadlineAlert whose callback is ``PublicationLateNotifier`` (dags/publications.py). Each alert names the
source, the period, the step and the first lines of the error (or the due date and how late).

Where they go:
- always: one JSON line appended to ``<warehouse>/alerts/alerts.jsonl`` and a log line (offline);
- with an Airflow connection ``wholeplace_alerts`` of type http(s): also POSTed as JSON to it (a
  chat or incident webhook), e.g.
  AIRFLOW_CONN_WHOLEPLACE_ALERTS='{"conn_type": "https", "host": "hooks.example.org",
  "extra": {"path": "/services/T000/B000"}}'. A webhook that fails is logged, never fatal: the
  file holds the alert either way.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from airflow.sdk import BaseNotifier

from core import settings as settings_mod

log = logging.getLogger(__name__)

CONNECTION_ID = "wholeplace_alerts"
ERROR_LINES = 5


@dataclass(frozen=True)
class Alert:
    kind: str  # task_failed | publication_late
    source: str | None  # None: a step over every source (dbt build, the gate, publish)
    period: str  # the financial year(s) the run worked on, or "all"
    step: str
    summary: str
    dag_id: str | None = None
    run_id: str | None = None
    error: list[str] = field(default_factory=list)  # the first lines of the error
    details: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def alerts_file(settings=None) -> Path:
    return (settings or settings_mod.get()).warehouse_dir / "alerts" / "alerts.jsonl"


def read_alerts(settings=None) -> list[Alert]:
    path = alerts_file(settings)
    if not path.exists():
        return []
    return [Alert(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _webhook():
    """The ``wholeplace_alerts`` connection if one is configured (None: the file only)."""
    try:
        from airflow.sdk import Connection

        return Connection.get(CONNECTION_ID)
    except Exception:  # not defined (the default), or no Airflow configuration at all
        return None


def deliver(alert: Alert, settings=None) -> Path:
    """Append the alert to the alerts file, log it, and POST it to the configured webhook."""
    path = alerts_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(alert), default=str)
    with open(path, "a", encoding="utf-8") as out:  # one write per line: lines do not interleave
        out.write(line + "\n")
    log.error("ALERT %s: %s", alert.kind, alert.summary)
    conn = _webhook()
    if conn is not None and conn.conn_type in ("http", "https"):
        import requests

        scheme = conn.schema if conn.schema in ("http", "https") else conn.conn_type
        url = f"{scheme}://{conn.host}{f':{conn.port}' if conn.port else ''}{conn.extra_dejson.get('path', '/')}"
        try:
            requests.post(url, json=asdict(alert), timeout=10).raise_for_status()
        except requests.RequestException as exc:
            log.warning("alert not delivered to the %s connection (%s): it is in %s", CONNECTION_ID, exc, path)
    return path


def first_lines(error: BaseException | str | None, n: int = ERROR_LINES) -> list[str]:
    text = str(error or "").strip()
    return [line.rstrip() for line in text.splitlines() if line.strip()][:n]


def _periods(context: dict, exc: BaseException | None) -> str:
    if getattr(exc, "period", None):
        return str(exc.period)  # the file's period (set by the parser's caller)
    asked = (context.get("params") or {}).get("periods") or []
    return ", ".join(asked) if asked else "all"


def _source(context: dict, exc: BaseException | None) -> str | None:
    ti = context.get("ti") or context.get("task_instance")
    return (
        context.get("source_id")  # set by the mapped task (dags/common.py _label)
        or getattr(exc, "source_id", None)
        or (getattr(ti, "rendered_map_index", None) if getattr(ti, "map_index", -1) not in (-1, None) else None)
    )


class AlertNotifier(BaseNotifier):
    """on_failure_callback: a task failed for good (after its retries)."""

    def notify(self, context) -> None:
        ti = context.get("ti") or context.get("task_instance")
        exc = context.get("exception")
        dag_run = context.get("dag_run")
        source, step = _source(context, exc), getattr(ti, "task_id", "?")
        period = _periods(context, exc)
        lines = first_lines(exc) or ["(no error message)"]
        where = f"{source} " if source else ""
        deliver(
            Alert(
                kind="task_failed",
                source=source,
                period=period,
                step=step,
                summary=f"{where}{step} failed (period {period}): {lines[0]}"[:300],
                dag_id=getattr(ti, "dag_id", None),
                run_id=getattr(dag_run, "run_id", None) or getattr(ti, "run_id", None),
                error=lines,
                details={
                    "error_type": type(exc).__name__ if exc else None,
                    "try_number": getattr(ti, "try_number", None),
                },
            )
        )


class PublicationLateNotifier(BaseNotifier):
    """The DeadlineAlert callback of dags/publications.py (SyncCallback(PublicationLateNotifier,
    kwargs={"source_id": ...})): Airflow instantiates it with the kwargs and the deadline's context
    and calls it. The run waiting for ``source_id``'s file due on its logical date was still waiting
    at its deadline (due date + grace)."""

    def __init__(self, source_id: str, context=None):
        super().__init__(context)
        self.source_id = source_id

    def notify(self, context) -> None:
        deliver(publication_late(self.source_id, context))


def publication_late(source_id: str, context: dict | None = None) -> Alert:
    """The alert for a late publication, from the deadline's context (its DAG run and deadline)."""
    from core.catalogue import catalogue
    from core.freshness import statuses

    context = context or {}
    run = context.get("dag_run") or {}
    deadline = (context.get("deadline") or {}).get("deadline_time")
    due = str(run.get("logical_date") or "")[:10]
    status = next((s for s in statuses(settings_mod.get()) if s.source_id == source_id), None)
    source = catalogue().get(source_id)
    late_by = (datetime.now(UTC).date() - date.fromisoformat(str(deadline)[:10])).days if deadline else None
    return Alert(
        kind="publication_late",
        source=source_id,
        period=(f"after {status.latest_period}" if status and status.latest_period else "the first"),
        step="publication",
        summary=(
            f"{source_id}: the {source.publisher} file due {due or '?'} has not arrived by its deadline "
            f"{str(deadline)[:10]} ({source.expected.describe()}); latest loaded period: "
            f"{(status.latest_period if status else None) or 'none'}"
        ),
        dag_id=run.get("dag_id"),
        run_id=run.get("dag_run_id") or run.get("run_id"),
        details={
            "due": due or None,
            "deadline": str(deadline) if deadline else None,
            "late_by_days": late_by,
            "last_new_file_at": status.last_new_file_at if status else None,
            "landing_page": source.landing_page,
        },
    )
