"""The pipeline's steps, as plain functions the Airflow tasks call (the DAG files stay thin).

    plan(sources)         the source ids a run fans out over (one mapped task group each)
    fetch(source)         fetch -> land: the landing zone only, so fetches run side by side
    load(source)          parse -> load raw.<source>: the warehouse's one writer (the DuckDB pool)
    validate_raw(source)  the source's GX suite on raw.<source>     (fail: stop, publish nothing)
    build_models()        dbt build: staging -> intermediate -> marts, with dbt tests
    validate_marts()      the publication gate: GX checkpoint on the marts
    publish(checks)       an immutable release; `latest` moves only now

Each step returns a small JSON-able summary (it travels as an XCom). A step that fails records
what failed in ``<warehouse>/runs/last_error.json`` so `make run` can say it plainly.

A run that finds nothing new finishes quickly and says so: when the landed files and the project's
code are exactly those the latest release was built from (``inputs_fingerprint``), dbt, the gate
and publication are skipped, and a source whose files did not change since its last passing
validation is not validated again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from ingest import settings as settings_mod
from ingest.errors import ValidationFailed, WholeplaceError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

LAST_ERROR = "last_error.json"
LAST_RUN = "last_run.json"
PUBLISHED_INPUTS = "published_inputs.json"  # what the latest release was built from (kept across runs)
VALIDATED_RAW = "validated_raw.json"  # per source: the inputs of its last passing raw validation
BUILT = "built.json"  # the inputs of the last dbt build that finished (cleared while one runs)
# the project's code and configuration that turn landed files into marts and releases
CODE_GLOBS = (
    "dbt_project/dbt_project.yml",
    "dbt_project/profiles.yml",
    "dbt_project/models/**/*",
    "dbt_project/macros/**/*",
    "dbt_project/seeds/**/*",
    "dbt_project/tests/**/*",
    "expectations/**/*.py",
    "warehouse/*.py",
    "warehouse/*.yml",
    "ingest/*.py",
    "ingest/*.yml",
    "ingest/sources/*",
    "regions/*.yml",
)


def _read_state(name: str) -> dict:
    path = settings_mod.get().run_state_dir / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _landed(settings, source_id: str | None = None) -> list[tuple[str, str, str, str]]:
    """The files the raw tables hold now: per source and period the one fetched last (per file name
    in a file set), as (source, period, file name, sha256). Not the history: a publisher that goes
    back to an earlier file (or a reload of an earlier vintage) changes what is loaded, so it must
    change the fingerprint too."""
    from ingest.catalogue import catalogue
    from ingest.land import read_manifest

    known = catalogue()
    file_sets = {(s.id, p.period) for s in known for p in s.partitions if p.is_file_set}
    current: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}
    for r in read_manifest(settings.landing_dir):
        if source_id is None or r.source_id == source_id:
            name = r.file_name if (r.source_id, r.period) in file_sets else ""
            current[(r.source_id, r.period, name)] = (r.source_id, r.period, r.file_name, r.sha256)
    return sorted(current.values())


def _code_files(settings, globs: tuple[str, ...] = CODE_GLOBS) -> list:
    found = {p for g in globs for p in settings.project_dir.glob(g) if p.is_file() and "__pycache__" not in p.parts}
    return sorted(found)


def inputs_fingerprint(settings, source_id: str | None = None) -> str:
    """sha256 over the landed files (source, period, name, sha256), the project's code and the
    region: equal fingerprints build equal marts. With ``source_id``: that source's files only."""
    digest = hashlib.sha256(f"{settings.region}|{settings.mode}|{source_id}".encode())
    for row in _landed(settings, source_id):
        digest.update(("|".join(row) + "\n").encode())
    for path in _code_files(settings):
        digest.update(str(path.relative_to(settings.project_dir)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


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
                        "arguments": [a for a in args if isinstance(a, str)],
                        "error_type": type(exc).__name__,
                        "error": str(exc),
                        "expected": isinstance(exc, WholeplaceError),
                        "at": datetime.now(UTC).isoformat(),
                    },
                )
                raise

        return wrapper  # type: ignore[return-value]

    return decorate


@recorded("plan")
def plan(sources: list[str] | None = None, family: str | None = None) -> list[str]:
    """The source ids a run fans out over: the catalogue's (one family's, or those asked for)."""
    from ingest.catalogue import catalogue

    known = catalogue()
    ids = [s.id for s in (known.by_family(family) if family else known)]
    if sources:
        unknown = sorted(set(sources) - set(ids))
        if unknown:
            where = f"the {family} family" if family else "the catalogue"
            raise WholeplaceError(f"sources not in {where}: {', '.join(unknown)} (known: {', '.join(ids)})")
        ids = [i for i in ids if i in sources]
    log.info("plan: %d sources: %s", len(ids), json.dumps(ids))
    return ids


@recorded("fetch")
def fetch(source_id: str, periods: list[str] | None = None) -> dict:
    from ingest.run import fetch_source

    fetched = fetch_source(source_id, periods or None)
    return {"source": source_id, "partitions": [f.to_json() for f in fetched]}


@recorded("load")
def load(source_id: str, fetched: dict) -> dict:
    from ingest.run import Fetched, load_source

    outcomes = load_source(source_id, [Fetched.from_json(f) for f in fetched["partitions"]])
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
    settings = settings_mod.get()
    fingerprint = inputs_fingerprint(settings, source_id)
    passed = _read_state(VALIDATED_RAW)
    if passed.get(source_id, {}).get("fingerprint") == fingerprint:
        log.info("%s: same files and code as its last passing validation: not validated again", source_id)
        return {**passed[source_id]["summary"], "unchanged": True}
    from expectations.gate import run_gate  # Great Expectations takes seconds to import
    from expectations.registry import raw_suite

    gate = run_gate([raw_suite(source_id)], checkpoint_name=f"raw_{source_id}", settings=settings)
    summary = {
        "checkpoint": gate.checkpoint,
        "success": gate.success,
        "evaluated": gate.evaluated,
        "skipped": list(gate.skipped),
    }
    passed = _read_state(VALIDATED_RAW)  # sources validate one after another; re-read before writing
    passed[source_id] = {"fingerprint": fingerprint, "summary": summary, "at": datetime.now(UTC).isoformat()}
    _write_state(VALIDATED_RAW, passed)
    return summary


@recorded("build_models")
def build_models() -> dict:
    settings = settings_mod.get()
    fingerprint = inputs_fingerprint(settings)
    published = _read_state(PUBLISHED_INPUTS)
    built = _read_state(BUILT).get("fingerprint")
    latest = settings.current_release()
    same = published.get("fingerprint") == fingerprint == built
    if same and latest is not None and latest.name == published["release"]:
        log.info("nothing new since release %s (same files, same code): dbt build skipped", published["release"])
        return {"dbt": published["dbt"], "unchanged_since": published["release"], "fingerprint": fingerprint}
    from warehouse.dbt import run_dbt, summarise

    # No --full-refresh: incremental models (fct_spend500_payment) add only new or changed files.
    # Seeds are configured full_refresh: true (reloaded whole); tables and views are rebuilt anyway.
    _write_state(BUILT, {"fingerprint": None, "started_at": datetime.now(UTC).isoformat()})
    results = run_dbt(["build"], settings)
    _write_state(BUILT, {"fingerprint": fingerprint, "finished_at": datetime.now(UTC).isoformat()})
    counts = summarise(results)
    log.info("dbt build: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return {"dbt": counts, "fingerprint": fingerprint}


@recorded("validate_marts")
def validate_marts(built: dict | None = None) -> dict:
    if built and built.get("unchanged_since"):
        log.info("marts unchanged since release %s: its passing gate stands", built["unchanged_since"])
        return {**_read_state(PUBLISHED_INPUTS)["gate"], "unchanged_since": built["unchanged_since"]}
    from expectations.gate import run_gate  # Great Expectations takes seconds to import
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
    settings = settings_mod.get()
    if dbt and dbt.get("unchanged_since"):
        published = _read_state(PUBLISHED_INPUTS)
        summary = {
            **published["summary"],
            "new_release": False,
            "work_skipped": True,
            "finished_at": datetime.now(UTC).isoformat(),
        }
        log.info("nothing new: release %s stays latest", summary["release"])
        _write_state(LAST_RUN, summary)
        return summary
    if gate.get("success") is not True:  # write, audit, publish: never without a passing audit
        raise ValidationFailed(
            f"the publication gate {gate.get('checkpoint', '?')} did not pass: nothing is published"
        )
    from pathlib import Path

    from warehouse.publish import publish_release  # seconds to import: not needed for a no-change run

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
    if dbt and dbt.get("fingerprint"):
        _write_state(
            PUBLISHED_INPUTS,
            {
                "fingerprint": dbt["fingerprint"],
                "release": release.version,
                "dbt": checks["dbt"],
                "gate": gate,
                "summary": summary,
            },
        )
    return summary
