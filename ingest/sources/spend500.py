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
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from core.errors import ConfigError, SourceError
from core.landing import NamedFile, sha256_file
from ingest.sources import source_id

ID = source_id(__name__)  # the module's name is the source id
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
            raise ConfigError(f"{where}: columns missing {missing}, unknown {unknown}")
        if entry["encoding"] not in ENCODINGS or entry["kind"] not in ("invoice", "card"):
            raise ConfigError(f"{where}: encoding must be one of {sorted(ENCODINGS)}, kind invoice or card")
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


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _header(first_line: bytes, encoding: str) -> list[str]:
    """The header's column names: blank ones named by position (``column_7``), repeated ones
    numbered (``Amount_2``), so every column can be addressed."""
    if first_line.startswith(_UTF16_BOMS):
        text = first_line.decode("utf-16", errors="replace")
    elif first_line.startswith(b"\xef\xbb\xbf"):
        text = first_line[3:].decode("utf-8", errors="replace")
    else:
        text = first_line.decode(ENCODINGS[encoding], errors="replace")
    names: list[str] = []
    for n, cell in enumerate(next(csv.reader(io.StringIO(text.splitlines()[0] if text else "")), []), start=1):
        name = cell.strip() or f"column_{n}"
        while name in names:
            name = f"{name}_2" if not re.search(r"_\d+$", name) else re.sub(r"\d+$", lambda m: str(int(m[0]) + 1), name)
        names.append(name)
    return names


def _first_line(path: Path) -> bytes:
    """The header line's bytes (for UTF-16, up to the first encoded line break)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(_UTF16_BOMS):
        return head
    return head.split(b"\n", 1)[0] + b"\n"


def match_layout(path: Path, name: str | None = None) -> tuple[Layout, list[str], dict[str, str]]:
    """The one layout whose columns the file's header has: (layout, header, our name -> column)."""
    first_line = _first_line(path)
    matches = []
    for layout in layouts().values():
        header = _header(first_line, layout.encoding)
        resolved = layout.resolve(header)
        if resolved is not None:
            matches.append((layout, header, resolved))
    if len(matches) != 1:
        what = "no layout" if not matches else "more than one layout (" + ", ".join(m[0].name for m in matches) + ")"
        header = _header(first_line, "cp1252")
        raise SourceError(ID, name or path.name, f"header matches {what} in {LAYOUTS_FILE.name}: {header}", row=1)
    return matches[0]


@contextmanager
def _as_utf8(paths: list[Path], encoding: str, workdir: Path | None) -> Iterator[list[Path]]:
    """The files themselves when UTF-8, else UTF-8 copies transcoded in 1 MiB chunks (constant
    memory), removed again once read."""
    if encoding == "utf-8" and not any(_is_utf16(p) for p in paths):
        yield paths
        return
    with tempfile.TemporaryDirectory(prefix="spend500-", dir=workdir) as folder:
        targets = []
        for n, path in enumerate(paths):
            target = Path(folder) / f"{n}-{path.stem}.utf8{path.suffix}"
            # A council that starts saving UTF-8 keeps its layout: a file that reads as UTF-8 (with or
            # without a BOM) is UTF-8; only one that does not is read in the layout's code page.
            try:
                _transcode(path, target, "utf-16" if _is_utf16(path) else "utf-8-sig")
            except UnicodeDecodeError:
                _transcode(path, target, ENCODINGS[encoding])
            targets.append(target)
        yield targets


def _is_utf16(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) in _UTF16_BOMS


def _transcode(path: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _money(expr: str) -> str:
    """Pounds as published: thousands separators and £ dropped, (1,234.56) is -1234.56."""
    cleaned = f"regexp_replace(regexp_replace(trim({expr}), '[£, ]', '', 'g'), '^\\((.*)\\)$', '-\\1')"
    return f"try_cast(nullif({cleaned}, '') as decimal(18, 2))"


def _normalised_supplier(expr: str) -> str:
    """Upper case, each run of punctuation and spaces to one space, trimmed, LTD -> LIMITED
    (one regular expression: the costliest step of a load)."""
    cleaned = f"trim(regexp_replace(upper({expr}), '[^A-Z0-9&]+', ' ', 'g'))"
    return f"nullif(regexp_replace({cleaned}, ' LTD$', ' LIMITED'), '')"


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
    header: list[str],
    workdir: Path | None = None,
) -> list[FileRead]:
    """Read files of one layout and header in one DuckDB scan into temp table spend500_typed.

    ``files`` are (published name, path[, sha256]); the name is used in messages and lineage. Rows
    carry _source_file and _source_row (the line in the file). A row DuckDB cannot split into the
    layout's columns, or whose date or amount does not parse, is quarantined in temp table
    spend500_file_rejects (file, row, column, value, reason). Returns each file's counts; the
    caller decides what to load (``batch_rows``). cp1252 files are transcoded to UTF-8 copies under
    ``workdir`` (default: the system temp dir), removed once read."""
    mapped = layout.resolve(header) or {}
    types = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
    col = {c: (_ident(mapped[c]) if c in mapped else "null") for c in REQUIRED + OPTIONAL}
    redacted = ", ".join(_literal(r.upper()) for r in layout.redacted) or "''"
    is_redacted = f"coalesce(upper(trim({col['supplier_name']})) in ({redacted}), false)"
    payment_date = f"cast(try_strptime({col['payment_date']}, {_literal(layout.date_format)}) as date)"
    # the values that must parse: (published column, our column, reason when it does not)
    checks = [(mapped["payment_date"], "payment_date", f"not a date in the layout's format {layout.date_format}")]
    checks += [(mapped[m], m, "not an amount in pounds") for m in MONEY if m in mapped]
    con.execute("drop table if exists spend500_rejects; drop table if exists spend500_scans")
    with _as_utf8([f[1] for f in files], layout.encoding, workdir) as readable:
        con.execute(
            "create or replace temp table spend500_batch (path VARCHAR, name VARCHAR, sha256 VARCHAR, position INTEGER)"
        )
        con.executemany(
            "insert into spend500_batch values (?, ?, ?, ?)",
            [
                [str(r), f[0], f[2] if len(f) > 2 else None, i]
                for i, (r, f) in enumerate(zip(readable, files, strict=True))
            ],
        )
        paths = "[" + ", ".join(_literal(str(r)) for r in readable) + "]"
        used = ", ".join(_ident(c) for c in dict.fromkeys(mapped.values()))  # only the columns we keep
        # dates and amounts are parsed once, here, in parallel; a value that does not parse is NULL
        parsed = {"payment_date": payment_date, **{m: _money(col[m]) for m in MONEY}}
        used += "".join(f", {expr} as _parsed_{ours}" for ours, expr in parsed.items())
        # Split by DuckDB (explicit columns, rejects table) into a text table, in parallel. Rows keep
        # the files' order (DuckDB preserves insertion order), so a row's rowid is its position in
        # the scan, and its line in its file is that less the rows of the files before it.
        con.execute(
            f"""
            create or replace temp table spend500_text as
            select {used}, filename from read_csv({paths}, header = true, auto_detect = false, columns = {types},
                delim = ',', quote = '"', escape = '"', encoding = 'utf-8', filename = true,
                store_rejects = true, rejects_table = 'spend500_rejects', rejects_scan = 'spend500_scans')
            """
        )
    # each file's first row in the scan, and its lines DuckDB could not split
    con.execute(
        """
        create or replace temp table spend500_offsets as
        with counts as (select filename as _path, min(rowid) as first_rowid, count(*) as rows_read
                        from spend500_text group by 1),
        unsplit as (select s.file_path as _path, count(distinct r.line) as unsplit
                    from spend500_rejects r join spend500_scans s using (scan_id, file_id) group by 1)
        select b.path as _path, b.name as _source_file, b.sha256 as _source_file_sha256, b.position,
            coalesce(c.first_rowid, 0) as first_rowid, coalesce(c.rows_read, 0) as rows_read,
            coalesce(u.unsplit, 0) as unsplit
        from spend500_batch b left join counts c on c._path = b.path left join unsplit u on u._path = b.path
        """
    )
    # Each row's line in its file: its position in the scan less the rows of the files before it,
    # plus the lines DuckDB could not split above it in the same file.
    ((unsplit,),) = con.execute("select count(*) from spend500_rejects").fetchall()
    shift = ""
    if unsplit:
        con.execute(
            """
            create or replace temp table spend500_shifts as
            select s.file_path as _path, r.line - row_number() over (partition by s.file_path order by r.line) + 1
                as shifts_from
            from (select distinct scan_id, file_id, line from spend500_rejects) r
            join spend500_scans s using (scan_id, file_id)
            """
        )
        shift = (
            " + (select count(*) from spend500_shifts x where x._path = t.filename "
            "and x.shifts_from <= t.rowid - o.first_rowid + 2)"
        )
    con.execute(
        f"""
        create or replace temp view spend500_numbered as
        select t.*, o._source_file, o._source_file_sha256, t.rowid - o.first_rowid + 2{shift} as _source_row
        from spend500_text t join spend500_offsets o on o._path = t.filename
        """
    )
    # Refused rows: lines DuckDB could not split, and values present that do not parse (a scan of
    # the checked columns only).
    unparsed = " union all ".join(
        f"select _source_file, _source_row, {_literal(published)}, {_ident(published)}, {_literal(reason)} "
        f"from spend500_numbered where nullif(trim({_ident(published)}), '') is not null and _parsed_{ours} is null"
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
    keep = (
        "where not exists (select 1 from spend500_file_rejects r "
        "where r._source_file = t._source_file and r.source_row = t._source_row)"
        if refused
        else ""
    )
    # Supplier names repeat: each distinct name is normalised once (the costliest expression).
    supplier = col["supplier_name"]
    con.execute(
        f"""
        create or replace temp table spend500_names as
        select name, {_normalised_supplier("name")} as normalised
        from (select distinct {supplier} as name from spend500_text)
        """
    )
    # The typed rows, refused ones left out: a view, evaluated once by the insert that loads it.
    con.execute(
        f"""
        create or replace temp view spend500_typed as
        select
            {_literal(layout.council_code)} as council_code,
            {_literal(layout.council_name)} as council_name,
            {_literal(layout.name)} as layout,
            {_literal(layout.kind)} as payment_kind,
            _parsed_payment_date as payment_date,
            nullif(trim({col["service"]}), '') as service,
            nullif(trim({col["expense_code"]}), '') as expense_code,
            nullif(trim({col["expense_type"]}), '') as expense_type,
            nullif(trim({col["reference"]}), '') as reference,
            nullif(trim({col["supplier_id"]}), '') as supplier_id,
            nullif(trim({supplier}), '') as supplier_name,
            case when {is_redacted} then null else n.normalised end as supplier_name_normalised,
            {is_redacted} as is_redacted,
            _parsed_net_amount_gbp as net_amount_gbp,
            _parsed_gross_amount_gbp as gross_amount_gbp,
            _parsed_vat_gbp as vat_gbp,
            t._source_file,
            t._source_row,
            t._source_file_sha256
        from spend500_numbered t left join spend500_names n on n.name = t.{supplier}
        {keep}
        """
    )
    found = con.execute(
        """
        with refused as (
            select _source_file, count(*) as rejected, arg_min(source_row, source_row) as first_row,
                arg_min(column_name, source_row) as first_column, arg_min(value, source_row) as first_value,
                arg_min(reason, source_row) as first_reason
            from spend500_file_rejects group by 1
        )
        select o._source_file, o.rows_read + o.unsplit, coalesce(r.rejected, 0), r.first_row, r.first_column,
            r.first_value, r.first_reason
        from spend500_offsets o left join refused r using (_source_file)
        order by o.position
        """
    ).fetchall()
    return [FileRead(*row) for row in found]


def batch_rows(con: duckdb.DuckDBPyConnection, names: list[str], *, with_sha: bool = False) -> duckdb.DuckDBPyRelation:
    """The typed rows of these files of the last batch read, refused rows left out."""
    columns = [*COLUMNS, "_source_file_sha256"] if with_sha else list(COLUMNS)
    listed = "[" + ", ".join(_literal(n) for n in names) + "]"
    return con.sql(f"select {', '.join(columns)} from spend500_typed where list_contains({listed}, _source_file)")


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
    listed = "[" + ", ".join(_literal(n) for n in names) + "]"
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
