"""Reading spending files through DuckDB: one scan per batch of files of one layout, with explicit
columns and types (no sniffing, no row-by-row Python); rows that do not split or whose date or
amount does not parse are quarantined with their file, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.db import insert_rows
from core.errors import SourceError
from ingest.sources.spend500.layouts import ID, MONEY, OPTIONAL, REQUIRED, Header, Layout, as_utf8, match_layout

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
    "period_month": "DATE",
    "service": "VARCHAR",
    "directorate": "VARCHAR",
    "expense_code": "VARCHAR",
    "expense_type": "VARCHAR",
    "reference": "VARCHAR",
    "supplier_id": "VARCHAR",
    "supplier_name": "VARCHAR",
    "is_redacted": "BOOLEAN",
    "net_amount_gbp": "DECIMAL(18,2)",
    "gross_amount_gbp": "DECIMAL(18,2)",
    "vat_gbp": "DECIMAL(18,2)",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
}


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _money(expr: str) -> str:
    """Pounds as published: thousands separators and £ dropped, (1,234.56) is -1234.56."""
    cleaned = f"regexp_replace(regexp_replace(trim({expr}), '[£, ]', '', 'g'), '^\\((.*)\\)$', '-\\1')"
    return f"try_cast(nullif({cleaned}, '') as decimal(18, 2))"


@dataclass(frozen=True)
class FileRead:
    """What reading one file found: rows in, rows refused, and the first refused row."""

    name: str
    rows_in: int  # data rows in the file
    rejected: int  # rows quarantined (temp table spend500_file_rejects)
    first_row: int | None = None
    first_column: str | None = None
    first_value: str | None = None
    first_reason: str | None = None
    skipped: int = 0  # records that are not payments: blank, control (e.g. Agresso's) or total records
    total_record_gbp: object = None  # the amount of the file's grand-total record(s), never loaded as a payment

    @property
    def refused(self) -> bool:
        """More than MAX_REJECTED_SHARE of the rows are bad: the layout has likely changed."""
        return self.rejected > self.rows_in * MAX_REJECTED_SHARE

    def error(self) -> SourceError:
        value = str(self.first_value)
        shown = value if len(value) <= 80 else value[:77] + "..."
        more = f"; {self.rejected - 1:,} more of {self.rows_in:,} rows refused" if self.rejected > 1 else ""
        return SourceError(
            ID,
            self.name,
            f"{shown!r} is {self.first_reason}{more} (a file is refused when more than "
            f"{MAX_REJECTED_SHARE:.0%} of its rows are)",
            row=self.first_row,
            column=self.first_column,
        )


@dataclass(frozen=True)
class Read:
    """One file read: the typed rows to load, and what was refused (kept, never dropped silently)."""

    relation: duckdb.DuckDBPyRelation  # COLUMNS, rejected rows left out
    rows_in: int  # data rows in the file
    rejected: int  # rows quarantined (in temp table spend500_file_rejects: row, column, value, reason)


def read(con: duckdb.DuckDBPyConnection, path: Path, workdir: Path | None = None, *, name: str | None = None) -> Read:
    """Read one file (see read_batch); raise SourceError when it is refused."""
    name = name or path.name
    layout, header, _ = match_layout(path, name)
    (found,) = read_batch(con, [(name, path)], layout, header, workdir)
    if found.refused:
        raise found.error()
    return Read(batch_rows(con, [name]), found.rows_in, found.rejected)


def read_batch(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str, Path]] | list[tuple[str, Path, str]],
    layout: Layout,
    header: Header,
    workdir: Path | None = None,
) -> list[FileRead]:
    """Read files of one layout and header in one DuckDB scan into temp table spend500_typed.

    ``files`` are (published name, path[, sha256]); the name is used in messages and lineage. Rows
    carry _source_file and _source_row (the line in the file). A row DuckDB cannot split into the
    layout's columns, or whose date or amount does not parse, is quarantined in temp table
    spend500_file_rejects (file, row, column, value, reason). Returns each file's counts; the
    caller decides what to load (``batch_rows``). cp1252 files are transcoded to UTF-8 copies under
    ``workdir`` (default: the system temp dir), removed once read."""
    mapped = layout.resolve(header.names) or {}
    col = {c: (ident(mapped[c]) if c in mapped else "null") for c in (*REQUIRED, *OPTIONAL, "row_key")}
    _scan(con, files, layout, header, mapped, col, workdir)
    _number_rows(con, header, col)
    # the values that must parse: (published column, our column, reason when it does not)
    checks = [(mapped["payment_date"], "payment_date", f"not a date in the layout's format {layout.date_format}")]
    checks += [(mapped[m], m, "not an amount in pounds") for m in MONEY if m in mapped]
    refused = _quarantine(con, checks)
    _typed_view(con, layout, col, refused)
    return _file_counts(con)


def _scan(con, files, layout: Layout, header: Header, mapped: dict, col: dict, workdir: Path | None) -> None:
    """Split the files by DuckDB (explicit columns, rejects table) into temp table spend500_text,
    in parallel, with the dates and amounts parsed once (a value that does not parse is NULL)."""
    types = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header.names) + "}"
    new_line = literal(header.newline.replace("\r", "\\r").replace("\n", "\\n"))
    formats = "[" + ", ".join(literal(f) for f in layout.date_formats) + "]"
    payment_date = f"cast(try_strptime(trim({col['payment_date']}), {formats}) as date)"
    con.execute("drop table if exists spend500_rejects; drop table if exists spend500_scans")
    with as_utf8([f[1] for f in files], layout.encoding, workdir, [f[0] for f in files]) as readable:
        con.execute(
            "create or replace temp table spend500_batch (path VARCHAR, name VARCHAR, sha256 VARCHAR, position INTEGER)"
        )
        insert_rows(
            con,
            "insert into spend500_batch",
            [
                [str(r), f[0], f[2] if len(f) > 2 else None, i]
                for i, (r, f) in enumerate(zip(readable, files, strict=True))
            ],
            row="(?, ?, ?, ?)",
        )
        paths = "[" + ", ".join(literal(str(r)) for r in readable) + "]"
        used = ", ".join(ident(c) for c in dict.fromkeys(mapped.values()))  # only the columns we keep
        parsed = {"payment_date": payment_date, **{m: _money(col[m]) for m in MONEY}}
        used += "".join(f", {expr} as _parsed_{ours}" for ours, expr in parsed.items())
        # Rows keep the files' order (DuckDB preserves insertion order), so a row's rowid is its
        # position in the scan, and its line in its file is that less the rows of the files before it.
        # A row carries its file as DuckDB's file_index (its position in the list: an integer, not
        # the path repeated on every row)
        con.execute(
            f"""
            create or replace temp table spend500_text as
            select {used}, file_index as _file from read_csv({paths}, header = false, skip = {header.records},
                new_line = {new_line},
                auto_detect = false, columns = {types},
                delim = ',', quote = '"', escape = '"', encoding = 'utf-8',
                store_rejects = true, rejects_table = 'spend500_rejects', rejects_scan = 'spend500_scans')
            """
        )


def _number_rows(con, header: Header, col: dict) -> None:
    """Each row's line in its file (view spend500_numbered): its position in the scan less the rows
    of the files before it, plus the lines DuckDB could not split above it in the same file; and
    what kind of record it is (_record_kind): a payment ('data'), or a record that is not one:
    'blank', 'total' (no row key but an amount: a grand total, never summed) or 'control'."""
    con.execute(
        """
        create or replace temp table spend500_offsets as
        with counts as (select _file, min(rowid) as first_rowid, count(*) as rows_read
                        from spend500_text group by 1),
        unsplit as (select s.file_path as _path, count(distinct r.line) as unsplit
                    from spend500_rejects r join spend500_scans s using (scan_id, file_id) group by 1)
        select b.path as _path, b.name as _source_file, b.sha256 as _source_file_sha256, b.position,
            coalesce(c.first_rowid, 0) as first_rowid, coalesce(c.rows_read, 0) as rows_read,
            coalesce(u.unsplit, 0) as unsplit
        from spend500_batch b left join counts c on c._file = b.position left join unsplit u on u._path = b.path
        """
    )
    ((unsplit,),) = con.execute("select count(*) from spend500_rejects").fetchall()
    shift = ""
    if unsplit:
        con.execute(
            """
            create or replace temp table spend500_shifts as
            select b.position as _file, r.line - row_number() over (partition by s.file_path order by r.line) + 1
                as shifts_from
            from (select distinct scan_id, file_id, line from spend500_rejects) r
            join spend500_scans s using (scan_id, file_id) join spend500_batch b on b.path = s.file_path
            """
        )
        shift = (
            " + (select count(*) from spend500_shifts x where x._file = t._file "
            f"and x.shifts_from <= t.rowid - o.first_rowid + {header.last_line + 1})"
        )
    con.execute(
        f"""
        create or replace temp view spend500_numbered as
        select t.*, o._source_file, o._source_file_sha256,
            t.rowid - o.first_rowid + {header.last_line + 1}{shift} as _source_row,
            {_record_kind(col)} as _record_kind
        from spend500_text t join spend500_offsets o on o.position = t._file
        """
    )


def _record_kind(col: dict) -> str:
    """'data' when the layout's row key is non-blank (every record, when it declares none)."""
    if col["row_key"] == "null":
        return "'data'"
    used = [c for c in col.values() if c != "null"]
    blank = " and ".join(f"nullif(trim({c}), '') is null" for c in dict.fromkeys(used))
    return (
        f"case when nullif(trim({col['row_key']}), '') is not null then 'data' when {blank} then 'blank' "
        "when _parsed_net_amount_gbp is not null then 'total' else 'control' end"
    )


def _quarantine(con, checks: list[tuple[str, str, str]]) -> int:
    """Refused rows into temp table spend500_file_rejects: lines DuckDB could not split, and values
    present that do not parse (a scan of the checked columns only). Returns how many."""
    unparsed = " union all ".join(
        f"select _source_file, _source_row, {literal(published)}, {ident(published)}, {literal(reason)} "
        f"from spend500_numbered where _record_kind = 'data' and nullif(trim({ident(published)}), '') is not null "
        f"and _parsed_{ours} is null"
        for published, ours, reason in checks
    )
    con.execute(
        f"""
        create or replace temp table spend500_file_rejects as
        select * from (
            select o._source_file, r.line as source_row, r.column_name, r.csv_line as value,
                'malformed row (' || r.error_type || ': ' || split_part(r.error_message, chr(10), 1) || ')' as reason
            from spend500_rejects r join spend500_scans s using (scan_id, file_id)
            join spend500_offsets o on o._path = s.file_path
            union all
            select * from ({unparsed})
        )
        qualify row_number() over (partition by _source_file, source_row order by column_name nulls first) = 1
        """
    )
    ((refused,),) = con.execute("select count(*) from spend500_file_rejects").fetchall()
    return refused


def _typed_view(con, layout: Layout, col: dict, refused: int) -> None:
    """The typed rows, refused ones left out (view spend500_typed, evaluated once by the insert
    that loads it). Supplier names are kept as published (the warehouse normalises them: dbt macro
    normalised_supplier_name); a withheld payee is marked is_redacted by the layout's markers."""
    redacted = ", ".join(literal(r.upper()) for r in layout.redacted) or "''"
    is_redacted = f"upper(trim({col['supplier_name']})) in ({redacted})"
    if layout.redacted_pattern:
        is_redacted += f" or regexp_matches({col['supplier_name']}, {literal(layout.redacted_pattern)}, 'i')"
    is_redacted = f"coalesce({is_redacted}, false)"
    keep = "where t._record_kind = 'data'"
    if refused:
        keep += (
            " and not exists (select 1 from spend500_file_rejects r "
            "where r._source_file = t._source_file and r.source_row = t._source_row)"
        )
    ledger = col["ledger_period"]
    # yyyypp -> the first day of period pp of the financial year starting in April of yyyy
    ledger_month = (
        f"cast(make_date(cast(left(trim({ledger}), 4) as int), 4, 1) "
        f"+ to_months(cast(right(trim({ledger}), 2) as int) - 1) as date)"
        if ledger != "null"
        else "null"
    )
    kind = (
        f"case when nullif(trim({col['card_flag']}), '') is not null then 'card' else {literal(layout.kind)} end"
        if col["card_flag"] != "null"
        else literal(layout.kind)
    )
    supplier = col["supplier_name"]
    con.execute(
        f"""
        create or replace temp view spend500_typed as
        select
            {literal(layout.council_code)} as council_code,
            {literal(layout.council_name)} as council_name,
            {literal(layout.name)} as layout,
            {kind} as payment_kind,
            _parsed_payment_date as payment_date,
            coalesce(try_cast({ledger_month} as date), cast(date_trunc('month', _parsed_payment_date) as date))
                as period_month,
            nullif(trim({col["service"]}), '') as service,
            nullif(trim({col["directorate"]}), '') as directorate,
            nullif(trim({col["expense_code"]}), '') as expense_code,
            nullif(trim({col["expense_type"]}), '') as expense_type,
            nullif(trim({col["reference"]}), '') as reference,
            nullif(trim({col["supplier_id"]}), '') as supplier_id,
            nullif(trim({supplier}), '') as supplier_name,
            {is_redacted} as is_redacted,
            _parsed_net_amount_gbp as net_amount_gbp,
            _parsed_gross_amount_gbp as gross_amount_gbp,
            _parsed_vat_gbp as vat_gbp,
            t._source_file,
            t._source_row,
            t._source_file_sha256
        from spend500_numbered t
        {keep}
        """
    )


def _file_counts(con) -> list[FileRead]:
    """Each file of the batch, in order: rows in, rows refused and the first refused row."""
    found = con.execute(
        """
        with refused as (
            select _source_file, count(*) as rejected, arg_min(source_row, source_row) as first_row,
                arg_min(column_name, source_row) as first_column, arg_min(value, source_row) as first_value,
                arg_min(reason, source_row) as first_reason
            from spend500_file_rejects group by 1
        )
        , kinds as (
            select _source_file, count(*) filter (where _record_kind <> 'data') as skipped,
                sum(_parsed_net_amount_gbp) filter (where _record_kind = 'total') as total_record_gbp
            from spend500_numbered group by 1
        )
        select o._source_file, o.rows_read + o.unsplit - coalesce(k.skipped, 0), coalesce(r.rejected, 0), r.first_row,
            r.first_column, r.first_value, r.first_reason, coalesce(k.skipped, 0), k.total_record_gbp
        from spend500_offsets o left join refused r using (_source_file) left join kinds k using (_source_file)
        order by o.position
        """
    ).fetchall()
    return [FileRead(*row) for row in found]


def batch_rows(con: duckdb.DuckDBPyConnection, names: list[str], *, with_sha: bool = False) -> duckdb.DuckDBPyRelation:
    """The typed rows of these files of the last batch read, refused rows left out."""
    columns = [*COLUMNS, "_source_file_sha256"] if with_sha else list(COLUMNS)
    listed = "[" + ", ".join(literal(n) for n in names) + "]"
    return con.sql(f"select {', '.join(columns)} from spend500_typed where list_contains({listed}, _source_file)")
