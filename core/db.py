"""The warehouse's DuckDB connection.

DuckDB allows one writer process per file. Writers go through ``connect(write=True)``, which
waits (with a clear message if it gives up) while another process holds the file; Airflow also
serialises writers with a one-slot pool. Close connections before dbt or GX open the file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from core.errors import WarehouseBusy, WholeplaceError

log = logging.getLogger(__name__)

__all__ = ["ACKNOWLEDGEMENTS", "WarehouseBusy", "connect", "insert_rows", "one_step_at_a_time", "replace_table"]

# acknowledged restatements with fewer rows (ingest.completeness writes it; the release names them)
ACKNOWLEDGEMENTS = "raw.completeness_acknowledgements"

_held = threading.local()


@contextmanager
def connect(
    path: Path, *, write: bool = False, wait_s: float = 120.0, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (read-only unless ``write``), waiting while another writer holds it.
    ``memory_limit`` (default: the WHOLEPLACE_DUCKDB_MEMORY_LIMIT setting) caps DuckDB's memory;
    beyond it DuckDB spills to disk."""
    if memory_limit is None:
        from core import settings as settings_mod

        memory_limit = settings_mod.get().duckdb_memory_limit
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise WholeplaceError(f"no warehouse at {path}: run `make run` first")
    deadline = time.monotonic() + wait_s
    delay = 0.2
    while True:
        try:
            con = duckdb.connect(str(path), read_only=not write, config={"memory_limit": memory_limit})
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                if "lock" in str(exc).lower():
                    raise WarehouseBusy(
                        f"{path} is held by another process (DuckDB allows one writer); "
                        f"gave up after {wait_s:.0f} s: {exc}"
                    ) from exc
                raise WholeplaceError(
                    f"the warehouse file {path} cannot be opened ({exc}). Nothing is lost: the landing zone "
                    "keeps every file ever fetched and the vintages loaded from them. Recover with "
                    "`make recover` (moves the damaged file aside, then rebuilds it with `make run`)"
                ) from exc
            log.info("warehouse file is busy; waiting %.1f s", delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        yield con
    finally:
        con.close()


INSERT_CHUNK = 1000  # rows per VALUES statement


def insert_rows(con: duckdb.DuckDBPyConnection, into: str, rows: list, *, row: str) -> None:
    """Insert ``rows`` (sequences of values) with one multi-row VALUES statement per INSERT_CHUNK rows.

    ``into`` is the statement up to VALUES (``insert or replace into t (a, b, c)``); ``row`` is one
    row's tuple, a ``?`` per value (``(?, ?, now())``). DuckDB runs ``executemany`` as one statement
    per row: 256 file records into a keyed table took 1.8 s that way and 0.05 s as one statement."""
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        con.execute(f"{into} values {', '.join([row] * len(chunk))}", [v for r in chunk for v in r])


def replace_table(con: duckdb.DuckDBPyConnection, table: str, records: list[dict]) -> None:
    """Create or replace a small table from records (dicts with the same keys, in column order), in
    one transaction: a column is BOOLEAN when its values are bools, BIGINT when ints, else VARCHAR.
    (Without pandas: importing it was a third of a load task's start.)"""
    if not records:
        raise ValueError(f"no records for {table}")
    columns = list(records[0])

    def kind(column: str) -> str:
        values = [r[column] for r in records if r[column] is not None]
        if values and all(isinstance(v, bool) for v in values):
            return "BOOLEAN"
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "BIGINT"
        return "VARCHAR"

    typed = ", ".join(f'"{c}" {kind(c)}' for c in columns)
    con.execute("begin transaction")
    try:
        con.execute(f"create or replace table {table} ({typed})")
        values = [[r[c] for c in columns] for r in records]
        insert_rows(con, f"insert into {table}", values, row=f"({', '.join('?' * len(columns))})")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


@contextmanager
def one_step_at_a_time(folder: Path, step: str, *, report_every_s: float = 30.0) -> Iterator[None]:
    """Hold the warehouse's step lock (``<folder>/step.lock``) while a step that writes runs.

    Airflow's one-slot pool serialises these steps between tasks; this does it between any
    processes on the machine (two `make run`s, a manual step beside a deployment), so two runs
    never interleave inside a step: a load never lands in the middle of a dbt build, and two gates
    never share a staging folder. The kernel releases it when its process dies, even by kill -9.
    Waits, saying every ``report_every_s`` which step of which process holds it. Re-entrant.
    """
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "step.lock", "a+", encoding="utf-8") as fh:
        began = time.monotonic()
        said = None
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - began
                if said is None or waited - said >= report_every_s:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    log.info("%s: waiting for the warehouse (held by %s; %.0f s so far)", step, holder, waited)
                    said = waited
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{step} in pid {os.getpid()} since {datetime.now(UTC):%H:%M:%S}Z\n")
        fh.flush()
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
