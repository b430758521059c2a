"""The warehouse's DuckDB connection.

DuckDB allows one writer process per file. Writers go through ``connect(write=True)``, which
waits (with a clear message if it gives up) while another process holds the file; Airflow also
serialises writers with a one-slot pool. Close connections before dbt or GX open the file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.errors import WarehouseBusy, WholeplaceError

log = logging.getLogger(__name__)

__all__ = ["WarehouseBusy", "connect"]


@contextmanager
def connect(
    path: Path, *, write: bool = False, wait_s: float = 120.0, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (read-only unless ``write``), waiting while another writer holds it.
    ``memory_limit`` (default: the WHOLEPLACE_DUCKDB_MEMORY_LIMIT setting) caps DuckDB's memory;
    beyond it DuckDB spills to disk."""
    if memory_limit is None:
        from ingest import settings as settings_mod

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
                raise
            log.info("warehouse file is busy; waiting %.1f s", delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        yield con
    finally:
        con.close()
