"""Payment disclosures loaded file by file (spend500, wmca_spend): each source's raw table, a
record per loaded file (``raw.<id>_files``: the sha256 it was loaded from and its counts) and its
quarantined rows (``raw.<id>_rejects``: file, row, column, value, reason).

A file whose sha256 is recorded is not read again; a changed one replaces its own rows and rejects
in one transaction; every row read is loaded or quarantined (rows in = loaded + refused), checked
as the rows are written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from core.db import insert_rows
from core.errors import SourceError


@dataclass(frozen=True)
class FileTables:
    """A payment source's three raw tables."""

    source_id: str

    @property
    def rows(self) -> str:
        return f"raw.{self.source_id}"

    @property
    def files(self) -> str:
        return f"raw.{self.source_id}_files"

    @property
    def rejects(self) -> str:
        return f"raw.{self.source_id}_rejects"


@dataclass(frozen=True)
class FileLoad:
    file: str
    sha256: str
    layout: str | None
    rows: int  # rows loaded
    rejected: int  # rows quarantined in raw.<id>_rejects
    action: str  # loaded (new), replaced (changed), unchanged (not read)


@dataclass(frozen=True)
class FileRecord:
    """What reading one file found, to be written beside its rows."""

    name: str
    sha256: str
    layout: str
    rows_in: int  # payment records in the file
    rejected: int  # of which quarantined
    skipped: int = 0  # records that are not payments (blank, control, total)
    total_record_gbp: Decimal | None = None  # a grand-total record's amount, never loaded


def ensure_tables(con: duckdb.DuckDBPyConnection, tables: FileTables, columns: dict[str, str]) -> None:
    """The three tables, created when missing; a table built before a column existed gains it."""
    con.execute("create schema if not exists raw")
    typed = ", ".join(f"{c} {kind}" for c, kind in columns.items())
    con.execute(f"create table if not exists {tables.rows} ({typed}, _source_file_sha256 VARCHAR)")
    con.execute(
        f"create table if not exists {tables.files} (file VARCHAR primary key, sha256 VARCHAR, layout VARCHAR, "
        "rows_in BIGINT, rows BIGINT, rows_rejected BIGINT, loaded_at TIMESTAMP WITH TIME ZONE, "
        "records_skipped BIGINT, total_record_gbp DECIMAL(18,2))"
    )
    con.execute(
        f"create table if not exists {tables.rejects} (_source_file VARCHAR, _source_file_sha256 VARCHAR, "
        "_source_row BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR)"
    )
    for column, kind in columns.items():
        con.execute(f"alter table {tables.rows} add column if not exists {column} {kind}")
    for column, kind in (("records_skipped", "BIGINT"), ("total_record_gbp", "DECIMAL(18,2)")):
        con.execute(f"alter table {tables.files} add column if not exists {column} {kind}")


def known_files(con: duckdb.DuckDBPyConnection, tables: FileTables) -> dict[str, str]:
    """File name -> the sha256 it was loaded from."""
    return dict(con.execute(f"select file, sha256 from {tables.files}").fetchall())


def write_files(
    con: duckdb.DuckDBPyConnection,
    tables: FileTables,
    columns: dict[str, str],
    records: list[FileRecord],
    rows_sql: str,
    rejects_sql: str,
    known: dict[str, str],
) -> dict[str, FileLoad]:
    """Write files' rows (``rows_sql``: ``columns`` then _source_file_sha256), their quarantined rows
    (``rejects_sql``: the rejects table's columns) and their records in one transaction, replacing
    what an earlier version of a file left. ``known`` is updated once committed."""
    names = [r.name for r in records]
    con.execute("begin transaction")
    try:
        replaced = [n for n in names if n in known]
        if replaced:
            for table in (tables.rows, tables.rejects):
                con.execute(f"delete from {table} where list_contains(?, _source_file)", [replaced])
        listed = ", ".join([*columns, "_source_file_sha256"])
        ((inserted,),) = con.execute(f"insert into {tables.rows} ({listed}) {rows_sql}").fetchall()
        con.execute(f"insert into {tables.rejects} {rejects_sql}")
        expected = sum(r.rows_in - r.rejected for r in records)
        if inserted != expected:
            raise SourceError(
                tables.source_id,
                ", ".join(names),
                f"{sum(r.rows_in for r in records):,} rows read, {sum(r.rejected for r in records):,} refused, "
                f"but {inserted:,} loaded (expected {expected:,})",
            )
        insert_rows(
            con,
            f"insert or replace into {tables.files} (file, sha256, layout, rows_in, rows, rows_rejected, "
            "records_skipped, total_record_gbp, loaded_at)",
            [
                [
                    r.name,
                    r.sha256,
                    r.layout,
                    r.rows_in,
                    r.rows_in - r.rejected,
                    r.rejected,
                    r.skipped,
                    r.total_record_gbp,
                ]
                for r in records
            ],
            row="(?, ?, ?, ?, ?, ?, ?, ?, now())",
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    out = {}
    for r in records:
        action = "replaced" if r.name in known else "loaded"
        out[r.name] = FileLoad(r.name, r.sha256, r.layout, r.rows_in - r.rejected, r.rejected, action)
        known[r.name] = r.sha256
    return out
