"""Incremental loads into ``raw.spend500``: a file whose sha256 is recorded in ``raw.spend500_files``
is not read again; a changed file replaces its own rows in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.errors import SourceError
from core.landing import NamedFile, sha256_file
from ingest.sources.spend500.layouts import ID, Layout, match_layout
from ingest.sources.spend500.reader import COLUMNS, FileRead, batch_rows, literal, read_batch

log = logging.getLogger(__name__)


# ---- incremental loads ------------------------------------------------------------------------------

TABLE = "raw.spend500"
FILES_TABLE = "raw.spend500_files"
REJECTS_TABLE = "raw.spend500_rejects"
BATCH_FILES = 256  # files per DuckDB scan and transaction (per-statement and commit costs amortised)


SpendFile = NamedFile  # a file to load: published name, path, sha256 when known


@dataclass(frozen=True)
class FileLoad:
    file: str
    sha256: str
    layout: str | None
    rows: int  # rows loaded
    rejected: int  # rows quarantined in raw.spend500_rejects
    action: str  # loaded (new), replaced (changed), unchanged (not read)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    columns = ", ".join(f"{c} {kind}" for c, kind in COLUMNS.items())
    con.execute(f"create table if not exists {TABLE} ({columns}, _source_file_sha256 VARCHAR)")
    con.execute(
        f"create table if not exists {FILES_TABLE} (file VARCHAR primary key, sha256 VARCHAR, layout VARCHAR, "
        "rows_in BIGINT, rows BIGINT, rows_rejected BIGINT, loaded_at TIMESTAMP WITH TIME ZONE)"
    )
    con.execute(
        f"create table if not exists {REJECTS_TABLE} (_source_file VARCHAR, _source_file_sha256 VARCHAR, "
        "_source_row BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR)"
    )


def load_files(
    con: duckdb.DuckDBPyConnection,
    files: list[SpendFile | Path],
    workdir: Path | None = None,
    *,
    batch_files: int = BATCH_FILES,
) -> list[FileLoad]:
    """Load only new or changed files into raw.spend500.

    A file is known by its name; raw.spend500_files records the sha256 it was loaded from. An
    unchanged file is not read at all (its hash is the only cost); a changed one replaces its own
    rows and rejects. Every row read is either loaded or quarantined: rows in = loaded + rejected.

    Files of the same layout and header are read together, up to ``batch_files`` per DuckDB scan
    and transaction (a file's rows, rejects and record are always written together). A refused
    file stops the load: the files before it stay loaded, and the error names the file, row and
    column. No statement scans the rows already loaded: a load's cost grows with its new files."""
    ensure_tables(con)
    known = dict(con.execute(f"select file, sha256 from {FILES_TABLE}").fetchall())
    todo: list[tuple[SpendFile, str, Layout, list[str]]] = []
    outcomes: dict[str, FileLoad] = {}
    for item in files:
        f = item if isinstance(item, SpendFile) else SpendFile(item.name, item)
        digest = f.sha256 or sha256_file(f.path)
        if known.get(f.name) == digest:
            outcomes[f.name] = FileLoad(f.name, digest, None, 0, 0, "unchanged")
        else:
            layout, header, _ = match_layout(f.path, f.name)
            todo.append((f, digest, layout, header))
    done = 0
    for batch in _batches(todo, batch_files):
        _, _, layout, header = batch[0]
        found = read_batch(con, [(f.name, f.path, digest) for f, digest, _, _ in batch], layout, header, workdir)
        first_refused = next((i for i, r in enumerate(found) if r.refused), len(batch))
        good = batch[:first_refused]
        if good:
            outcomes.update(_write(con, good, found[:first_refused], known))
            done += len(good)
            log.info("%s: %d of %d new or changed files loaded", ID, done, len(todo))
        if first_refused < len(batch):
            raise found[first_refused].error()
    return [outcomes[(i if isinstance(i, SpendFile) else SpendFile(i.name, i)).name] for i in files]


def _batches(todo: list, size: int) -> Iterator[list]:
    """Consecutive runs of files with the same layout and header, at most ``size`` long."""
    batch: list = []
    for entry in todo:
        if batch and (len(batch) >= size or (entry[2].name, entry[3]) != (batch[0][2].name, batch[0][3])):
            yield batch
            batch = []
        batch.append(entry)
    if batch:
        yield batch


def _write(con, batch, found: list[FileRead], known: dict[str, str]) -> dict[str, FileLoad]:
    """Write a batch's rows, rejects and file records in one transaction."""
    names = [f.name for f, _, _, _ in batch]
    listed = "[" + ", ".join(literal(n) for n in names) + "]"
    con.execute("begin transaction")
    try:
        replaced = [n for n in names if n in known]
        if replaced:
            for table in (TABLE, REJECTS_TABLE):
                con.execute(f"delete from {table} where list_contains(?, _source_file)", [replaced])
        ((inserted,),) = con.execute(
            f"insert into {TABLE} {batch_rows(con, names, with_sha=True).sql_query()}"
        ).fetchall()
        con.execute(
            f"insert into {REJECTS_TABLE} select r._source_file, o._source_file_sha256, r.source_row, r.column_name, "
            "r.value, r.reason from spend500_file_rejects r join spend500_offsets o using (_source_file) "
            f"where list_contains({listed}, r._source_file) order by r._source_file, r.source_row"
        )
        expected = sum(r.rows_in - r.rejected for r in found)
        if inserted != expected:
            raise SourceError(
                ID,
                ", ".join(names),
                f"{sum(r.rows_in for r in found):,} rows read, {sum(r.rejected for r in found):,} refused, "
                f"but {inserted:,} loaded (expected {expected:,})",
            )
        records, out = [], {}
        for (f, digest, layout, _), r in zip(batch, found, strict=True):
            count = r.rows_in - r.rejected
            records.append([f.name, digest, layout.name, r.rows_in, count, r.rejected])
            action = "replaced" if f.name in known else "loaded"
            out[f.name] = FileLoad(f.name, digest, layout.name, count, r.rejected, action)
            if r.rejected:
                log.warning("%s: %s: %d of %d rows refused (see %s)", ID, f.name, r.rejected, r.rows_in, REJECTS_TABLE)
        con.executemany(f"insert or replace into {FILES_TABLE} values (?, ?, ?, ?, ?, ?, now())", records)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    for f, digest, _, _ in batch:
        known[f.name] = digest
    return out
