"""Run dbt (the installed dbt-core CLI) against the warehouse, streaming its progress to the log.

dbt runs in its own process so its logging and DuckDB connection are its own; the warehouse file
must not be held by this process meanwhile. Failures become a ValidationFailed naming each
failed model or test and its message, read from dbt's run_results.json.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from core.errors import ValidationFailed, WholeplaceError
from core.settings import Settings

log = logging.getLogger(__name__)


def dbt_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WHOLEPLACE_DUCKDB_PATH=str(settings.duckdb_path),
        WHOLEPLACE_DUCKDB_MEMORY_LIMIT=settings.duckdb_memory_limit,
        DBT_TARGET_PATH=str(settings.dbt_target_dir),
        DBT_LOG_PATH=str(settings.dbt_log_dir),
        DBT_PROFILES_DIR=str(settings.dbt_profiles),
        DBT_TARGET=settings.dbt_target,
        WHOLEPLACE_DBT_THREADS=str(settings.dbt_threads),
        DBT_PROJECT_DIR=str(settings.dbt_project_dir),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
        DBT_PRINTER_WIDTH="100",
    )
    return env


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], settings: Settings) -> dict:
    """Run ``dbt <args>``; return run_results.json as a dict. Raises on any failed node."""
    settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
    settings.dbt_log_dir.mkdir(parents=True, exist_ok=True)
    command = [dbt_executable(), *args]
    log.info("running %s", " ".join(command))
    with subprocess.Popen(
        command,
        cwd=settings.dbt_project_dir,
        env=dbt_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        tail: list[str] = []
        for line in proc.stdout:
            line = line.rstrip()
            if line:
                log.info("dbt | %s", line)
                tail = (tail + [line])[-30:]
        code = proc.wait()
    results_path = settings.dbt_target_dir / "run_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    failed = [r for r in results.get("results", []) if r.get("status") in ("error", "fail", "runtime error")]
    if failed:
        lines = []
        for r in failed:
            lines.append(f"  - {r['unique_id']}: {r.get('status')}: {(r.get('message') or '').strip()}")
            lines.extend(f"      {row}" for row in failing_rows(r, settings))
        raise ValidationFailed(
            f"dbt {' '.join(args)} failed ({len(failed)} nodes); nothing is published:\n" + "\n".join(lines)
        )
    if code != 0:
        raise WholeplaceError(
            f"dbt {' '.join(args)} exited with {code} (target {settings.dbt_target!r} of profile 'wholeplace' "
            f"in {settings.dbt_profiles / 'profiles.yml'}):\n" + "\n".join(tail[-15:])
        )
    return results


def failing_rows(result: dict, settings: Settings, limit: int = 5) -> list[str]:
    """The first rows a failed dbt test returned, so the message can name the file and row.

    Tests that select lineage columns (source_file, source_row) point straight at the input.
    """
    sql = result.get("compiled_code")
    if result.get("status") != "fail" or not sql or not result["unique_id"].startswith("test."):
        return []
    from core.db import connect

    try:
        with connect(settings.duckdb_path, wait_s=5) as con:
            cursor = con.execute(f"select * from ({sql}) limit {limit}")
            names = [d[0] for d in cursor.description]
            return [", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True)) for row in cursor.fetchall()]
    except Exception as exc:  # the message is still useful without the rows
        log.warning("could not read the failing rows of %s: %s", result["unique_id"], exc)
        return []


def summarise(results: dict) -> dict[str, int]:
    """Counts by node type and status, e.g. {'model:success': 25, 'test:pass': 100}."""
    counts: dict[str, int] = {}
    for r in results.get("results", []):
        kind = r["unique_id"].split(".", 1)[0]
        key = f"{kind}:{r.get('status')}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
