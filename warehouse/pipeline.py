"""The pipeline's steps, as plain functions the Airflow tasks call (the DAG files stay thin).

    ingest(source)        fetch -> land -> parse -> load raw.<source>
    validate_raw(source)  the source's GX suite on raw.<source>     (fail: stop, publish nothing)
    build_models()        dbt build: staging -> intermediate -> marts, with dbt tests
    validate_marts()      the publication gate: GX checkpoint on the marts
    publish(checks)       an immutable release; `latest` moves only now

Each step returns a small JSON-able summary (it travels as an XCom). A step that fails records
what failed in ``<warehouse>/runs/last_error.json`` so `make run` can say it plainly.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from ingest import settings as settings_mod
from ingest.errors import WholeplaceError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

LAST_ERROR = "last_error.json"
LAST_RUN = "last_run.json"


def _write_state(name: str, payload: dict) -> None:
    settings = settings_mod.get()
    settings.run_state_dir.mkdir(parents=True, exist_ok=True)
    path = settings.run_state_dir / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


def recorded(step: str) -> Callable[[F], F]:
    """Record a failure of ``step`` (the exception's message) for the run summary, then re-raise."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                _write_state(
                    LAST_ERROR,
                    {
                        "step": step,
                        "arguments": [str(a) for a in args if a is not None],
                        "error_type": type(exc).__name__,
                        "error": str(exc),
                        "expected": isinstance(exc, WholeplaceError),
                        "at": datetime.now(UTC).isoformat(),
                    },
                )
                raise

        return wrapper  # type: ignore[return-value]

    return decorate


@recorded("ingest")
def ingest(source_id: str, periods: list[str] | None = None) -> dict:
    from ingest.run import ingest_source

    outcomes = ingest_source(source_id, periods or None)
    return {
        "source": source_id,
        "partitions": [
            {
                "period": o.period,
                "file": o.file_name,
                "sha256": o.sha256,
                "fetch": o.fetch,
                "rows": o.rows,
                "loaded": o.loaded,
            }
            for o in outcomes
        ],
    }


@recorded("validate_raw")
def validate_raw(source_id: str) -> dict:
    from expectations.gate import run_gate
    from expectations.registry import raw_suite

    gate = run_gate([raw_suite(source_id)], checkpoint_name=f"raw_{source_id}", settings=settings_mod.get())
    return {
        "checkpoint": gate.checkpoint,
        "success": gate.success,
        "evaluated": gate.evaluated,
        "skipped": list(gate.skipped),
    }


@recorded("build_models")
def build_models() -> dict:
    from warehouse.dbt import run_dbt, summarise

    # No --full-refresh: incremental models (fct_spend500_payment) add only new or changed files.
    # Seeds are configured full_refresh: true (reloaded whole); tables and views are rebuilt anyway.
    results = run_dbt(["build"], settings_mod.get())
    counts = summarise(results)
    log.info("dbt build: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return {"dbt": counts}


@recorded("validate_marts")
def validate_marts() -> dict:
    from expectations.gate import run_gate
    from expectations.registry import marts_suite

    gate = run_gate([marts_suite()], checkpoint_name="publish_gate", settings=settings_mod.get())
    return {
        "checkpoint": gate.checkpoint,
        "success": gate.success,
        "evaluated": gate.evaluated,
        "batch_rows": gate.batch_rows,
        "docs_index": str(gate.docs_index) if gate.docs_index else None,
    }


@recorded("publish")
def publish(gate: dict, dbt: dict | None = None) -> dict:
    from pathlib import Path

    from warehouse.publish import publish_release

    settings = settings_mod.get()
    checks = {
        "great_expectations": {
            "checkpoint": gate["checkpoint"],
            "success": gate["success"],
            "expectations_evaluated": gate["evaluated"],
        },
        "dbt": (dbt or {}).get("dbt", {}),
    }
    docs = Path(gate["docs_index"]) if gate.get("docs_index") else None
    release = publish_release(settings, checks=checks, docs_index=docs, with_site=True)
    summary = {
        "release": release.version,
        "path": str(release.path),
        "new_release": release.created,
        "rows": release.rows,
        "checks": checks,
        "finished_at": datetime.now(UTC).isoformat(),
    }
    _write_state(LAST_RUN, summary)
    return summary
