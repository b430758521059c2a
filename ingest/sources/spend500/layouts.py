"""The councils' layouts (``ingest/sources/spend500_layouts.yml``: column mapping, encoding, date
format, redaction markers), a file matched to the layout whose header it has, and the encodings
DuckDB cannot read transcoded to UTF-8 copies."""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from core.errors import ConfigError, SourceError
from ingest.sources import source_id

ID = source_id(__package__)  # the package's name is the source id


LAYOUTS_FILE = Path(__file__).parent.with_name("spend500_layouts.yml")
REQUIRED = ("payment_date", "reference", "net_amount_gbp", "supplier_name")
OPTIONAL = ("service", "expense_code", "expense_type", "supplier_id", "gross_amount_gbp", "vat_gbp")
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
def as_utf8(paths: list[Path], encoding: str, workdir: Path | None) -> Iterator[list[Path]]:
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
