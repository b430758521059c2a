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

A run that finds nothing new finishes quickly and says so: when the files the raw tables hold and
the project's code are exactly those the latest release was built from (``inputs_fingerprint``),
and the marts are still that build (``ops.build``), dbt, the gate and publication are skipped, and
a source whose files did not change since its last passing validation is not validated again.

Runs may overlap (Airflow's pool serialises tasks, not runs): writing steps take the warehouse's
step lock, the gate records the dbt build it passed, and publish refuses marts rebuilt since.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from core import settings as settings_mod
from core.errors import ValidationFailed, WholeplaceError
from core.state import BUILT, LAST_ERROR, LAST_RUN, PUBLISHED_INPUTS, VALIDATED_RAW, read_state, write_state

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def code_roots() -> dict:
    """The project's code and configuration that turn landed files into marts and releases, as
    folder -> globs: derived from the packages pyproject.toml ships and the paths dbt_project.yml
    reads, so a new package or dbt folder counts without a second list to keep."""
    from core.codes import dbt_project_config

    pyproject = tomllib.loads((settings_mod.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    roots = {p: ("**/*",) for p in pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]}
    dbt = dbt_project_config()
    dbt_paths = [p for key in ("model-paths", "macro-paths", "seed-paths", "test-paths") for p in dbt.get(key, [])]
    roots["dbt_project"] = ("dbt_project.yml", "profiles.yml", *(f"{p}/**/*" for p in dbt_paths))
    roots["regions"] = ("*.yml",)
    return roots


def _loaded(settings, source_id: str | None = None) -> list[tuple[str, ...]]:
    """The files the raw tables hold now, as (source, period, file name, sha256) rows: what a build
    or a validation reads. Not the landing manifest: a file another run has fetched but not loaded
    yet is not in the marts, and must not count as built (it would be skipped when it is loaded)."""
    from core.catalogue import catalogue
    from core.db import connect

    if not settings.duckdb_path.exists():
        return []
    ids = [s.id for s in catalogue() if source_id is None or s.id == source_id]
    with connect(settings.duckdb_path) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        present = {t for (t,) in tables}
        rows = []
        for sid in ids:
            if f"{sid}_files" in present:  # a file set keeps a ledger of the files it loaded
                query = f"select ?, '', file, sha256 from raw.\"{sid}_files\""
            elif sid in present:
                query = f'select distinct ?, _period, _source_file, _source_file_sha256 from raw."{sid}"'
            else:
                continue
            rows += con.execute(query, [sid]).fetchall()
    return sorted(tuple(str(v) for v in r) for r in rows)


def code_files(settings) -> list:
    """Every file of code_roots; not the bundled snapshots (landed files, counted as inputs)."""
    found = {
        path
        for root, globs in code_roots().items()
        for glob in globs
        for path in (settings.project_dir / root).glob(glob)
        if path.is_file() and "__pycache__" not in path.parts and not path.is_relative_to(settings.snapshot_dir)
    }
    return sorted(found)


def inputs_fingerprint(settings, source_id: str | None = None) -> str:
    """sha256 over the loaded files (source, period, name, sha256), the project's code and the
    region: equal fingerprints build equal marts. With ``source_id``: that source's files only."""
    digest = hashlib.sha256(f"{settings.region}|{settings.mode}|{source_id}".encode())
    for row in _loaded(settings, source_id):
        digest.update(("|".join(row) + "\n").encode())
    digest.update(code_digest(settings))
    return digest.hexdigest()


def code_digest(settings) -> bytes:
    """sha256 over every code file's path and content (code_files): equal digests, equal code."""
    digest = hashlib.sha256()
    for path in code_files(settings):
        digest.update(str(path.relative_to(settings.project_dir)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def recorded(step: str, *, writes: bool = True) -> Callable[[F], F]:
    """Record a failure of ``step`` (the exception's message) for the run summary, then re-raise.
    A step that ``writes`` the warehouse holds its step lock (one such step at a time)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from core.db import one_step_at_a_time

            try:
                if not writes:
                    return func(*args, **kwargs)
                with one_step_at_a_time(settings_mod.get().run_state_dir, step):
                    return func(*args, **kwargs)
            except Exception as exc:
                write_state(
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


@recorded("plan", writes=False)
def plan(
    sources: list[str] | None = None,
    family: str | None = None,
    periods: list[str] | None = None,
    checking_at: datetime | None = None,
) -> list[str]:
    """The source ids a run fans out over: the catalogue's (one family's, or those asked for);
    with ``periods`` (a backfill), only the sources that publish one of those periods; for a
    scheduled run ``checking_at`` a moment, only the sources whose check schedule fires then
    (core.catalogue.Expected.check_crons)."""
    from croniter import croniter  # Airflow's own dependency

    from core.catalogue import catalogue

    known = catalogue()
    ids = [s.id for s in (known.by_family(family) if family else known)]
    where = f"the {family} family" if family else "the catalogue"
    if sources:
        unknown = sorted(set(sources) - set(ids))
        if unknown:
            raise WholeplaceError(f"sources not in {where}: {', '.join(unknown)} (known: {', '.join(ids)})")
        ids = [i for i in ids if i in sources]
    if periods:
        with_period = [i for i in ids if {p.period for p in known.get(i).partitions} & set(periods)]
        if not with_period:
            offered = sorted({p.period for i in ids for p in known.get(i).partitions})
            raise WholeplaceError(
                f"no source in {where}{' asked for' if sources else ''} publishes {', '.join(periods)} "
                f"(periods they publish: {', '.join(offered)})"
            )
        ids = with_period
    if checking_at is not None:
        due = [i for i in ids if any(croniter.match(c, checking_at) for c in known.get(i).expected.check_crons())]
        resting = sorted(set(ids) - set(due))
        log.info(
            "scheduled check at %s: %d sources due a check, %d resting: %s",
            checking_at,
            len(due),
            len(resting),
            resting,
        )
        ids = due
    log.info("plan: %d sources: %s", len(ids), json.dumps(ids))
    return ids


@recorded("fetch", writes=False)
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
                **(
                    {"rows_in": o.counted.rows_in, "rows_loaded": o.counted.loaded, "skipped": dict(o.counted.skipped)}
                    if o.counted
                    else {}
                ),
            }
            for o in outcomes
        ],
    }


@recorded("validate_raw")
def validate_raw(source_id: str) -> dict:
    settings = settings_mod.get()
    from core.catalogue import catalogue
    from ingest.run import left_out_sample

    if left_out_sample(catalogue().get(source_id), settings):
        log.info("%s: a synthetic sample, not loaded outside the demo: nothing to validate", source_id)
        return {"checkpoint": f"raw_{source_id}", "success": True, "evaluated": 0, "skipped": [source_id]}
    fingerprint = inputs_fingerprint(settings, source_id)
    passed = read_state(VALIDATED_RAW)
    if passed.get(source_id, {}).get("fingerprint") == fingerprint:
        log.info("%s: same files and code as its last passing validation: not validated again", source_id)
        return {**passed[source_id]["summary"], "unchanged": True}
    from expectations.gate import run_gate  # Great Expectations takes seconds to import
    from expectations.registry import raw_suite

    gate = run_gate(
        [raw_suite(source_id)], checkpoint_name=f"raw_{source_id}", settings=settings, docs_on_success=False
    )
    summary = {
        "checkpoint": gate.checkpoint,
        "success": gate.success,
        "evaluated": gate.evaluated,
        "skipped": list(gate.skipped),
    }
    passed = read_state(VALIDATED_RAW)  # sources validate one after another; re-read before writing
    passed[source_id] = {"fingerprint": fingerprint, "summary": summary, "at": datetime.now(UTC).isoformat()}
    write_state(VALIDATED_RAW, passed)
    return summary


def build_stamp(settings) -> dict:
    """ops.build: the dbt build the marts come from ({} before the first), stamped by dbt's
    on-run-start / on-run-end hooks (dbt_project/macros/build_stamp.sql)."""
    from core.db import connect

    if not settings.duckdb_path.exists():
        return {}
    with connect(settings.duckdb_path) as con:
        stamped = "select 1 from duckdb_tables() where schema_name = 'ops' and table_name = 'build'"
        if not con.execute(stamped).fetchall():
            return {}
        row = con.execute("select build_id, state, started_at, finished_at from ops.build").fetchone()
    return dict(zip(("build_id", "state", "started_at", "finished_at"), map(str, row), strict=True)) if row else {}


def release_intact(release) -> bool:
    """Whether a release's files are those it was published with (warehouse.publication.integrity); a damaged
    latest release is published again, intact, rather than reported as "no change"."""
    from warehouse.publication.integrity import verify_release

    found = verify_release(release)
    if not found.ok:
        log.warning("%s", found.describe())
    return found.ok


@recorded("build_models")
def build_models() -> dict:
    settings = settings_mod.get()
    fingerprint = inputs_fingerprint(settings)
    published = read_state(PUBLISHED_INPUTS)
    built = read_state(BUILT).get("fingerprint")
    latest = settings.current_release()
    same = published.get("fingerprint") == fingerprint == built
    # and the marts are still the build that was published (no build has run since, not even by hand)
    same = same and build_stamp(settings).get("build_id") == published.get("gate", {}).get("build_id")
    if same and latest is not None and latest.name == published["release"] and release_intact(latest):
        log.info("nothing new since release %s (same files, same code): dbt build skipped", published["release"])
        return {"dbt": published["dbt"], "unchanged_since": published["release"], "fingerprint": fingerprint}
    from core.dbt import run_dbt, summarise

    # No --full-refresh: incremental models (fct_spend500_payment) add only new or changed files.
    # Seeds are configured full_refresh: true (reloaded whole); tables and views are rebuilt anyway.
    write_state(BUILT, {"fingerprint": None, "started_at": datetime.now(UTC).isoformat()})
    results = run_dbt(["build"], settings)
    write_state(BUILT, {"fingerprint": fingerprint, "finished_at": datetime.now(UTC).isoformat()})
    counts = summarise(results)
    log.info("dbt build: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return {"dbt": counts, "fingerprint": fingerprint}


@recorded("validate_marts")
def validate_marts(built: dict | None = None) -> dict:
    if built and built.get("unchanged_since"):
        log.info("marts unchanged since release %s: its passing gate stands", built["unchanged_since"])
        return {**read_state(PUBLISHED_INPUTS)["gate"], "unchanged_since": built["unchanged_since"]}
    from expectations.gate import run_gate  # Great Expectations takes seconds to import
    from expectations.registry import marts_suite

    settings = settings_mod.get()
    stamp = build_stamp(settings)
    if stamp.get("state") != "built":
        raise ValidationFailed(
            f"the marts are not from a finished dbt build (ops.build: {stamp or 'none'}): "
            "run the build again; nothing is validated or published"
        )
    gate = run_gate([marts_suite()], checkpoint_name="publish_gate", settings=settings)
    return {
        "build_id": stamp["build_id"],  # publish checks the marts are still this build
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
        published = read_state(PUBLISHED_INPUTS)
        summary = {
            **published["summary"],
            "new_release": False,
            "work_skipped": True,
            "finished_at": datetime.now(UTC).isoformat(),
        }
        log.info("nothing new: release %s stays latest", summary["release"])
        write_state(LAST_RUN, summary)
        return summary
    if gate.get("success") is not True:  # write, audit, publish: never without a passing audit
        raise ValidationFailed(f"the publication gate {gate.get('checkpoint', '?')} did not pass: nothing is published")
    now = build_stamp(settings).get("build_id")
    if now != gate.get("build_id"):
        # Another run rebuilt the marts after this run's gate (runs overlapped). What they hold now
        # was not validated by this gate; the run that built them validates and publishes them, and
        # their build read every file loaded before it, this run's included: nothing is lost.
        summary = {
            "release": latest.name if (latest := settings.current_release()) else None,
            "new_release": False,
            "superseded_by_build": now,
            "gated_build": gate.get("build_id"),
            "finished_at": datetime.now(UTC).isoformat(),
        }
        log.warning(
            "the marts were rebuilt (build %s) after this run's gate passed build %s: not published here; "
            "the run that built them publishes them",
            now,
            gate.get("build_id"),
        )
        write_state(LAST_RUN, summary)
        return summary
    from pathlib import Path

    from warehouse.publication.publish import publish_release  # seconds to import: not needed for a no-change run

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
    write_state(LAST_RUN, summary)
    if dbt and dbt.get("fingerprint"):
        write_state(
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
