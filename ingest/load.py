"""Idempotent loads into ``raw.<source>``: a period's partition is replaced in one transaction.

The rows a new file replaces move to ``raw_vintages.<source>`` in the same transaction, so marts
use the latest vintage and older ones stay queryable.

Every raw row carries where it came from: the source id, the period, the landed file's name,
sha256 and URL, the row (and, for wide sheets, the column) in that file, and when it was loaded.
Loading the same file for the same period again is a no-op, so re-runs keep ``_loaded_at``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from core.catalogue import Source
from core.db import replace_table
from core.errors import SourceError
from core.landing import MANIFEST_FIELDS, Landed, manifest_path
from core.regions import Region, RegionError
from ingest.sheets import RowCount

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

META_COLUMNS: dict[str, str] = {
    "_source_id": "VARCHAR",
    "_period": "VARCHAR",
    "_source_file": "VARCHAR",
    "_source_file_sha256": "VARCHAR",
    "_source_url": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}


@dataclass(frozen=True)
class LoadResult:
    source_id: str
    period: str
    rows: int
    loaded: bool  # False when this exact file was already the partition's content


def check_frame(source: Source, landed: Landed, frame: pd.DataFrame, columns: dict[str, str]) -> None:
    """The parser must return exactly its declared columns (a column-map validation step)."""
    got, want = list(frame.columns), list(columns)
    if got != want:
        missing = [c for c in want if c not in got]
        extra = [c for c in got if c not in want]
        raise SourceError(
            source.id,
            landed.file_name,
            f"parser returned columns that differ from its declaration (missing {missing}, extra {extra})",
        )


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def ensure_table(con: duckdb.DuckDBPyConnection, source: Source, columns: dict[str, str]) -> None:
    """Create ``raw.<source>`` and ``raw_vintages.<source>`` (rows superseded by a newer file for
    the same period); recreate both if the parser's declared schema has changed."""
    wanted = {**columns, **META_COLUMNS}
    for schema in ("raw", "raw_vintages"):
        con.execute(f"create schema if not exists {schema}")
        existing = _table_columns(con, schema, source.id)
        if existing and [c for c, _ in existing] != list(wanted):
            log.warning("%s: declared columns changed; recreating %s.%s", source.id, schema, source.id)
            con.execute(f'drop table {schema}."{source.id}"')
            existing = []
        if not existing:
            cols = ", ".join(f'"{name}" {dtype}' for name, dtype in wanted.items())
            con.execute(f'create table {schema}."{source.id}" ({cols})')


def load_partition(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landed: Landed,
    frame: pd.DataFrame,
    columns: dict[str, str],
    counted: RowCount | None = None,
) -> LoadResult:
    """Replace the period's rows with the frame's, in one transaction; ``counted`` (what became
    of the file's data rows) is recorded in raw.row_counts in the same transaction."""
    check_frame(source, landed, frame, columns)
    ensure_table(con, source, columns)
    table = f'raw."{source.id}"'
    current = con.execute(
        f"select distinct _source_file_sha256 from {table} where _period = ?", [landed.period]
    ).fetchall()
    if current == [(landed.sha256,)]:
        rows = con.execute(f"select count(*) from {table} where _period = ?", [landed.period]).fetchone()[0]
        log.info("%s %s: already loaded from this file (%s rows); nothing to do", source.id, landed.period, rows)
        return LoadResult(source.id, landed.period, rows, loaded=False)
    select = ", ".join(f'cast(frame."{name}" as {dtype})' for name, dtype in columns.items())
    con.register("frame", frame)
    try:
        con.execute("begin transaction")
        # a new file for a period loaded before is a new vintage: keep the old rows queryable
        con.execute(f'insert into raw_vintages."{source.id}" select * from {table} where _period = ?', [landed.period])
        con.execute(f"delete from {table} where _period = ?", [landed.period])
        con.execute(
            f"insert into {table} select {select}, ?, ?, ?, ?, ?, ? from frame",
            [
                source.id,
                landed.period,
                landed.file_name,
                landed.sha256,
                landed.url,
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        if counted is not None:
            record_row_count(con, source.id, landed.period, landed.file_name, landed.sha256, counted)
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        if isinstance(exc, duckdb.ConversionException | duckdb.OutOfRangeException):
            bad = _first_value_that_does_not_fit(con, columns)
            if bad is not None:
                raise SourceError(source.id, landed.file_name, bad[0], row=bad[1], column=bad[2]) from exc
        raise SourceError(source.id, landed.file_name, f"could not load into {table}: {exc}") from exc
    finally:
        con.unregister("frame")
    log.info("%s %s: loaded %s rows into raw.%s", source.id, landed.period, f"{len(frame):,}", source.id)
    return LoadResult(source.id, landed.period, len(frame), loaded=True)


def _first_value_that_does_not_fit(
    con: duckdb.DuckDBPyConnection, columns: dict[str, str]
) -> tuple[str, int | None, str | None] | None:
    """(what, row, column) of the first value of the registered ``frame`` that its declared type
    cannot hold (a figure too large for its DECIMAL, text in a number column), or None. The row and
    column are the file's (``_source_row``, ``_source_column``) when the parser recorded them."""
    row_expr = '"_source_row"' if "_source_row" in columns else "null"
    letter_expr = '"_source_column"' if "_source_column" in columns else "null"
    for name, dtype in columns.items():
        if name.startswith("_source_"):
            continue
        found = con.execute(
            f'select cast("{name}" as varchar), {row_expr}, {letter_expr} from frame '
            f'where "{name}" is not null and try_cast("{name}" as {dtype}) is null limit 1'
        ).fetchall()
        if not found:
            continue
        value, row, letter = found[0]
        column = f"{letter} ({name})" if letter else name
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the value {shown} does not fit the {name} column ({dtype}): refused", row, column
    return None


ROW_COUNTS = "raw.row_counts"


def loaded_unchanged(con: duckdb.DuckDBPyConnection, source: Source, landed: Landed) -> tuple[int, RowCount] | None:
    """(raw rows, what became of the file's rows) when the period is loaded from exactly this file
    and its row count was recorded: then there is nothing to parse or load again."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name in (?, 'row_counts')",
        [source.id],
    ).fetchone()[0]
    if exists < 2:
        return None
    table = f'raw."{source.id}"'
    current = con.execute(f"select distinct _source_file_sha256 from {table} where _period = ?", [landed.period])
    if current.fetchall() != [(landed.sha256,)]:
        return None
    counted = con.execute(
        f"select rows_in, rows_loaded, skipped_by_reason from {ROW_COUNTS} "
        "where source_id = ? and period = ? and sha256 = ? order by counted_at desc limit 1",
        [source.id, landed.period, landed.sha256],
    ).fetchone()
    if counted is None:
        return None
    rows = con.execute(f"select count(*) from {table} where _period = ?", [landed.period]).fetchone()[0]
    skipped = json.loads(counted[2]) if counted[2] else {}
    return rows, RowCount(int(counted[0]), int(counted[1]), Counter(skipped))


def record_row_count(
    con: duckdb.DuckDBPyConnection, source_id: str, period: str, file_name: str, sha256: str, counted: RowCount
) -> None:
    """One row per loaded file: its data rows in = loaded + skipped, and why each skipped row was."""
    con.execute(
        f"create table if not exists {ROW_COUNTS} (source_id varchar, period varchar, file_name varchar, "
        "sha256 varchar, rows_in bigint, rows_loaded bigint, rows_skipped bigint, skipped_by_reason varchar, "
        "counted_at timestamp with time zone)"
    )
    key = [source_id, period, sha256]  # one row per vintage: a restated file gets its own
    con.execute(f"delete from {ROW_COUNTS} where source_id = ? and period = ? and sha256 = ?", key)
    con.execute(
        f"insert into {ROW_COUNTS} values (?, ?, ?, ?, ?, ?, ?, ?, now())",
        [
            source_id,
            period,
            file_name,
            sha256,
            counted.rows_in,
            counted.loaded,
            sum(counted.skipped.values()),
            json.dumps(dict(counted.skipped.most_common())),
        ],
    )


def refresh_manifest_table(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> None:
    """Mirror the landing manifest (the durable record) into ``raw.fetch_manifest`` for lineage."""
    con.execute("create schema if not exists raw")
    path = manifest_path(landing_dir)
    cols = ", ".join(f"'{f}': '{'BIGINT' if f == 'bytes' else 'VARCHAR'}'" for f in MANIFEST_FIELDS)
    if path.exists():
        # rows recorded before URLs were redacted on landing lose their credentials here too
        scrub = ", ".join(
            f"regexp_replace({c}, '://[^/@\\s]+@', '://REDACTED@') as {c}" for c in ("url", "origin_url", "mirror_url")
        )
        con.execute(
            f"create or replace table raw.fetch_manifest as select * replace ({scrub}) "
            f"from read_json('{path}', format='newline_delimited', columns={{{cols}}})"
        )
    else:
        defs = ", ".join(f"{f} {'BIGINT' if f == 'bytes' else 'VARCHAR'}" for f in MANIFEST_FIELDS)
        con.execute(f"create or replace table raw.fetch_manifest ({defs})")


def refresh_catalogue_table(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
    """Mirror the source catalogue into ``raw.source_catalogue`` (licences, synthetic flags)."""
    con.execute("create schema if not exists raw")
    replace_table(
        con,
        "raw.source_catalogue",
        [
            {
                "source_id": s.id,
                "family": s.family,
                "publisher": s.publisher,
                "title": s.title,
                "landing_page": s.landing_page,
                "format": s.format,
                "licence": s.licence,
                "attribution": s.attribution,
                "cadence": s.cadence,
                "synthetic": s.synthetic,
                "provenance": s.provenance,
            }
            for s in sources
        ],
    )


def refresh_region_table(con: duckdb.DuckDBPyConnection, regions: list[Region], current: str) -> None:
    """Mirror the region files into ``raw.region_definitions``: every configured region's
    councils, the one this warehouse builds flagged ``is_current`` (benchmarks use the others). A
    region whose places are derived (England) is one row with no council and ``places`` 'derived'."""
    if current not in {r.name for r in regions}:
        raise RegionError(f"no region {current!r} among {sorted(r.name for r in regions)} (regions/{current}.yml)")
    con.execute("create schema if not exists raw")
    replace_table(
        con,
        "raw.region_definitions",
        [
            {
                "region_name": r.name,
                "region_title": r.title,
                "is_current": r.name == current,
                "combined_authority_code": r.combined_authority_code,
                "combined_authority_name": r.combined_authority_name,
                "ons_region_code": r.ons_region_code,
                "ons_region_name": r.ons_region_name,
                "council_code": c.code if c else None,
                "council_name": c.name if c else None,
                "locality_source": r.locality_source,
                "places": r.places,
            }
            for r in regions
            # a region whose places are derived has one row, with no council: the models find them
            for c in (r.councils or (None,))
        ],
    )
