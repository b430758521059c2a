"""Read a publisher's sheet into a grid of text cells, whatever the container.

Publishers change container over the years (CSV, XLSX, ODS) while keeping the sheet layout, so
parsers work on a ``Grid``: rows of cell text, exactly as a person sees them in a spreadsheet.
Numbers from XLSX/ODS cells become plain text (``12345``, ``-0.5``); CSV cells keep the
publisher's text (``12,345``); ``parse_number`` reads both.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from core.errors import SourceError, column_letter

# Symbols statisticians use for a value that is not a number. Kept as published in raw tables.
NOT_AVAILABLE_SYMBOLS = frozenset(
    {"[x]", "x", "[c]", "c", "[z]", "z", "[u]", "[n]", "..", "...", "\u2026", ":", "-", "\u2013", "n/a", "N/A"}
)
# MHCLG's "[n]": no estimate (England and class rows). "[note 3]" in place of a figure: the
# publisher withholds it and says why in its notes (RO3 2024-25: validation queries outstanding).
_NOTE_IN_PLACE = re.compile(r"^\[note \d+\]$", re.IGNORECASE)

# Words some sheets print in place of a figure (RA 2023-24: a line no longer collected).
NOT_AVAILABLE_PHRASES = frozenset({"category discontinued", "not applicable", "not available"})

_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Grid:
    """A sheet as rows of text. Row and column numbers in messages are 1-based / letters."""

    source_id: str
    file: str
    rows: list[list[str]]
    encoding: str | None = None
    sheet: str | None = None
    # the row ledger (0-based rows): read as data by iter_rows, loaded (a record cites it), skipped
    walked: set[int] = field(default_factory=set, compare=False, repr=False)
    loaded: set[int] = field(default_factory=set, compare=False, repr=False)
    skipped: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        ledger = _LEDGER.get()
        if ledger is not None:
            ledger.grids.append(self)

    @property
    def where(self) -> str:
        return self.file if not self.sheet else f"{self.file} (sheet {self.sheet!r})"

    def cell(self, row: int, col: int) -> str:
        """0-based access that returns '' outside the ragged edge."""
        r = self.rows[row]
        return r[col] if col < len(r) else ""

    def error(self, detail: str, *, row: int | None = None, col: int | None = None) -> SourceError:
        """An error at a 0-based (row, col), reported 1-based with a column letter."""
        return SourceError(
            self.source_id,
            self.where,
            detail,
            row=None if row is None else row + 1,
            column=None if col is None else column_letter(col),
        )

    def find_row(self, predicate: Callable[[list[str]], bool], *, start: int = 0, what: str = "row") -> int:
        """Index of the first row at or after ``start`` for which ``predicate`` holds."""
        for i in range(start, len(self.rows)):
            if predicate(self.rows[i]):
                return i
        raise self.error(f"could not find the {what}")

    def iter_rows(self, start: int, stop: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """The data rows from ``start``: each one read must end loaded (``lineage``) or ``skip``-ped."""
        stop = len(self.rows) if stop is None else stop
        for i in range(start, stop):
            self.walked.add(i)
            yield i, self.rows[i]

    def walk(self, row: int) -> None:
        """Count a data row read outside ``iter_rows`` (a parser that streams a large file keeps
        its row ledger on a Grid with no rows)."""
        self.walked.add(row)

    def lineage(self, row: int, col: int | None = None) -> dict[str, object]:
        """A record's ``_source_row`` (and ``_source_column``): the row counts as loaded."""
        self.loaded.add(row)
        cited: dict[str, object] = {"_source_row": row + 1}
        if col is not None:
            cited["_source_column"] = column_letter(col)
        return cited

    def skip(self, row: int, reason: str) -> None:
        """A data row deliberately not loaded, and why ('blank', 'England total', ...)."""
        self.skipped.setdefault(row, reason)


@dataclass
class RowCount:
    """What became of a file's data rows: rows in = loaded + skipped (by reason)."""

    rows_in: int = 0
    loaded: int = 0
    skipped: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        why = ", ".join(f"{reason} {n:,}" for reason, n in self.skipped.most_common())
        return f"{self.rows_in:,} rows in: {self.loaded:,} loaded" + (
            f", {sum(self.skipped.values()):,} skipped ({why})" if self.skipped else ""
        )


@dataclass
class RowLedger:
    grids: list[Grid] = field(default_factory=list)

    def count(self, source_id: str, file: str) -> RowCount:
        """Every data row read is loaded or skipped with a reason, never both, never neither."""
        total = RowCount()
        for grid in self.grids:
            lost = sorted(grid.walked - grid.loaded - set(grid.skipped))
            unread = sorted(grid.loaded - grid.walked)
            twice = sorted(grid.loaded & set(grid.skipped))
            for rows, what in (
                (lost, "read but neither loaded nor skipped with a reason"),
                (unread, "loaded without being read as a data row"),
                (twice, "both loaded and skipped"),
            ):
                if rows:
                    raise SourceError(
                        source_id, grid.where, f"{len(rows)} rows {what} (the parser's row ledger)", row=rows[0] + 1
                    )
            total.rows_in += len(grid.walked)
            total.loaded += len(grid.loaded)
            total.skipped.update(grid.skipped.values())
        return total


_LEDGER: ContextVar[RowLedger | None] = ContextVar("row_ledger", default=None)


@contextmanager
def row_ledger() -> Iterator[RowLedger]:
    """Collect the grids read in this block, to account for their rows afterwards."""
    ledger = RowLedger()
    token = _LEDGER.set(ledger)
    try:
        yield ledger
    finally:
        _LEDGER.reset(token)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), else the likelier of CP1252 / Mac Roman.

    Government CSV exports are usually UTF-8 with a BOM, but some are written by desktop tools in
    a legacy code page. Both legacy code pages decode any byte string, so pick by plausibility:
    typographic punctuation (dashes, quotes, ellipsis, pound sign) is likely in these files,
    accented capitals next to lower-case letters are not.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark (Excel's "Unicode text")
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[int, str, str] | None = None
    for encoding in ("cp1252", "mac_roman"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is None:
        raise UnicodeDecodeError("text", data, 0, len(data), "not UTF-8, CP1252 or Mac Roman")
    return best[1], best[2]


_LIKELY = set("\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00a3\u20ac\u00e9")
_UNLIKELY_BETWEEN_LETTERS = re.compile(r"[a-z0-9][\u00c0-\u00de][a-z0-9]")


def _plausibility(text: str) -> int:
    likely = sum(1 for ch in text if ch in _LIKELY)
    unlikely = len(_UNLIKELY_BETWEEN_LETTERS.findall(text))
    unlikely += sum(1 for ch in text if ch in "\u00c9\u00d0\u00d5")
    return likely - 2 * unlikely


def read_grid(
    data: bytes,
    *,
    source_id: str,
    file: str,
    sheet: SheetChoice = None,
) -> Grid:
    """Read CSV, XLSX or ODS bytes into a Grid; ``sheet`` picks a worksheet (ignored for CSV).
    A gzipped CSV (``.csv.gz``) is read as the CSV inside it."""
    data = gunzip(data, source_id=source_id, file=file)
    if _container(data, file) == "csv":
        return _read_csv(data, source_id=source_id, file=file)
    with _workbook(data, source_id=source_id, file=file) as (names, load):
        return _choose(names, sheet, load, source_id, file)


def read_workbook(data: bytes, *, source_id: str, file: str) -> list[Grid]:
    """Every worksheet of an XLSX/ODS workbook, in order (a CSV is a workbook of one sheet)."""
    data = gunzip(data, source_id=source_id, file=file)
    if _container(data, file) == "csv":
        return [_read_csv(data, source_id=source_id, file=file)]
    with _workbook(data, source_id=source_id, file=file) as (names, load):
        return [load(name) for name in names]


def _read_csv(data: bytes, *, source_id: str, file: str) -> Grid:
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError as exc:
        raise SourceError(source_id, file, f"cannot decode the text: {exc.reason}") from exc
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise SourceError(source_id, file, "a NUL byte: not a text file (binary, or UTF-16 without a BOM)", row=row)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for r in reader:
            rows.append(list(r))
    except csv.Error as exc:  # an unterminated quote, text after a closing quote, a field over the limit
        raise SourceError(
            source_id, file, f"not valid CSV ({exc}); near line {reader.line_num} of the file", row=len(rows) + 1
        ) from exc
    _refuse_ragged_rows(rows, source_id, file)
    return Grid(source_id, file, _trim(rows), encoding=encoding)


def _refuse_ragged_rows(rows: list[list[str]], source_id: str, file: str) -> None:
    """Every row of a CSV table has the same number of fields. Between the first and the last row of
    the file's usual width, a row with fewer fields (a field lost: a missing delimiter, a truncated
    line) or with more non-empty fields (an unquoted comma) is refused, naming the row. Before and
    after them, title and footnote lines may be short, but hold at most one value."""
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    if not widths:
        return
    width = max(set(widths), key=widths.count)
    full = [i for i, r in enumerate(rows) if len(r) == width]
    first, last = full[0], full[-1]
    for i, r in enumerate(rows):
        filled = [c for c in r if c.strip()]
        if not filled or len(r) == width:
            continue
        if len(r) > width and not any(c.strip() for c in r[width:]):
            continue  # padding only
        if (i < first or i > last) and len(r) < width and len(filled) <= 1:
            continue  # a title or footnote line
        problem = "fewer" if len(r) < width else "more"
        raise SourceError(
            source_id,
            file,
            f"a ragged row: {len(r)} fields where the file's rows have {width} ({problem} fields: a lost or "
            "extra delimiter, an unquoted comma, or a truncated line)",
            row=i + 1,
        )


def _container(data: bytes, file: str) -> str:
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "csv"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names:
            return "ods"
    return "csv"


SheetChoice = str | re.Pattern[str] | Callable[["Grid"], bool] | None


def _choose(names: Sequence[str], sheet: SheetChoice, load: Callable[[str], Grid], source_id: str, file: str) -> Grid:
    """Pick a worksheet by exact name, by name pattern, or by content (a predicate on its Grid)."""
    if sheet is None:
        if len(names) == 1:
            return load(names[0])
        raise SourceError(source_id, file, f"several worksheets ({', '.join(names)}); say which to read")
    if callable(sheet) and not isinstance(sheet, re.Pattern):
        for name in names:
            grid = load(name)
            if sheet(grid):
                return grid
        raise SourceError(source_id, file, f"no worksheet holds the expected table; found: {', '.join(names)}")
    for name in names:
        if (isinstance(sheet, str) and name == sheet) or (isinstance(sheet, re.Pattern) and sheet.search(name)):
            return load(name)
    wanted = sheet if isinstance(sheet, str) else sheet.pattern
    raise SourceError(source_id, file, f"no worksheet matches {wanted!r}; found: {', '.join(names)}")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


# Limits on a workbook (a ZIP archive) before any of it is parsed: real publications are far inside.
MAX_ARCHIVE_MEMBERS = 10_000
MAX_UNCOMPRESSED_BYTES = 1 << 30  # 1 GiB in all
MAX_COMPRESSION_RATIO = 200  # a member expanding more than this (beyond 1 MiB) is a ZIP bomb
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_archive(data: bytes, *, source_id: str, file: str) -> None:
    """Refuse a workbook archive that could hurt the machine reading it: a member path that
    escapes the archive (``../``, absolute), a ZIP bomb (too many members, too large expanded, or
    an extreme compression ratio), or XML that declares a DTD or entities (entity expansion
    "billion laughs", external entities reading local files). Office and ODF files never need a DTD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise SourceError(
                    source_id, file, f"archive holds {len(members):,} members (limit {MAX_ARCHIVE_MEMBERS:,})"
                )
            total = 0
            for m in members:
                parts = m.filename.replace("\\", "/").split("/")
                if m.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", m.filename):
                    raise SourceError(
                        source_id, file, f"archive member {m.filename!r} escapes the archive (path traversal)"
                    )
                total += m.file_size
                if m.file_size > (1 << 20) and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
                    raise SourceError(
                        source_id,
                        file,
                        f"archive member {m.filename!r} expands {m.file_size / max(m.compress_size, 1):,.0f} times "
                        f"({m.compress_size:,} to {m.file_size:,} bytes): refused as a ZIP bomb",
                    )
            if total > MAX_UNCOMPRESSED_BYTES:
                raise SourceError(
                    source_id, file, f"archive expands to {total:,} bytes (limit {MAX_UNCOMPRESSED_BYTES:,})"
                )
            for m in members:
                if m.filename.lower().endswith((".xml", ".rels")):
                    with zf.open(m) as fh:
                        prolog = fh.read(4096)  # a DTD can only come before the root element
                    if _DTD.search(prolog):
                        raise SourceError(
                            source_id, file, f"archive member {m.filename!r} declares a DTD or entities: refused"
                        )
    except zipfile.BadZipFile as exc:
        raise SourceError(source_id, file, f"not a readable workbook archive: {exc}") from exc


def gunzip(data: bytes, *, source_id: str, file: str) -> bytes:
    """The bytes inside a gzip file (unchanged if ``data`` is not gzipped), refusing a gzip bomb:
    more than MAX_UNCOMPRESSED_BYTES, or beyond 1 MiB a ratio over MAX_COMPRESSION_RATIO."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    limit = min(MAX_UNCOMPRESSED_BYTES, max(1 << 20, MAX_COMPRESSION_RATIO * len(data)))
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while chunk := fh.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    raise SourceError(
                        source_id, file, f"gzip expands beyond {limit:,} bytes from {len(data):,}: refused as a bomb"
                    )
    except (OSError, EOFError) as exc:
        raise SourceError(source_id, file, f"not a readable gzip file: {exc}") from exc
    return bytes(out)


@contextmanager
def _workbook(data: bytes, *, source_id: str, file: str) -> Iterator[tuple[list[str], Callable[[str], Grid]]]:
    """The sheet names of an XLSX or ODS workbook and a loader of one sheet as a Grid."""
    check_archive(data, source_id=source_id, file=file)
    import pandas as pd

    # calamine (Rust) reads the same cells as openpyxl and odfpy (checked on every bundled workbook),
    # about 50 times faster on ODS: RO3's data sheet takes 0.5 s against odfpy's 29 s
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
    except Exception as exc:  # calamine's own errors: a damaged workbook
        raise SourceError(source_id, file, f"not a readable workbook: {exc}") from exc

    def load_sheet(name: str) -> Grid:
        try:
            frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object, keep_default_na=False)
        except Exception as exc:
            raise SourceError(source_id, file, f"sheet {name!r} is not readable: {exc}") from exc
        rows = [[_cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        return Grid(source_id, file, _trim(rows), sheet=name)

    try:
        yield list(book.sheet_names), load_sheet
    finally:
        book.close()


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Strip trailing empty cells from each row (CSV exports pad every row to the widest)."""
    out = []
    for r in rows:
        end = len(r)
        while end and not r[end - 1].strip():
            end -= 1
        out.append([c.strip() if isinstance(c, str) else _cell_text(c) for c in r[:end]])
    return out


@dataclass(frozen=True)
class Number:
    """A parsed cell: ``value`` is None when the publisher shows a symbol or nothing."""

    value: Decimal | None
    status: str  # 'published' | 'not_available' | 'blank'
    text: str


@lru_cache(maxsize=1 << 16)  # a sheet repeats its zeros and symbols: RO3 reads 200,000 cells a year
def parse_number(text: str) -> Number:
    """Read a published number: thousands separators, signs, brackets for negatives, symbols.

    Raises ValueError for text that is neither a number nor a known symbol.
    """
    t = text.strip().replace("\u00a0", "").replace("\u2212", "-")
    if not t:
        return Number(None, "blank", text)
    if t in NOT_AVAILABLE_SYMBOLS or t.lower() in NOT_AVAILABLE_PHRASES or _NOTE_IN_PLACE.match(t):
        return Number(None, "not_available", text)
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    t = t.lstrip("\u00a3")
    if not _NUMBER.match(t) or not _DIGIT.search(t):
        raise ValueError(f"{text!r} is not a number")
    try:
        value = Decimal(t.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValueError(f"{text!r} is not a number") from exc
    return Number(-value if negative else value, "published", text)


def grid_number(grid: Grid, row: int, col: int) -> Number:
    """parse_number at a grid cell, raising a SourceError that names the row and column."""
    text = grid.cell(row, col)
    try:
        return parse_number(text)
    except ValueError as exc:
        raise grid.error(str(exc), row=row, col=col) from None
