"""`make run` with nothing new, answered before Airflow starts.

Airflow's own start (importing it, parsing the DAGs, its in-process task API) takes about 8 s on
the reference machine before the first task runs, so a run that finds nothing new cannot finish
in seconds through it. In snapshot mode (the default) every input is on this machine, so the
command line can tell that nothing is new without running the DAG: the evidence, recorded when a
run through Airflow published or confirmed the latest release, is

- the snapshot files' paths, sizes and modification times (as git and rsync tell a change),
- every file of the project's code and configuration (``pipeline.code_digest``), by content,
- the settings that change what is built (region, mode, demo samples, acknowledged restatements),
- the warehouse file's size and modification time (a build by hand, or a damaged or deleted
  file, changes it), and
- the latest release, which the command line has just verified against its published sha256.

When all of them are what they were, the run prints that release's summary and says Airflow was
not started. Anything different, live mode, a backfill, another DAG or ``make run FORCE=1`` runs
the DAG through Airflow as always. The evidence is recorded only when the inputs were the same
at the start and at the end of that run (a file changed mid-run is read next time)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from core.landing import file_stamp
from core.state import read_state, write_state

QUICK_CHECK = "quick_check.json"  # the evidence of the last run through Airflow that ended in a release


def inputs_fingerprint(settings) -> str:
    """sha256 over the snapshot files' (path, size, modification time), the code files' contents and
    the settings that change what is built."""
    from warehouse.pipeline import code_digest

    digest = hashlib.sha256()
    digest.update(repr((settings.region, settings.mode, settings.samples, sorted(settings.accept_fewer_rows))).encode())
    root = settings.snapshot_dir
    for folder, dirs, files in sorted(os.walk(root, followlinks=True)):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            size, mtime = file_stamp(path)
            digest.update(f"{path.relative_to(root)}|{size}|{mtime}\n".encode())
    digest.update(code_digest(settings))
    return digest.hexdigest()


def _warehouse_stat(settings) -> list[int] | None:
    return file_stamp(settings.duckdb_path)


def recordable(settings, *, dag_id: str, periods: list[str] | None) -> bool:
    """Whether a run through Airflow that ends in a release leaves the evidence for the next run: a
    forced run too (it rewrites the warehouse file, so without it the next run would find the
    warehouse changed and go through Airflow again)."""
    return settings.mode == "snapshot" and dag_id == "wholeplace" and not periods


def eligible(settings, *, dag_id: str, periods: list[str] | None, force: bool) -> bool:
    """Whether this run can be answered without Airflow at all (see the module's description)."""
    return recordable(settings, dag_id=dag_id, periods=periods) and not force


def nothing_new(settings, release: Path | None, fingerprint: str) -> dict | None:
    """The recorded summary of ``release`` when nothing is new since the run that recorded it."""
    recorded = read_state(QUICK_CHECK, settings)
    if not recorded or release is None:
        return None
    same = (
        recorded.get("fingerprint") == fingerprint
        and recorded.get("warehouse") == _warehouse_stat(settings)
        and recorded.get("release") == release.name
    )
    return recorded.get("summary") if same else None


def record(settings, fingerprint_at_start: str, summary: dict) -> bool:
    """After a run through Airflow that ended in ``summary``'s release: record the evidence, if the
    inputs did not change while it ran. Returns whether it was recorded."""
    if inputs_fingerprint(settings) != fingerprint_at_start or not summary.get("path"):
        (settings.run_state_dir / QUICK_CHECK).unlink(missing_ok=True)
        return False
    write_state(
        QUICK_CHECK,
        {
            "fingerprint": fingerprint_at_start,
            "warehouse": _warehouse_stat(settings),
            "release": summary["release"],
            "summary": summary,
        },
        settings,
    )
    return True
