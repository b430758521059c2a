"""Spending over £500: councils' transaction-level transparency files, streamed through DuckDB.

Every council publishes its own layout; each layout is a declaration in ``spend500_layouts.yml``
(column mapping, encoding, date format, redaction markers), never a code path. A file is matched
to the layout whose header row it has, then read by DuckDB's ``read_csv`` with the declared column
names and explicit types (no sniffing, no row-by-row Python, no whole-file pandas): malformed rows
land in DuckDB's rejects table and are reported with the file, line and column; values that do not
parse as the layout's date or a money amount are reported the same way.

``load_files`` loads incrementally into ``raw.spend500``: a file whose sha256 is already recorded in
``raw.spend500_files`` is not read again; a changed file replaces its own rows in one transaction.

Issue 6, slices 1-2: layouts, the streaming reader, incremental loads. Not yet in the catalogue, a
DAG, dbt or the benchmark.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from ingest.errors import SourceError
from ingest.land import NamedFile, sha256_file

SOURCE_ID = "spend500"
log = logging.getLogger(__name__)
LAYOUTS_FILE = Path(__file__).with_name("spend500_layouts.yml")
REQUIRED = ("payment_date", "reference", "net_amount_gbp", "supplier_name")
OPTIONAL = ("service", "expense_code", "expense_type", "supplier_id", "gross_amount_gbp", "vat_gbp")
MONEY = ("net_amount_gbp", "gross_amount_gbp", "vat_gbp")
ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252"}  # declared name -> Python codec
# A file with more refused rows than this share is refused whole (its layout has likely changed);
# below it, refused rows are quarantined in raw.spend500_rejects with their file, row and column.
MAX_REJECTED_SHARE = 0.01

# The standardised transaction columns, in order, with their DuckDB types.
COLUMNS: dict[str, str] = {
    "council_code": "VARCHAR",
    "council_name": "VARCHAR",
    "layout": "VARCHAR",
    "payment_kind": "VARCHAR",
    "payment_date": "DATE",
    "service": "VARCHAR",
    "expense_code": "VARCHAR",
    "expense_type": "VARCHAR",
    "reference": "VARCHAR",
    "supplier_id": "VARCHAR",
    "supplier_name": "VARCHAR",
    "supplier_name_normalised": "VARCHAR",
    "is_redacted": "BOOLEAN",
    "net_amount_gbp": "DECIMAL(18,2)",
    "gross_amount_gbp": "DECIMAL(18,2)",
    "vat_gbp": "DECIMAL(18,2)",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
}


@dataclass(frozen=True)
class Layout:
    name: str
    council_code: str
    council_name: str
    kind: str
    encoding: str
    columns: dict[str, tuple[str, ...]]  # our name -> the published names it has gone by
    date_format: str
    redacted: tuple[str, ...]

    def resolve(self, header: list[str]) -> dict[str, str] | None:
        """Our name -> the file's column, or None when the header lacks one of the layout's columns."""
        found = {}
        for ours, names in self.columns.items():
            match = next((n for n in names if n in header), None)
            if match is None:
                return None
            found[ours] = match
        return found


@cache
def layouts(path: Path = LAYOUTS_FILE) -> dict[str, Layout]:
    """The declared layouts, checked: known column names, the required ones present."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = {}
    for name, entry in raw.items():
        where = f"{path.name}: {name}"
        columns = {k: tuple([v] if isinstance(v, str) else v) for k, v in entry["columns"].items()}
        missing = [c for c in REQUIRED if c not in columns]
        unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
        if missing or unknown:
            raise ValueError(f"{where}: columns missing {missing}, unknown {unknown}")
        if entry["encoding"] not in ENCODINGS or entry["kind"] not in ("invoice", "card"):
            raise ValueError(f"{where}: encoding must be one of {sorted(ENCODINGS)}, kind invoice or card")
        found[name] = Layout(
            name=name,
            council_code=entry["council"]["code"],
            council_name=entry["council"]["name"],
            kind=entry["kind"],
            encoding=entry["encoding"],
            columns=columns,
            date_format=entry["date_format"],
            redacted=tuple(entry.get("redacted") or ()),
        )
    return found


def _header(first_line: bytes, encoding: str) -> list[str]:
    text = first_line.decode(ENCODINGS[encoding], errors="replace")
    return [c.strip() for c in next(csv.reader(io.StringIO(text)), [])]


def match_layout(path: Path, name: str | None = None) -> tuple[Layout, list[str], dict[str, str]]:
    """The one layout whose columns the file's header has: (layout, header, our name -> column)."""
    with open(path, "rb") as fh:
        first_line = fh.readline()
    matches = []
    for layout in layouts().values():
        header = _header(first_line, layout.encoding)
        resolved = layout.resolve(header)
        if resolved is not None:
            matches.append((layout, header, resolved))
    if len(matches) != 1:
        what = "no layout" if not matches else "more than one layout (" + ", ".join(m[0].name for m in matches) + ")"
        header = _header(first_line, "cp1252")
        raise SourceError(
            SOURCE_ID, name or path.name, f"header matches {what} in {LAYOUTS_FILE.name}: {header}", row=1
        )
    return matches[0]


@contextmanager
def _as_utf8(path: Path, encoding: str, workdir: Path | None) -> Iterator[Path]:
    """The file itself when UTF-8, else a UTF-8 copy transcoded in 1 MiB chunks (constant memory),
    removed again once read."""
    if encoding == "utf-8":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="spend500-", dir=workdir) as folder:
        target = Path(folder) / f"{path.stem}.utf8{path.suffix}"
        decoder = codecs.getincrementaldecoder(ENCODINGS[encoding])(errors="strict")
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
        yield target


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _money(expr: str) -> str:
    """Pounds as published: thousands separators and £ dropped, (1,234.56) is -1234.56."""
    cleaned = f"regexp_replace(regexp_replace(trim({expr}), '[£, ]', '', 'g'), '^\\((.*)\\)$', '-\\1')"
    return f"try_cast(nullif({cleaned}, '') as decimal(18, 2))"


def _normalised_supplier(expr: str) -> str:
    """Upper case, punctuation to spaces, runs of spaces collapsed, LTD -> LIMITED."""
    cleaned = f"trim(regexp_replace(regexp_replace(upper({expr}), '[^A-Z0-9&]+', ' ', 'g'), ' +', ' ', 'g'))"
    return f"nullif(regexp_replace({cleaned}, ' LTD$', ' LIMITED'), '')"


@dataclass(frozen=True)
class Read:
    """One file read: the typed rows to load, and what was refused (kept, never dropped silently)."""

    relation: duckdb.DuckDBPyRelation  # COLUMNS, rejected rows left out
    rows_in: int  # data rows in the file
    rejected: int  # rows quarantined (in temp table spend500_file_rejects: file row, column, value, reason)


def read(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path | None = None, *, name: str | None = None) -> Read:
    """Stream one file into a temporary table and return its typed rows (COLUMNS).

    ``name`` is the file's published name (default: the path's), used in messages and lineage.
    A row DuckDB cannot split into the layout's columns, or whose date or amount does not parse,
    is quarantined (temp table spend500_file_rejects: row, column, value, reason); when more than
    MAX_REJECTED_SHARE of the file's rows are refused, the file is: SourceError naming the file and
    the first bad row and column. A transcoded copy (cp1252 files) is written under ``workdir``
    (default: the system temp dir) only while DuckDB reads it."""
    name = name or path.name
    layout, header, mapped = match_layout(path, name)
    types = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
    con.execute("drop table if exists spend500_rejects; drop table if exists spend500_scans")
    with _as_utf8(path, layout.encoding, workdir) as readable:
        con.execute(
            f"""
            create or replace temp table spend500_text as
            select *, row_number() over () + 1 as _source_row
            from read_csv({_literal(str(readable))}, header = true, auto_detect = false, columns = {types},
                delim = ',', quote = '"', escape = '"', encoding = 'utf-8',
                store_rejects = true, rejects_table = 'spend500_rejects', rejects_scan = 'spend500_scans')
            """
        )

    # Rows numbered as the file's lines: a row after a refused line sits one line further down.
    con.execute(
        """
        update spend500_text set _source_row = _source_row + (
            select count(*) from (select line - row_number() over (order by line) + 1 as shifts_from
                                  from (select distinct line from spend500_rejects))
            where shifts_from <= spend500_text._source_row)
        where exists (select 1 from spend500_rejects)
        """
    )

    col = {c: (_ident(mapped[c]) if c in mapped else "null") for c in REQUIRED + OPTIONAL}
    redacted = ", ".join(_literal(r.upper()) for r in layout.redacted) or "''"
    is_redacted = f"coalesce(upper(trim({col['supplier_name']})) in ({redacted}), false)"
    payment_date = f"cast(try_strptime({col['payment_date']}, {_literal(layout.date_format)}) as date)"

    # Refused rows, in one scan per kind: rows DuckDB could not split, values that do not parse.
    checks = [(mapped["payment_date"], payment_date, f"not a date in the layout's format {layout.date_format}")]
    checks += [(mapped[m], _money(col[m]), "not an amount in pounds") for m in MONEY if m in mapped]
    unparsed = " union all ".join(
        f"select _source_row, {_literal(published)}, {_ident(published)}, {_literal(reason)} from spend500_text "
        f"where nullif(trim({_ident(published)}), '') is not null and {parsed} is null"
        for published, parsed, reason in checks
    )
    con.execute(
        f"""
        create or replace temp table spend500_file_rejects as
        select * from (
            select line as source_row, column_name, csv_line as value,
                'malformed row (' || error_type || ': ' || split_part(error_message, chr(10), 1) || ')' as reason
            from spend500_rejects
            union all
            select * from ({unparsed})
        )
        qualify row_number() over (partition by source_row order by column_name nulls first) = 1
        """
    )
    ((rows_read, rejected, first_row, first_column, first_value, first_reason, unsplit),) = con.execute(
        """
        select (select count(*) from spend500_text), count(distinct source_row),
            arg_min(source_row, source_row), arg_min(column_name, source_row), arg_min(value, source_row),
            arg_min(reason, source_row), (select count(distinct line) from spend500_rejects)
        from spend500_file_rejects
        """
    ).fetchall()
    rows_in = rows_read + unsplit
    if rejected > rows_in * MAX_REJECTED_SHARE:
        shown = first_value if len(str(first_value)) <= 80 else str(first_value)[:77] + "..."
        more = f"; {rejected - 1:,} more of {rows_in:,} rows refused" if rejected > 1 else ""
        raise SourceError(
            SOURCE_ID,
            name,
            f"{shown!r} is {first_reason}{more} (a file is refused when more than "
            f"{MAX_REJECTED_SHARE:.0%} of its rows are)",
            row=first_row,
            column=first_column,
        )

    relation = con.sql(
        f"""
        select
            {_literal(layout.council_code)} as council_code,
            {_literal(layout.council_name)} as council_name,
            {_literal(layout.name)} as layout,
            {_literal(layout.kind)} as payment_kind,
            {payment_date} as payment_date,
            nullif(trim({col["service"]}), '') as service,
            nullif(trim({col["expense_code"]}), '') as expense_code,
            nullif(trim({col["expense_type"]}), '') as expense_type,
            nullif(trim({col["reference"]}), '') as reference,
            nullif(trim({col["supplier_id"]}), '') as supplier_id,
            nullif(trim({col["supplier_name"]}), '') as supplier_name,
            case when {is_redacted} then null else {_normalised_supplier(col["supplier_name"])} end
                as supplier_name_normalised,
            {is_redacted} as is_redacted,
            {_money(col["net_amount_gbp"])} as net_amount_gbp,
            {_money(col["gross_amount_gbp"])} as gross_amount_gbp,
            {_money(col["vat_gbp"])} as vat_gbp,
            {_literal(name)} as _source_file,
            _source_row
        from spend500_text
        {"where _source_row not in (select source_row from spend500_file_rejects)" if rejected else ""}
        """
    )
    return Read(relation, rows_in, rejected)


# ---- incremental loads ------------------------------------------------------------------------------

TABLE = "raw.spend500"
FILES_TABLE = "raw.spend500_files"
REJECTS_TABLE = "raw.spend500_rejects"


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
    con: duckdb.DuckDBPyConnection, files: list[SpendFile | Path], workdir: Path | None = None
) -> list[FileLoad]:
    """Load only new or changed files into raw.spend500, one transaction per file.

    A file is known by its name; raw.spend500_files records the sha256 it was loaded from. An
    unchanged file is not read at all (its hash is the only cost); a changed one replaces its own
    rows and rejects. Every row read is either loaded or quarantined: rows in = loaded + rejected."""
    ensure_tables(con)
    known = dict(con.execute(f"select file, sha256 from {FILES_TABLE}").fetchall())
    outcomes = []
    for n, item in enumerate(files, start=1):
        f = item if isinstance(item, SpendFile) else SpendFile(item.name, item)
        digest = f.sha256 or sha256_file(f.path)
        if known.get(f.name) == digest:
            outcomes.append(FileLoad(f.name, digest, None, 0, 0, "unchanged"))
            continue
        got = read(con, f.path, workdir, name=f.name)  # raises SourceError before anything is written
        con.execute("begin transaction")
        try:
            for table in (TABLE, REJECTS_TABLE):
                con.execute(f"delete from {table} where _source_file = ?", [f.name])
            con.execute(f"insert into {TABLE} select *, {_literal(digest)} from ({got.relation.sql_query()})")
            con.execute(
                f"insert into {REJECTS_TABLE} select {_literal(f.name)}, {_literal(digest)}, source_row, "
                "column_name, value, reason from spend500_file_rejects order by source_row"
            )
            ((count, layout),) = con.execute(
                f"select count(*), any_value(layout) from {TABLE} where _source_file = ?", [f.name]
            ).fetchall()
            if count + got.rejected != got.rows_in:
                raise SourceError(
                    SOURCE_ID, f.name, f"{got.rows_in:,} rows read but {count:,} loaded and {got.rejected:,} refused"
                )
            con.execute(
                f"insert or replace into {FILES_TABLE} values (?, ?, ?, ?, ?, ?, now())",
                [f.name, digest, layout, got.rows_in, count, got.rejected],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        if got.rejected:
            log.warning(
                "%s: %s: %d of %d rows refused (see %s)", SOURCE_ID, f.name, got.rejected, got.rows_in, REJECTS_TABLE
            )
        log.info("%s: %s (%d of %d): %s rows as %s", SOURCE_ID, f.name, n, len(files), f"{count:,}", layout)
        action = "replaced" if f.name in known else "loaded"
        outcomes.append(FileLoad(f.name, digest, layout, count, got.rejected, action))
    return outcomes
