"""The malformed-input corpus: every bundled snapshot, broken in the ways publishers' files break.

Each case is a real snapshot (trimmed to its first rows when large: the table's top and layout are
kept) with one defect made by a mutation. A mutation says what the pipeline must do with it:

    same     the defect is only in the container (a BOM, CRLF, UTF-16, CP1252, padding): the parser
             must read exactly the rows it reads from the clean file
    reject   a SourceError naming the source and file (and, when ``located``, the row or column);
             nothing is loaded from the file
    handled  either of the two, but never an unhandled exception (a duplicate row, an unknown code,
             another financial-year form: what the raw suites and dbt tests then judge)

Deterministic: no randomness beyond a seeded generator, so the report's figures are reproducible.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.catalogue import catalogue
from core.settings import PROJECT_DIR

SNAPSHOTS = PROJECT_DIR / "ingest" / "snapshots"
BASE_LINES = 400  # a large CSV is cut to its first lines (title rows, header and enough data)


@dataclass(frozen=True)
class Base:
    source_id: str
    period: str
    file: str
    data: bytes

    @property
    def is_csv(self) -> bool:
        return self.file.lower().endswith((".csv", ".csv.gz"))

    @property
    def is_json(self) -> bool:
        return self.file.lower().endswith(".json")


@dataclass(frozen=True)
class Case:
    id: str
    base: Base
    mutation: str
    data: bytes
    expect: str  # same | reject | handled
    located: bool = False  # a reject must name the row or column

    @property
    def file(self) -> str:
        return self.base.file


Mutation = Callable[[Base], bytes | None]  # None: does not apply to this file


def bases(trimmed: bool = True) -> list[Base]:
    """One file per source with a bundled single-file snapshot (its first partition)."""
    out = []
    for source in catalogue():
        parts = [p for p in source.partitions if p.snapshot and not p.is_file_set]
        if not parts:
            continue
        part = parts[0]
        path = SNAPSHOTS / str(part.snapshot)
        data = path.read_bytes()
        if path.name.lower().endswith(".csv.gz"):  # the CSV inside: mutations work on its text
            data = gzip.decompress(data)
        if trimmed and path.name.lower().endswith((".csv", ".csv.gz")):
            data = b"".join(data.splitlines(keepends=True)[:BASE_LINES])
        out.append(Base(source.id, part.period, path.name, data))
    return out


# ---- helpers over CSV records (cells may hold quoted commas and line breaks) -----------------------


def _text(base: Base) -> str:
    return base.data.decode("utf-8-sig")


def _rows(base: Base) -> list[list[str]]:
    return [list(r) for r in csv.reader(io.StringIO(_text(base), newline=""))]


def _record(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)  # (cells holding a line break are quoted)
    return out.getvalue()[:-2]


def _write(rows: list[list[str]], end: str = "\n") -> bytes:
    return "".join(_record(r) + end for r in rows).encode("utf-8")


def _width(rows: list[list[str]]) -> int:
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    return max(set(widths), key=widths.count)


def _data_row(rows: list[list[str]]) -> int:
    """Index of a data record in the middle of the table: the usual width, a digit, plain cells."""
    width = _width(rows)
    full = [i for i, r in enumerate(rows) if len(r) == width and any(re.search(r"\d", c) for c in r)]
    plain = [i for i in full if not any(ch in c for c in rows[i] for ch in ',"\n')]
    candidates = plain or full
    return candidates[len(candidates) // 2]


def _edit_row(base: Base, edit: Callable[[list[str]], list[str]]) -> bytes:
    rows = _rows(base)
    i = _data_row(rows)
    rows[i] = edit(rows[i])
    return _write(rows)


def _in_middle_row(base: Base, replace: Callable[[str], str]) -> bytes:
    """Edit the text of one data record as it is written in the file (to break its CSV syntax)."""
    rows = _rows(base)
    i = _data_row(rows)
    records = [_record(r) for r in rows]
    records[i] = replace(records[i])
    return ("\n".join(records) + "\n").encode("utf-8")


# ---- mutations: container only (must read the same) ---------------------------------------------


def utf8_bom(base: Base) -> bytes:
    return base.data[3:] if base.data.startswith(b"\xef\xbb\xbf") else b"\xef\xbb\xbf" + base.data


def crlf_line_ends(base: Base) -> bytes:
    return _write(_rows(base), end="\r\n")


def trailing_blank_lines(base: Base) -> bytes:
    return (_text(base).rstrip("\r\n") + "\n\n\n\n").encode("utf-8")


def utf16_with_bom(base: Base) -> bytes:
    return _text(base).encode("utf-16")


def cp1252_encoded(base: Base) -> bytes | None:
    text = _text(base)
    if not any(ord(c) > 127 for c in text):
        return None  # pure ASCII: the same bytes in CP1252
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return None


def padded_with_empty_fields(base: Base) -> bytes:
    return _write([[*r, "", ""] for r in _rows(base)])


def no_final_newline(base: Base) -> bytes:
    return _text(base).rstrip("\r\n").encode("utf-8")


# ---- mutations: must be refused -------------------------------------------------------------------


def empty_file(base: Base) -> bytes:
    return b""


def blank_lines_only(base: Base) -> bytes:
    return b"\n\n  \n\n"


def html_error_page(base: Base) -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
        b"<body><h1>Service Unavailable</h1><p>Please try again later.</p></body></html>\n"
    )


def binary_noise(base: Base) -> bytes:
    return random.Random(base.source_id).randbytes(4096)


def nul_byte_in_a_row(base: Base) -> bytes:
    return _in_middle_row(base, lambda line: line.replace(",", ",\x00", 1))


def utf16_without_bom(base: Base) -> bytes:
    return _text(base).encode("utf-16-le")


def semicolon_delimiter(base: Base) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(_rows(base))
    return out.getvalue().encode("utf-8")


def tab_delimiter(base: Base) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(_rows(base))
    return out.getvalue().encode("utf-8")


def ragged_short_row(base: Base) -> bytes:
    return _edit_row(base, lambda cells: cells[:-2] if len(cells) > 3 else cells[:1] + ["x"])


def ragged_long_row(base: Base) -> bytes:
    return _edit_row(base, lambda cells: [*cells, "unexpected", "value"])


def unterminated_quote(base: Base) -> bytes:
    return _in_middle_row(base, lambda line: '"' + line)


def text_after_closing_quote(base: Base) -> bytes:
    return _in_middle_row(base, lambda line: '"' + line.replace(",", '"x,', 1))


def huge_single_line(base: Base) -> bytes:
    return _edit_row(base, lambda cells: [cells[0], "9" * 300_000, *cells[2:]])


def truncated_mid_row(base: Base) -> bytes:
    rows = _rows(base)
    i = _data_row(rows)
    kept = rows[i][: max(2, len(rows[i]) // 2)]
    return _write(rows[:i]) + _record(kept).encode("utf-8")


def title_only(base: Base) -> bytes:
    return _write(_rows(base)[:1])


def header_cells_renamed(base: Base) -> bytes:
    """Every text cell of the records above the first data record renamed (a publisher's new labels)."""
    rows = _rows(base)
    value = re.compile(r"E\d{8}|-?\d+(\.\d+)?")  # an area code or a number: a data record
    code = re.compile(r"E\d{8}")  # (sheets with form line numbers above the header: the first area code)
    first = next((i for i, r in enumerate(rows) if any(code.fullmatch(c.strip()) for c in r)), None)
    if first is None:
        first = next((i for i, r in enumerate(rows) if any(value.fullmatch(c.strip()) for c in r)), 1)
    renamed = [[f"{c}_v2" if c.strip() and not value.fullmatch(c.strip()) else c for c in r] for r in rows[:first]]
    return _write(renamed + rows[first:])


# ---- mutations: handled (loaded or refused, never a crash) -----------------------------------------


def duplicate_row(base: Base) -> bytes:
    rows = _rows(base)
    i = _data_row(rows)
    return _write([*rows[: i + 1], rows[i], *rows[i + 1 :]])


def unknown_area_code(base: Base) -> bytes | None:
    rows = _rows(base)
    i = _data_row(rows)
    if not any(re.fullmatch(r"E\d{8}", c) for c in rows[i]):
        return None
    return _edit_row(base, lambda cells: [re.sub(r"^E\d{8}$", "E99999999", c) for c in cells])


def financial_year_slash(base: Base) -> bytes | None:
    text = _text(base)
    if not re.search(r"\b20\d\d-\d\d\b", text):
        return None
    return re.sub(r"\b(20\d\d)-(\d\d)\b", r"\1/\2", text).encode("utf-8")


def financial_year_long(base: Base) -> bytes | None:
    text = _text(base)
    if not re.search(r"\b20\d\d-\d\d\b", text):
        return None
    return re.sub(r"\b20(\d\d)-(\d\d)\b", r"20\1-20\2", text).encode("utf-8")


def negative_figures(base: Base) -> bytes:
    return _edit_row(base, lambda cells: [re.sub(r"^(\d+(\.\d+)?)$", r"-\1", c) for c in cells])


def footnote_lines(base: Base) -> bytes:
    return _write([*_rows(base), [], ["Source: the publisher's notes worksheet"], ["Note 1: figures are provisional"]])


def total_row(base: Base) -> bytes:
    rows = _rows(base)
    cells = rows[_data_row(rows)]
    return _write([*rows, ["Total", *cells[1:]]])


def pounds_not_thousands(base: Base) -> bytes | None:
    text = _text(base)
    if "£ thousand" not in text and "£000" not in text:
        return None
    return text.replace("£ thousand", "£").replace("£000", "£").encode("utf-8")


def column_dropped(base: Base) -> bytes:
    rows = _rows(base)
    k = _width(rows) // 2
    return _write([[c for j, c in enumerate(r) if j != k] for r in rows])


def column_added(base: Base) -> bytes:
    return _write([[*r, "extra"] if r else r for r in _rows(base)])


def rows_reversed(base: Base) -> bytes:
    rows = _rows(base)
    first = _data_row(rows)
    return _write(rows[:first] + list(reversed(rows[first:])))


CSV_MUTATIONS: list[tuple[Mutation, str, bool]] = [
    (utf8_bom, "same", False),
    (crlf_line_ends, "same", False),
    (trailing_blank_lines, "same", False),
    (utf16_with_bom, "same", False),
    (cp1252_encoded, "same", False),
    (padded_with_empty_fields, "same", False),
    (no_final_newline, "same", False),
    (empty_file, "reject", False),
    (blank_lines_only, "reject", False),
    (html_error_page, "reject", False),
    (binary_noise, "reject", False),
    (nul_byte_in_a_row, "reject", True),
    (utf16_without_bom, "reject", True),
    (semicolon_delimiter, "reject", False),
    (tab_delimiter, "reject", False),
    (ragged_short_row, "reject", True),
    (ragged_long_row, "reject", True),
    (unterminated_quote, "reject", True),
    (text_after_closing_quote, "reject", True),
    (huge_single_line, "reject", True),
    (truncated_mid_row, "reject", True),
    (title_only, "reject", False),
    (header_cells_renamed, "reject", False),
    (duplicate_row, "handled", False),
    (unknown_area_code, "handled", False),
    (financial_year_slash, "handled", False),
    (financial_year_long, "handled", False),
    (negative_figures, "handled", False),
    (footnote_lines, "handled", False),
    (total_row, "handled", False),
    (pounds_not_thousands, "reject", True),
    (column_dropped, "handled", False),
    (column_added, "handled", False),
    (rows_reversed, "handled", False),
]


# ---- workbooks (XLSX, ODS) ------------------------------------------------------------------------


def _rezip(data: bytes, edit: Callable[[str, bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, edit(info.filename, src.read(info.filename)))
    return out.getvalue()


def sheets_renamed(base: Base) -> bytes:
    """Every worksheet renamed (Sheet1, Sheet2, ...): parsers pick sheets by their content."""
    counter = iter(range(1, 1000))

    def edit(name: str, body: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return re.sub(rb'(<sheet [^>]*name=")[^"]*"', lambda m: m[1] + b'Sheet%d"' % next(counter), body)
        if name == "content.xml":
            return re.sub(
                rb'(<table:table [^>]*table:name=")[^"]*"', lambda m: m[1] + b'Sheet%d"' % next(counter), body
            )
        return body

    return _rezip(base.data, edit)


def truncated_archive(base: Base) -> bytes:
    return base.data[: len(base.data) // 2]


def archive_without_workbook(base: Base) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def every_cell_emptied(base: Base) -> bytes:
    def edit(name: str, body: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", body, flags=re.DOTALL)
        if name == "content.xml":
            return re.sub(rb"<table:table-row.*?</table:table-row>", b"", body, flags=re.DOTALL)
        return body

    return _rezip(base.data, edit)


def csv_bytes_named_as_workbook(base: Base) -> bytes:
    return b"a,b,c\n1,2,3\n"


SHEET_MUTATIONS: list[tuple[Mutation, str, bool]] = [
    (empty_file, "reject", False),
    (html_error_page, "reject", False),
    (binary_noise, "reject", False),
    (truncated_archive, "reject", False),
    (archive_without_workbook, "reject", False),
    (every_cell_emptied, "reject", False),
    (csv_bytes_named_as_workbook, "reject", False),
    (sheets_renamed, "handled", False),
]


# ---- JSON documents (Oflog's nearest-neighbour groups) ------------------------------------------


def _json_text(base: Base) -> str:
    return base.data.decode("utf-8-sig")


def json_crlf_line_ends(base: Base) -> bytes:
    return _json_text(base).replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def json_trailing_blank_lines(base: Base) -> bytes:
    return (_json_text(base).rstrip() + "\n\n\n").encode("utf-8")


def json_minified(base: Base) -> bytes:
    return json.dumps(json.loads(_json_text(base)), separators=(",", ":")).encode("utf-8")


def json_truncated(base: Base) -> bytes:
    text = _json_text(base)
    return text[: len(text) // 2].encode("utf-8")


def json_top_level_list(base: Base) -> bytes:
    return json.dumps(list(json.loads(_json_text(base)).items()), indent=4).encode("utf-8")


def json_member_named_not_coded(base: Base) -> bytes:
    groups = json.loads(_json_text(base))
    first = next(iter(groups))
    groups[first][1] = "Coventry"
    return json.dumps(groups, indent=4).encode("utf-8")


def json_member_repeated(base: Base) -> bytes:
    groups = json.loads(_json_text(base))
    first = next(iter(groups))
    groups[first].append(groups[first][0])
    return json.dumps(groups, indent=4).encode("utf-8")


def json_cp1252_encoded(base: Base) -> bytes:
    return (_json_text(base).rstrip()[:-1] + ',\n    "E08000025\u00a3": ["E08000026"]\n}\n').encode("cp1252")


JSON_MUTATIONS: list[tuple[Mutation, str, bool]] = [
    (utf8_bom, "same", False),
    (json_crlf_line_ends, "same", False),
    (json_trailing_blank_lines, "same", False),
    (json_minified, "handled", False),
    (json_member_repeated, "handled", False),
    (empty_file, "reject", False),
    (blank_lines_only, "reject", False),
    (html_error_page, "reject", False),
    (binary_noise, "reject", False),
    (json_truncated, "reject", True),
    (json_top_level_list, "reject", False),
    (json_member_named_not_coded, "reject", True),
    (json_cp1252_encoded, "reject", False),
]


def cases() -> list[Case]:
    out = []
    for base in bases():
        kinds = CSV_MUTATIONS if base.is_csv else JSON_MUTATIONS if base.is_json else SHEET_MUTATIONS
        for mutation, expect, located in kinds:
            data = mutation(base)
            if data is None:
                continue
            out.append(Case(f"{base.source_id}-{mutation.__name__}", base, mutation.__name__, data, expect, located))
    return out


def snapshot_path(base: Base) -> Path:
    return SNAPSHOTS / base.source_id / base.file


# ---- spending over £500: file sets loaded by DuckDB, bad rows quarantined ------------------------

SPEND_BASES = ("bradford_2019-04_clean.csv", "salford_2019-04.csv")  # Windows-1252; UTF-8 with a real bad row
SPEND_LINES = 300


def spend_bases() -> list[Base]:
    folder = SNAPSHOTS / "spend500" / "2019-20"
    out = []
    for name in SPEND_BASES:
        raw = (folder / name).read_bytes()
        out.append(Base("spend500", "2019-20", name, b"".join(raw.splitlines(keepends=True)[:SPEND_LINES])))
    return out


def _spend_text(base: Base) -> str:
    from ingest.sheets import decode_text

    return decode_text(base.data)[0]


def spend_cases() -> list[Case]:
    """The CSV mutations on real spending files. Their loader quarantines a bad row (rows in =
    loaded + quarantined) and refuses a file only when more than 1% of its rows are bad, so here
    every mutation but the container ones is 'handled'; the accounting is what is checked."""
    out = []
    for base in spend_bases():
        utf8 = Base(base.source_id, base.period, base.file, _spend_text(base).encode("utf-8"))
        for mutation, expect, _ in CSV_MUTATIONS:
            data = mutation(utf8)
            if data is None:
                continue
            stem = base.file.split("_")[0]
            out.append(
                Case(
                    f"spend500-{stem}-{mutation.__name__}",
                    base,
                    mutation.__name__,
                    data,
                    expect if expect == "same" else "handled",
                )
            )
    return out


def count_records(data: bytes) -> int | None:
    """Data records in a CSV file as Python's csv module reads it (non-blank records after the
    header), or None when it cannot read it: an independent count of the rows a file brings in."""
    from ingest.sheets import decode_text

    try:
        text = decode_text(data)[0]
        records = [
            r for r in csv.reader(io.StringIO(text.replace("\x00", ""), newline="")) if any(c.strip() for c in r)
        ]
    except (UnicodeDecodeError, csv.Error):
        return None
    return max(len(records) - 1, 0)


# ---- the combined authority's payment workbooks: a file set of XLSX, read by its own loader --------

WMCA_BASE = ("wmca_spend", "2023-24", "wmca_2023-08.xlsx")


def wmca_cases() -> list[Case]:
    """The workbook mutations on the WMCA's real August 2023 disclosure."""
    source_id, period, name = WMCA_BASE
    base = Base(source_id, period, name, (SNAPSHOTS / source_id / period / name).read_bytes())
    return [
        Case(f"{source_id}-{mutation.__name__}", base, mutation.__name__, mutation(base), expect, located)
        for mutation, expect, located in SHEET_MUTATIONS
    ]
