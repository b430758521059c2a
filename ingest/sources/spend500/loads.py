"""Incremental loads into ``raw.spend500``: a file whose sha256 is recorded in ``raw.spend500_files``
is not read again; a changed file replaces its own rows in one transaction (ingest.sources.shared.payments)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import duckdb

from core.landing import NamedFile, sha256_file
from ingest.sources.shared import payments
from ingest.sources.shared.payments import FileLoad, FileRecord
from ingest.sources.spend500.layouts import ID, Header, Layout, match_layout
from ingest.sources.spend500.reader import COLUMNS, FileRead, batch_rows, literal, read_batch

log = logging.getLogger(__name__)

TABLES = payments.FileTables(ID)
TABLE = TABLES.rows
FILES_TABLE = TABLES.files
REJECTS_TABLE = TABLES.rejects
BATCH_FILES = 256  # files per DuckDB scan and transaction (per-statement and commit costs amortised)


SpendFile = NamedFile  # a file to load: published name, path, sha256 when known


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    payments.ensure_tables(con, TABLES, COLUMNS)


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
    known = payments.known_files(con, TABLES)
    todo: list[tuple[SpendFile, str, Layout, Header]] = []
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
    """The files grouped by layout and header (a header that comes back later in the year joins its
    group: one scan, not one per run of months), each group in batches of at most ``size``."""
    groups: dict[tuple, list] = {}
    for entry in todo:
        header = entry[3]
        key = (entry[2].name, tuple(header.names), header.records, header.last_line, header.newline)
        groups.setdefault(key, []).append(entry)
    for group in groups.values():
        for start in range(0, len(group), size):
            yield group[start : start + size]


def _write(con, batch, found: list[FileRead], known: dict[str, str]) -> dict[str, FileLoad]:
    """Write a batch's rows, rejects and file records in one transaction."""
    names = [f.name for f, _, _, _ in batch]
    listed = "[" + ", ".join(literal(n) for n in names) + "]"
    records = [
        FileRecord(f.name, digest, layout.name, r.rows_in, r.rejected, r.skipped, r.total_record_gbp)
        for (f, digest, layout, _), r in zip(batch, found, strict=True)
    ]
    rejects = (
        "select r._source_file, o._source_file_sha256, r.source_row, r.column_name, r.value, r.reason "
        "from spend500_file_rejects r join spend500_offsets o using (_source_file) "
        f"where list_contains({listed}, r._source_file) order by r._source_file, r.source_row"
    )
    out = payments.write_files(
        con, TABLES, COLUMNS, records, batch_rows(con, names, with_sha=True).sql_query(), rejects, known
    )
    for r in records:
        if r.rejected:
            log.warning("%s: %s: %d of %d rows refused (see %s)", ID, r.name, r.rejected, r.rows_in, REJECTS_TABLE)
    return out
