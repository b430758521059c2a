"""The councils' layouts (``ingest/sources/spend500_layouts.yml``: column mapping, encoding, date
formats, which records are payments, redaction markers), a file matched to the layout whose header
it has (on line 1 or below a preamble), and the encodings DuckDB cannot read transcoded to UTF-8
copies. Files may be gzipped (``.csv.gz``) as published or as held."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core import yamlfile
from core.errors import ConfigError, SourceError
from ingest.sources import source_id

ID = source_id(__package__)  # the package's name is the source id


LAYOUTS_FILE = Path(__file__).parent.with_name("spend500_layouts.yml")
REQUIRED = ("payment_date", "net_amount_gbp", "supplier_name")
OPTIONAL = (
    "reference",
    "service",
    "directorate",
    "expense_code",
    "expense_type",
    "supplier_id",
    "gross_amount_gbp",
    "vat_gbp",
    "ledger_period",  # yyyypp: the financial year starting in yyyy, period pp (1 = April)
    "card_flag",  # non-blank on a purchase-card payment in a file of invoices and cards
)
HEADER_SEARCH = 12  # records looked at for the header (preambles above it are skipped)
MONEY = ("net_amount_gbp", "gross_amount_gbp", "vat_gbp")
ENCODINGS = {"utf-8": "utf-8-sig", "cp1252": "cp1252"}  # declared name -> Python codec


@dataclass(frozen=True)
class Layout:
    name: str
    council_code: str
    council_name: str
    kind: str
    encoding: str
    columns: dict[str, tuple[str, ...]]  # our name -> the published names it has gone by
    date_formats: tuple[str, ...]  # strptime formats of payment_date, tried in turn
    redacted: tuple[str, ...]
    redacted_pattern: str | None = None  # a regular expression (case-insensitive) naming a withheld payee
    row_key: tuple[str, ...] = ()  # a record is a payment when this column is non-blank (else all are)

    @property
    def date_format(self) -> str:
        return " or ".join(self.date_formats)

    def resolve(self, header: list[str]) -> dict[str, str] | None:
        """Our name -> the file's column, or None when the header lacks one of the layout's columns.
        Names match whatever their case and spacing (``Payment  Date`` is ``Payment date``)."""
        by_key = {_key(h): h for h in header}
        found = {}
        for ours, names in {**self.columns, **({"row_key": self.row_key} if self.row_key else {})}.items():
            match = next((by_key[_key(n)] for n in names if _key(n) in by_key), None)
            if match is None:
                return None
            found[ours] = match
        return found


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@cache
def layouts(path: Path = LAYOUTS_FILE) -> dict[str, Layout]:
    """The declared layouts, checked: known column names, the required ones present."""
    raw = yamlfile.safe_load(path.read_text(encoding="utf-8"))
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
        pattern = entry.get("redacted_pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{where}: redacted_pattern {pattern!r} is not a regular expression: {exc}") from exc
        formats = entry["date_format"]
        row_key = entry.get("row_key") or ()
        found[name] = Layout(
            name=name,
            council_code=entry["council"]["code"],
            council_name=entry["council"]["name"],
            kind=entry["kind"],
            encoding=entry["encoding"],
            columns=columns,
            date_formats=tuple([formats] if isinstance(formats, str) else formats),
            redacted=tuple(entry.get("redacted") or ()),
            redacted_pattern=pattern,
            row_key=tuple([row_key] if isinstance(row_key, str) else row_key),
        )
    return found


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def open_bytes(path: Path):
    """The file's bytes, gunzipped when it is a ``.gz``."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _names(cells: list[str]) -> list[str]:
    """Column names: spacing collapsed (line breaks inside quoted headers too), blank ones named by
    position (``column_7``), repeated ones numbered (``Amount_2``), so every column can be addressed."""
    names: list[str] = []
    for n, cell in enumerate(cells, start=1):
        name = " ".join(cell.split()) or f"column_{n}"
        while name in names:
            name = f"{name}_2" if not re.search(r"_\d+$", name) else re.sub(r"\d+$", lambda m: str(int(m[0]) + 1), name)
        names.append(name)
    return names


def _head(path: Path) -> bytes:
    with open_bytes(path) as fh:
        return fh.read(1 << 16)


def _decode(head: bytes, encoding: str) -> str:
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", errors="replace")
    return head.decode(ENCODINGS[encoding], errors="replace")


@dataclass(frozen=True)
class Header:
    """A file's header record: its column names and the line it ends on (preamble lines above it
    are skipped; data starts on the next line)."""

    names: list[str]
    records: int  # records up to and including the header (skipped by the reader)
    last_line: int  # the line the header record ends on (quoted line breaks make it longer than one)
    newline: str = "\n"  # the records' line ending: "\r\n" when the file has any (then a bare "\n"
    # inside a quoted header, as Excel writes it, stays inside its cell)


def _headers(head: bytes, encoding: str) -> Iterator[Header]:
    """The first HEADER_SEARCH records of the file, each as a candidate header."""
    reader = csv.reader(io.StringIO(_decode(head, encoding), newline=""))
    newline = "\r\n" if b"\r\n" in head else "\n"
    for n in range(1, HEADER_SEARCH + 1):
        try:
            cells = next(reader)
        except (StopIteration, csv.Error):
            return
        yield Header(_names(cells), n, reader.line_num, newline)


def match_layout(path: Path, name: str | None = None) -> tuple[Layout, Header, dict[str, str]]:
    """The one layout whose columns the file's header has: (layout, header, our name -> column). The
    header is the first record (of the first HEADER_SEARCH) that some layout's columns match."""
    head = _head(path)
    # the candidate headers, parsed once per encoding the layouts declare, and only as far as needed
    # (most files' header is their first record)
    readers = {enc: _headers(head, enc) for enc in {layout.encoding for layout in layouts().values()}}
    candidates: dict[str, list[Header]] = {enc: [] for enc in readers}
    for position in range(HEADER_SEARCH):
        for enc, found in candidates.items():
            if len(found) == position:
                found.extend(itertools.islice(readers[enc], 1))
        matches = []
        for layout in layouts().values():
            found = candidates[layout.encoding]
            header = found[position] if position < len(found) else None
            if header is None:
                continue
            resolved = layout.resolve(header.names)
            if resolved is not None:
                matches.append((layout, header, resolved))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            which = ", ".join(m[0].name for m in matches)
            raise SourceError(
                ID,
                name or path.name,
                f"header matches more than one layout ({which}) in {LAYOUTS_FILE.name}",
                row=matches[0][1].last_line,
            )
    first = next(_headers(head, "cp1252"), Header([], 1, 1))
    raise SourceError(
        ID,
        name or path.name,
        f"no header in the first {HEADER_SEARCH} records matches a layout in {LAYOUTS_FILE.name}: {first.names}",
        row=1,
    )


@contextmanager
def as_utf8(
    paths: list[Path], encoding: str, workdir: Path | None, names: list[str] | None = None
) -> Iterator[list[Path]]:
    """Files DuckDB can read as UTF-8: the files themselves when they are UTF-8 (a council that
    starts saving UTF-8 keeps its layout), else UTF-8 copies transcoded in 1 MiB chunks (constant
    memory), removed again once read. A byte the layout's code page does not define is a
    SourceError naming the file (``names``: as published) and its line."""
    if encoding == "utf-8" and not any(_is_utf16(p) for p in paths):
        yield paths
        return
    with tempfile.TemporaryDirectory(prefix="spend500-", dir=workdir) as folder:
        readable = []
        for n, path in enumerate(paths):
            utf16 = _is_utf16(path)
            if not utf16 and _is_utf8(path):
                readable.append(path)  # read as it is (a BOM sits in the header record, which is skipped)
                continue
            target = Path(folder) / f"{n}-{path.name.removesuffix('.gz').removesuffix('.csv')}.utf8.csv"
            if utf16:
                _transcode(path, target, "utf-16")
            else:
                _transcode_single_byte(path, target, ENCODINGS[encoding], names[n] if names else path.name)
            readable.append(target)
        yield readable


def _is_utf16(path: Path) -> bool:
    with open_bytes(path) as fh:
        return fh.read(2) in _UTF16_BOMS


def _is_utf8(path: Path) -> bool:
    """The whole file decodes as UTF-8 (read in 1 MiB chunks; nothing is kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with open_bytes(path) as fh:
            while chunk := fh.read(1 << 20):
                if not chunk.isascii():
                    decoder.decode(chunk)
                elif decoder.getstate()[0]:  # a character split across chunks, then ASCII: not UTF-8
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode_single_byte(path: Path, target: Path, encoding: str, name: str) -> None:
    """A single-byte code page (Windows-1252) to UTF-8, chunk by chunk (a character is one byte, so
    no chunk boundary splits one)."""
    lines = 0
    with open_bytes(path) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            try:
                dst.write(chunk if chunk.isascii() else chunk.decode(encoding).encode("utf-8"))
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start : exc.start + 1]
                raise SourceError(
                    ID,
                    name,
                    f"byte 0x{bad.hex()} is neither UTF-8 nor a character of the layout's encoding ({encoding})",
                    row=lines + chunk.count(b"\n", 0, exc.start) + 1,
                ) from exc
            lines += chunk.count(b"\n")


def _transcode(path: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open_bytes(path) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(decoder.decode(chunk).encode("utf-8"))
        dst.write(decoder.decode(b"", final=True).encode("utf-8"))
