"""What MHCLG's local authority finance sheets (RA budget, RO/RSX outturn) have in common.

Each sheet holds one table per authority (rows) and data item (columns), with:

- title and note rows on top (the first says which return and year the sheet holds);
- metadata rows above the header, found by their content, not their position: asset ids
  (``eduerl``), section headings, form line numbers (``110``), item codes (``RSX-edu-empl``),
  cell references (``C1R190``), column numbers;
- (from 2024-25) the item codes in the sheet's hidden last row instead of above the header;
- a header row starting ``E-code, ONS Code, Local authority`` (sometimes with a blank-headed
  notes column among the identity columns);
- authority rows, an England row (in some years with no codes, just ``ENGLAND``), and class
  totals (``METROPOLITAN DISTRICTS``, ``[Y] E08``) which are aggregates and are skipped;
- sometimes a second table further down (a class breakdown with its own header): only the
  first table is read.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pandas as pd

from core.codes import ENGLAND_CODE
from core.errors import SourceError, column_letter
from ingest.sheets import Grid, grid_number, read_grid

log = logging.getLogger(__name__)


_IDENTITY = {
    "e-code": "e_code",
    "ons code": "ons_code",
    "local authority": "la_name",
    "class": "class",
    "subclass": "subclass",
    "detailed class": "subclass",
    "notes": "notes",
    "certified": "certified",
    "certification": "certified",  # 2024-25 on
}
IDENTITY_FIELDS = ("e_code", "ons_code", "la_name", "class", "subclass", "notes", "certified")

_ASSET_ID = re.compile(r"^[a-z][a-z0-9]*$")
_ITEM_CODE = re.compile(r"^[A-Z][A-Z0-9]*-[a-z0-9]+-[a-z0-9-]+$")
_CELL_REF = re.compile(r"^C\d+R\d+$")
_INT = re.compile(r"^\d+$")
_E_CODE = re.compile(r"^E\d{4}$")
_GSS = re.compile(r"^[EWSN]\d{8}$")
_YEAR = re.compile(r"(\d{4})-(\d{2})")


def is_header(row: list[str]) -> bool:
    cells = [c.strip().lower() for c in row[:8]]
    return "e-code" in cells and "ons code" in cells


def has_la_table(grid: Grid) -> bool:
    """Picks the data worksheet of a workbook (the others hold notes and contents)."""
    return any(is_header(r) for r in grid.rows[:60])


@dataclass(frozen=True)
class LaTable:
    grid: Grid
    title: str
    header_row: int
    identity: dict[str, int]  # field -> column index
    data_cols: tuple[int, ...]
    meta: dict[str, list[str]]  # kind -> one value per data column
    rows: tuple[tuple[int, str], ...]  # (row index, 'authority' | 'england')

    def identity_value(self, row: int, field: str) -> str:
        col = self.identity.get(field)
        return "" if col is None else self.grid.cell(row, col)


def read_la_table(grid: Grid, *, expect_title: re.Pattern[str], period: str) -> LaTable:
    """Locate the by-authority table of an MHCLG sheet and check it is for ``period``."""
    header = grid.find_row(is_header, what="header row (a row with 'E-code' and 'ONS Code')")
    title = next((r[0] for r in grid.rows[:header] if r and r[0].strip()), "")
    if not expect_title.search(title):
        raise grid.error(f"title {title!r} does not look like this publication", row=0, col=0)
    years = _YEAR.findall(title)
    if years and f"{years[0][0]}-{years[0][1]}" != period:
        raise grid.error(
            f"the sheet is for {years[0][0]}-{years[0][1]} but the catalogue loads it as {period}",
            row=0,
            col=0,
        )

    _check_unit_is_thousands(grid, header)

    head = grid.rows[header]
    identity: dict[str, int] = {}
    last_identity = -1
    for j, text in enumerate(head):
        key = re.sub(r"\s*\[.*?\]\s*$", "", text.strip().lower())
        if key in _IDENTITY and j < 10:
            identity.setdefault(_IDENTITY[key], j)
            last_identity = j
    for needed in ("e_code", "ons_code", "la_name"):
        if needed not in identity:
            raise grid.error(f"header has no {needed!r} column", row=header)
    blank_identity = [j for j in range(last_identity) if not head[j].strip()]
    if "notes" not in identity and blank_identity:
        identity["notes"] = blank_identity[-1]  # RA 2021-22: the notes column has no heading
    data_cols = tuple(j for j in range(last_identity + 1, len(head)) if head[j].strip())
    if not data_cols:
        raise grid.error("header has no data columns", row=header)

    meta = _metadata_rows(grid, range(header - 1, -1, -1), data_cols)
    if "item_code" not in meta:  # from 2024-25 the item codes sit in the sheet's hidden last row
        below = _metadata_rows(grid, range(len(grid.rows) - 1, max(header, len(grid.rows) - 4), -1), data_cols)
        if "item_code" in below:
            meta["item_code"] = below["item_code"]
    meta["title"] = [grid.cell(header, j).replace("\n", " ").strip() for j in data_cols]

    end = next((i for i in range(header + 1, len(grid.rows)) if is_header(grid.rows[i])), len(grid.rows))
    rows: list[tuple[int, str]] = []
    for i, _ in grid.iter_rows(header + 1, end):
        if not any(grid.cell(i, j).strip() for j in data_cols):
            grid.skip(i, "no figures (blank, a label or a note)")  # e.g. 'CLASS BREAKDOWN'
            continue
        if any(kind == "england" for _, kind in rows) and not any(
            grid.cell(i, identity[f]).strip() for f in ("e_code", "ons_code", "la_name")
        ):
            grid.skip(i, "unlabelled workings below the England total")  # RSX 2021-22: a check sum
            continue
        kind = _row_kind(grid, i, identity)
        if kind is None:
            grid.skip(i, "class total (a sum of authority rows)")
        else:
            rows.append((i, kind))
    if not rows:
        raise grid.error("no authority rows under the header", row=header)
    return LaTable(grid, title, header, identity, data_cols, meta, tuple(rows))


_THOUSANDS = re.compile(r"£\s*'?(thousands?|000s?)\b", re.IGNORECASE)
_OTHER_UNIT = re.compile(
    r"£\s*(millions?|m|billions?|bn)\b|\(£\)|in £(?!\s*'?(thousand|000))|in pounds|£\s*$", re.IGNORECASE
)


def _check_unit_is_thousands(grid: Grid, header: int) -> None:
    """The figures are loaded as £ thousand, so the sheet must say so above its table: a sheet in
    pounds or millions (or one that states no unit) would be loaded a thousand times out."""
    other = None
    for i in range(header + 1):
        for j, text in enumerate(grid.rows[i]):
            if _THOUSANDS.search(text):
                return
            if other is None and _OTHER_UNIT.search(text):
                other = (i, j, text)
    if other is not None:
        i, j, text = other
        raise grid.error(
            f"the sheet states its figures in another unit than £ thousand: {text.strip()!r}", row=i, col=j
        )
    raise grid.error("no statement of the unit (£ thousand) above the table: refusing to guess", row=header)


def _row_kind(grid: Grid, i: int, identity: dict[str, int]) -> str | None:
    e_code = grid.cell(i, identity["e_code"]).strip()
    ons = grid.cell(i, identity["ons_code"]).strip()
    name = grid.cell(i, identity["la_name"]).strip()
    if ons == ENGLAND_CODE or e_code.lower() == "eng" or (not ons and name.upper() == "ENGLAND"):
        return "england"
    if _E_CODE.match(e_code):
        return "authority"
    if e_code.startswith("[") or re.match(r"^E\d{2}$", ons) or (not e_code and not ons and name.isupper()):
        return None  # a class total: an aggregate of authority rows
    raise grid.error(
        f"cannot tell whether this row ({name or ons or e_code!r}) is an authority or a total",
        row=i,
        col=identity["e_code"],
    )


def _metadata_rows(grid: Grid, rows: range, data_cols: tuple[int, ...]) -> dict[str, list[str]]:
    """Classify metadata rows (those above the header, nearest first) by what their cells hold."""
    meta: dict[str, list[str]] = {}
    for i in rows:
        values = [grid.cell(i, j).strip() for j in data_cols]
        filled = [v for v in values if v]
        if not filled:
            continue
        share = len(filled) / len(values)

        def most(pattern: re.Pattern[str], vals: list[str] = filled) -> bool:
            return sum(1 for v in vals if pattern.match(v)) >= 0.8 * len(vals)

        if share >= 0.8 and most(_ITEM_CODE):
            meta.setdefault("item_code", values)
        elif share >= 0.8 and most(_CELL_REF):
            meta.setdefault("cell_ref", values)
        elif share >= 0.8 and most(_ASSET_ID):
            meta.setdefault("asset_id", values)
        elif share >= 0.8 and most(_INT):
            numbers = [int(v) for v in filled if _INT.match(v)]
            if min(numbers) >= 100:
                meta.setdefault("line_number", values)
            # smaller integers are column numbers / running counters: not needed
        elif share < 0.5 and not any(_INT.match(v) for v in filled) and "section" not in meta:
            meta["section"] = _forward_fill(values)
    return meta


def _forward_fill(values: list[str]) -> list[str]:
    out, current = [], ""
    for v in values:
        current = v.replace("\n", " ").strip() or current
        out.append(current)
    return out


def identity_columns() -> dict[str, str]:
    return {f: "VARCHAR" for f in IDENTITY_FIELDS} | {"row_kind": "VARCHAR"}


def identity_record(table: LaTable, row: int, kind: str) -> dict[str, str | None]:
    rec: dict[str, str | None] = {f: (table.identity_value(row, f).strip() or None) for f in IDENTITY_FIELDS}
    if kind == "england":
        rec["ons_code"] = ENGLAND_CODE  # some years print the England row without codes
        rec["la_name"] = rec["la_name"] or "England"
    rec["row_kind"] = kind
    return rec


def is_gss(code: str | None) -> bool:
    return bool(code and _GSS.match(code))


# The RO forms (RSX, RO3, ...): one column per item code <form>-<service>-<measure>
# (``RSX-edu-net-cur-exp``, ``RO3-ascphyadl-net-cur-exp``), with its cell reference (``C7R190``).
_ITEM = re.compile(r"^(?P<form>[A-Z][A-Z0-9]*)-(?P<service>[a-z0-9]+)-(?P<measure>[a-z0-9-]+)$")
_CELL = re.compile(r"^C(?P<col>\d+)R(?P<row>\d+)$")

ITEM_COLUMNS: dict[str, str] = {
    **identity_columns(),
    "item_code": "VARCHAR",
    "service_code": "VARCHAR",
    "measure_code": "VARCHAR",
    "cell_ref": "VARCHAR",
    "line_number": "INTEGER",
    "column_number": "INTEGER",
    "column_title": "VARCHAR",
    "value_gbp_thousands": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}


def parse_item_sheet(
    data: bytes, *, source_id: str, file: str, period: str, title: re.Pattern[str], keep_unreadable: bool = False
) -> pd.DataFrame:
    """One row per authority and item code of an RO form's by-authority sheet.

    A cell that is neither a number nor a known symbol fails the file, naming its row and column;
    with ``keep_unreadable`` (detail forms whose totals are checked against RSX) it is loaded as
    ``value_status = 'unreadable'`` with its text, and logged with its place in the sheet.
    """
    grid = read_grid(data, source_id=source_id, file=file, sheet=has_la_table)
    table = read_la_table(grid, expect_title=title, period=period)
    if "item_code" not in table.meta:
        raise grid.error("no row of item codes (<form>-<service>-<measure>) above the header", row=table.header_row)
    cells = table.meta.get("cell_ref", [""] * len(table.data_cols))
    items = []  # (column, item code, the record's per-column part)
    for k, j in enumerate(table.data_cols):
        code = table.meta["item_code"][k]
        m = _ITEM.match(code)
        if not m:
            raise grid.error(f"item code {code!r} is not <form>-<service>-<measure>", col=j)
        cell = _CELL.match(cells[k])
        items.append(
            (
                j,
                code,
                {
                    "item_code": code,
                    "service_code": m["service"],
                    "measure_code": m["measure"],
                    "cell_ref": cell.group(0) if cell else None,
                    "line_number": int(cell["row"]) if cell else None,
                    "column_number": int(cell["col"]) if cell else None,
                    "column_title": table.meta["title"][k],
                    "_source_column": column_letter(j),
                },
            )
        )
    records = []
    for i, kind in table.rows:
        row = {**identity_record(table, i, kind), **grid.lineage(i)}
        for j, code, per_column in items:
            try:
                number = grid_number(grid, i, j)
                value, status, text = number.value, number.status, number.text
            except SourceError as exc:
                if not keep_unreadable:
                    raise
                value, status, text = None, "unreadable", grid.cell(i, j)
                log.warning("%s; loaded as unreadable (%s), not as a figure", exc, code)
            records.append(
                {
                    **row,
                    **per_column,
                    "value_gbp_thousands": None if value is None else str(value),
                    "value_status": status,
                    "value_text": text,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(ITEM_COLUMNS))
