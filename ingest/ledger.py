"""The load ledger (``<landing>/loads.jsonl``, written by core.landing.record_load) as the run uses
it: written once from the vintages an older warehouse holds, and whether the warehouse still
holds a period (when it does not, the ledger's vintages are replayed before the current file)."""

from __future__ import annotations

import logging
import os

from core.catalogue import Source
from core.landing import ledger_line, loads_path, read_manifest
from core.settings import Settings

log = logging.getLogger(__name__)


def seed_load_ledger(settings: Settings) -> None:
    """A warehouse loaded before the landing zone kept a load ledger: write the ledger once from
    the vintages the warehouse holds (raw_vintages, then raw, by when each was loaded), so losing
    the file later loses none of them."""
    from core.db import connect

    ledger = loads_path(settings.landing_dir)
    if ledger.exists() or not settings.duckdb_path.exists():
        return
    fetched = {row.sha256: row for row in read_manifest(settings.landing_dir)}
    found: list[tuple[str, str, str, str]] = []
    with connect(settings.duckdb_path) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw_vintages' "
            "and table_name in (select table_name from duckdb_tables() where schema_name = 'raw')"
        ).fetchall()
        for (table,) in tables:
            columns = {
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ?", [table]
                ).fetchall()
            }
            if not {"_period", "_source_file_sha256", "_loaded_at"} <= columns:
                continue
            found += con.execute(
                f'select min(_loaded_at)::varchar, ?, _period, _source_file_sha256 from (select * from raw."{table}" '
                f'union all select * from raw_vintages."{table}") group by all',
                [table],
            ).fetchall()
    rows = [
        (fetched[sha], at) for at, _, period, sha in sorted(found) if sha in fetched and fetched[sha].period == period
    ]
    tmp = ledger.with_name(f".{ledger.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for landed, at in rows:
            fh.write(ledger_line(landed, False, at))
    try:
        os.link(tmp, ledger)  # only if no other run wrote it meanwhile
        log.info("load ledger %s written from the %d vintages the warehouse holds", ledger, len(rows))
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def period_loaded(settings: Settings, source: Source, period: str) -> bool:
    """Whether raw.<source> (or its vintages) holds any row of the period."""
    from core.db import connect

    if not settings.duckdb_path.exists():
        return False
    with connect(settings.duckdb_path) as con:
        tables = {
            t
            for (t,) in con.execute(
                "select schema_name from duckdb_tables() "
                "where table_name = ? and schema_name in ('raw', 'raw_vintages')",
                [source.id],
            ).fetchall()
        }
        for schema in sorted(tables):
            if con.execute(f'select count(*) from {schema}."{source.id}" where _period = ?', [period]).fetchall()[0][0]:
                return True
    return False
