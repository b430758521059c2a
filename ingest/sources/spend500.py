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
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from ingest.errors import SourceError

SOURCE_ID = "spend500"
LAYOUTS_FILE = Path(__file__).with_name("spend500_layouts.yml")
REQUIRED = ("payment_date", "reference", "net_amount_gbp", "supplier_name")
OPTIONAL = ("service", "expense_code", "expense_type", "supplier_id", "gross_amount_gbp", "vat_gbp")
MONEY = ("net_amount_gbp", "gross_amount_gbp", "vat_gbp")
ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252"}  # declared name -> Python codec

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


def match_layout(path: Path) -> tuple[Layout, list[str], dict[str, str]]:
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
        raise SourceError(SOURCE_ID, path.name, f"header matches {what} in {LAYOUTS_FILE.name}: {header}", row=1)
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


def read(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path | None = None) -> duckdb.DuckDBPyRelation:
    """Stream one file into a temporary table of COLUMNS and return it as a relation.

    Raises SourceError (file, line, column) for a row DuckDB cannot split into the layout's
    columns, or a value that is not a date / an amount. A transcoded copy (cp1252 files) is written
    under ``workdir`` (default: the system temp dir) only while DuckDB reads it."""
    layout, header, mapped = match_layout(path)
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
    rejected = con.execute(
        "select line, column_name, error_type, error_message, count(*) over () from spend500_rejects "
        "order by line limit 1"
    ).fetchall()
    if rejected:
        line, column, kind, message, count = rejected[0]
        raise SourceError(
            SOURCE_ID,
            path.name,
            f"malformed row ({kind}: {message.splitlines()[0]})" + (f"; {count - 1} more" if count > 1 else ""),
            row=line,
            column=column,
        )

    col = {name: (_ident(mapped[name]) if name in mapped else "null") for name in REQUIRED + OPTIONAL}
    redacted = ", ".join(_literal(r.upper()) for r in layout.redacted) or "''"
    is_redacted = f"coalesce(upper(trim({col['supplier_name']})) in ({redacted}), false)"

    payment_date = f"cast(try_strptime({col['payment_date']}, {_literal(layout.date_format)}) as date)"

    # values that are present but do not parse: name the first, with its row and column (one scan)
    checks = [(mapped["payment_date"], payment_date)]
    checks += [(mapped[m], _money(col[m])) for m in MONEY if m in mapped]
    bad = [f"nullif(trim({_ident(published)}), '') is not null and {parsed} is null" for published, parsed in checks]
    firsts = ", ".join(
        f"min(_source_row) filter (where {b}), arg_min({_ident(published)}, _source_row) filter (where {b})"
        for (published, _), b in zip(checks, bad, strict=True)
    )
    (found,) = con.execute(f"select {firsts} from spend500_text").fetchall()
    for (published, _), row, value in zip(checks, found[::2], found[1::2], strict=True):
        if row is not None:
            raise SourceError(
                SOURCE_ID, path.name, f"{value!r} does not read as {published}", row=row, column=published
            )

    return con.sql(
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
            {_literal(path.name)} as _source_file,
            _source_row
        from spend500_text
        """
    )


# ---- incremental loads ------------------------------------------------------------------------------

TABLE = "raw.spend500"
FILES_TABLE = "raw.spend500_files"


@dataclass(frozen=True)
class FileLoad:
    file: str
    sha256: str
    layout: str | None
    rows: int
    action: str  # loaded (new), replaced (changed), unchanged (not read)


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path], workdir: Path | None = None) -> list[FileLoad]:
    """Load only new or changed files into raw.spend500, one transaction per file.

    A file is known by its name; raw.spend500_files records the sha256 it was loaded from. An
    unchanged file is not read at all (its hash is the only cost); a changed one replaces its own
    rows. Tables are created on first use with COLUMNS."""
    from ingest.land import sha256_file

    con.execute("create schema if not exists raw")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"create table if not exists {TABLE} ({columns}, _source_file_sha256 VARCHAR)")
    con.execute(
        f"create table if not exists {FILES_TABLE} (file VARCHAR primary key, sha256 VARCHAR, layout VARCHAR, "
        "rows BIGINT, loaded_at TIMESTAMP WITH TIME ZONE)"
    )
    known = dict(con.execute(f"select file, sha256 from {FILES_TABLE}").fetchall())
    outcomes = []
    for path in paths:
        digest = sha256_file(path)
        if known.get(path.name) == digest:
            outcomes.append(FileLoad(path.name, digest, None, 0, "unchanged"))
            continue
        relation = read(con, path, workdir)  # raises SourceError before anything is written
        con.execute("begin transaction")
        try:
            con.execute(f"delete from {TABLE} where _source_file = ?", [path.name])
            con.execute(f"insert into {TABLE} select *, {_literal(digest)} from ({relation.sql_query()})")
            ((count, layout),) = con.execute(
                f"select count(*), any_value(layout) from {TABLE} where _source_file = ?", [path.name]
            ).fetchall()
            con.execute(
                f"insert or replace into {FILES_TABLE} values (?, ?, ?, ?, now())", [path.name, digest, layout, count]
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        outcomes.append(FileLoad(path.name, digest, layout, count, "replaced" if path.name in known else "loaded"))
    return outcomes
