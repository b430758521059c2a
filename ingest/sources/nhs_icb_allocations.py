"""NHS England ICB revenue allocations: the "all funding streams" workbook of an allocations round.

Read as NHS England publishes it (``ICB allocations 2023/24 to 2024/25``, ``ICB allocations
2025/26``): one worksheet per funding stream and year (baseline sheets, the build-up to last
year's baseline, are not read), and on each

- title rows, then a header row ``R23, Region, ICB23, <ICB name>, <measures...>`` (row 3 in the
  2023-24 round, row 2 from 2025-26; the name column is ``System Name`` or ``Integrated Care
  Board (ICB)``);
- one row per ICB (NHS ODS code ``Qxx`` in the ``ICB23`` column) with full-precision figures;
- in the pharmacy, optometry and dental sheets, NHS England's own regional budgets (``NHS
  England`` beside a region code): not an ICB's money, so not loaded, but part of the totals;
- a totals block: a repeated header, one subtotal per NHS region (region code ``Yxx``) and an
  England row (``ENGLAND`` / ``Total``; on the 2023-24 running-cost sheet an unlabelled row of
  SUBTOTAL formulas). Totals are sometimes text (``' 105,042,213 '``).

Each stream's allocation column is declared below (``STREAMS``) by the words of its heading, so
a heading that changes fails loudly instead of reading the wrong column. Every region subtotal and
the England total are checked against the sum of the rows they add up (ICBs, plus NHS England's
regional budgets where the sheet has them): a workbook whose totals disagree is refused, naming
the sheet, row and column. A column for a year outside the partition (the 2023-24 round's
indicative 2025/26 running costs) is not read: the 2025-26 round publishes that year.

Figures are in £ thousands; a chosen column that states another unit (or none) is refused.
Output: one row per ICB, stream and financial year, £ thousand as published, with the sheet,
column heading, row and column it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from core.errors import SourceError
from ingest.sheets import Grid, Number, grid_number, read_workbook
from ingest.sources import source_id

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "stream_code": "VARCHAR",
    "sheet_name": "VARCHAR",
    "financial_year": "VARCHAR",
    "column_title": "VARCHAR",
    "region_code": "VARCHAR",
    "region_name": "VARCHAR",
    "icb_ods_code": "VARCHAR",
    "icb_name": "VARCHAR",
    "allocation_gbp_thousands": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}


@dataclass(frozen=True)
class Stream:
    """A funding stream: the sheets that hold it and its allocation column, by heading words.

    ``columns`` are tried in order for each financial year; the first that matches one heading of
    that year is the allocation (more than one matching heading is an error, never a guess)."""

    code: str
    sheets: re.Pattern[str]
    columns: tuple[re.Pattern[str], ...]


def _words(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


# The allocation of each stream, as the publisher names it. Core services: the combined allocation
# (recurrent + COVID + elective + discharge + capacity) where published, else the total allocation.
# Primary medical care: the revised recurrent allocation (with ARRS) where published, else the
# recurrent one. Specialised (delegated from 2025-26): physical health and mental health resource
# allocation, and high-cost drugs and devices, which that column leaves out, as a stream of its own.
STREAMS: tuple[Stream, ...] = (
    Stream(
        "core_services",
        re.compile(r"^ICB Core Allocations?\b", re.I),
        _words("combined allocation", "total allocation"),
    ),
    Stream(
        "primary_medical_care",
        re.compile(r"^PMC Allocations?\b", re.I),
        _words("revised recurrent allocation", "recurrent allocation"),
    ),
    Stream(
        "other_primary_care",
        re.compile(r"^Other Primary Care$|^POD Allocations?\b", re.I),
        _words("total allocation", "recurrent allocation"),
    ),
    Stream(
        "specialised_services",
        re.compile(r"^Specialised Allocations?\b", re.I),
        _words(r"physical health services \+ MH resource allocation"),
    ),
    Stream("specialised_high_cost_drugs", re.compile(r"^Specialised Allocations?\b", re.I), _words(r"\bHCDD total\b")),
    Stream("running_costs", re.compile(r"running cost", re.I), _words(r"^\s*20\d\d\s*/\s*\d\d\s*\(?£\s*k\)?\s*$")),
)
STREAM_CODES = tuple(s.code for s in STREAMS)
REQUIRED_STREAMS = ("core_services", "primary_medical_care", "running_costs")

EXPECTED_UNIT = "£ thousand"
TOLERANCE_GBP_THOUSANDS = Decimal(1)  # published totals are rounded to £1k; ICB rows are not
_YEAR = re.compile(r"(20\d\d)\s*[/-]\s*(\d\d)")
_NOT_MONEY = re.compile(r"%|growth|/\s*head|per head", re.IGNORECASE)
_UNIT = re.compile(r"£\s*['\u2019]?\s*(k|000s?|thousands?|m|millions?|bn)?(?!\w)", re.IGNORECASE)
_UNITS = {"k": EXPECTED_UNIT, "000": EXPECTED_UNIT, "000s": EXPECTED_UNIT, "thousand": EXPECTED_UNIT}
_UNITS |= {"thousands": EXPECTED_UNIT, "m": "£ million", "million": "£ million", "millions": "£ million"}
_UNITS |= {"bn": "£ billion", "": "£"}
_ODS = re.compile(r"^Q[A-Z0-9]{2}$")
_REGION = re.compile(r"^Y\d\d$")


def _unit(title: str) -> str | None:
    """The unit a column title states ('(£k)' -> '£ thousand'), or None if it states none."""
    m = _UNIT.search(title)
    return None if m is None else _UNITS[(m.group(1) or "").lower()]


def _financial_year(text: str) -> str | None:
    m = _YEAR.search(text)
    if not m or int(m.group(2)) != (int(m.group(1)) + 1) % 100:
        return None
    return f"{m.group(1)}-{m.group(2)}"


def _is_header(row: list[str]) -> bool:
    return [c.strip().upper() for c in row[:3]] == ["R23", "REGION", "ICB23"]


@dataclass(frozen=True)
class Column:
    stream: str
    year: str
    index: int
    title: str


def _allocation_columns(grid: Grid, header: int, streams: list[Stream], years: set[str]) -> list[Column]:
    """The allocation column of each stream for each year the partition covers."""
    sheet_year = _financial_year(grid.sheet or "")
    titled = []
    for j, raw in enumerate(grid.rows[header]):
        title = " ".join(raw.split())
        if j < 4 or not title or _NOT_MONEY.search(title):
            continue
        titled.append((j, title, _financial_year(title) or sheet_year))
    chosen: list[Column] = []
    for stream in streams:
        for year in sorted({y for _, _, y in titled if y}):
            for pattern in stream.columns:
                hits = [(j, t) for j, t, y in titled if y == year and pattern.search(t)]
                if len(hits) > 1:
                    raise grid.error(
                        f"{len(hits)} columns could be the {stream.code} allocation for {year}: "
                        + ", ".join(repr(t) for _, t in hits),
                        row=header,
                        col=hits[1][0],
                    )
                if hits:
                    j, title = hits[0]
                    unit = _unit(title)
                    if unit != EXPECTED_UNIT:
                        detail = "does not state its unit" if unit is None else f"is in {unit}"
                        raise grid.error(
                            f"units changed: the column {title!r} {detail}, not {EXPECTED_UNIT} as this source "
                            "publishes",
                            row=header,
                            col=j,
                        )
                    if year in years:
                        chosen.append(Column(stream.code, year, j, title))
                    break
    return chosen


@dataclass
class _Block:
    """The rows of one sheet by kind, for the allocation records and the totals check."""

    icbs: list[int]
    nhs_england: list[int]
    regions: list[int]
    england: int | None


def _classify(grid: Grid, header: int) -> _Block:
    block = _Block([], [], [], None)
    for i, row in grid.iter_rows(header + 1):
        cells = [grid.cell(i, k).strip() for k in range(4)]
        has_figures = any(c.strip() for c in row[4:])
        if not any(c.strip() for c in row):
            grid.skip(i, "blank")
        elif cells[1].lower() == "nhs england":
            block.nhs_england.append(i)
            grid.skip(i, "NHS England's own regional budget (not an ICB; in the totals)")
        elif _ODS.match(cells[2]):
            block.icbs.append(i)
        elif {"R23", "ICB23"} & {c.upper() for c in cells}:
            grid.skip(i, "repeated header of the totals block")
        elif _REGION.match(cells[2]) and has_figures:
            block.regions.append(i)
            grid.skip(i, "NHS region subtotal (checked against its rows)")
        elif (cells[2].lower() == "total" or cells[3].lower() == "england" or not any(cells)) and has_figures:
            if block.england is not None:
                raise grid.error("a second England total row", row=i)
            block.england = i
            grid.skip(i, "England total (checked against its rows)")
        else:
            raise grid.error(
                f"cannot tell whether this row is an ICB, a region subtotal or the England total "
                f"(ICB23 column holds {cells[2]!r})",
                row=i,
                col=2,
            )
    if not block.icbs:
        raise grid.error("no ICB rows (an ODS code such as QHL in the ICB23 column) under the header", row=header)
    return block


def _value(grid: Grid, row: int, col: int) -> Decimal:
    number: Number = grid_number(grid, row, col)
    return number.value if number.value is not None else Decimal(0)


def _check_totals(grid: Grid, block: _Block, column: Column) -> None:
    """Each region subtotal and the England total equal the sum of the rows they add up."""
    j = column.index
    by_region: dict[str, Decimal] = {}
    for i in block.icbs:
        by_region.setdefault(grid.cell(i, 0).strip(), Decimal(0))
        by_region[grid.cell(i, 0).strip()] += _value(grid, i, j)
    for i in block.nhs_england:
        code = grid.cell(i, 2).strip()
        by_region[code] = by_region.get(code, Decimal(0)) + _value(grid, i, j)
    for i in block.regions:
        code = grid.cell(i, 2).strip()
        published = grid_number(grid, i, j)
        if published.value is None:
            continue
        parts = by_region.get(code)
        if parts is None or abs(parts - published.value) > TOLERANCE_GBP_THOUSANDS:
            raise grid.error(
                f"the {code} region subtotal {published.text!r} of {column.title!r} does not equal the sum of "
                f"its rows ({parts if parts is None else f'{parts:,.1f}'})",
                row=i,
                col=j,
            )
    if block.england is not None:
        published = grid_number(grid, block.england, j)
        total = sum(by_region.values(), Decimal(0))
        if published.value is not None and abs(total - published.value) > TOLERANCE_GBP_THOUSANDS:
            raise grid.error(
                f"the England total {published.text!r} of {column.title!r} does not equal the sum of its "
                f"{len(block.icbs)} ICB rows{' and NHS England regional budgets' if block.nhs_england else ''} "
                f"({total:,.1f})",
                row=block.england,
                col=j,
            )


def _years(period: str, file: str) -> set[str]:
    first, _, last = period.partition("_to_")
    last = last or first
    if not (_financial_year(first) and _financial_year(last)) or first > last:
        raise SourceError(ID, file, f"the catalogue's period {period!r} is not a financial year or range")
    start, end = int(first[:4]), int(last[:4])
    return {f"{y}-{(y + 1) % 100:02d}" for y in range(start, end + 1)}


def _read_sheet(grid: Grid, streams: list[Stream], years: set[str]) -> list[dict]:
    header = grid.find_row(_is_header, what="header row (R23, Region, ICB23, ...)")
    columns = _allocation_columns(grid, header, streams, years)
    block = _classify(grid, header)
    for column in columns:
        _check_totals(grid, block, column)
    records = []
    for i in block.icbs:
        if not columns:
            grid.skip(i, "no allocation column for the partition's years")
            continue
        for column in columns:
            number = grid_number(grid, i, column.index)
            records.append(
                {
                    "stream_code": column.stream,
                    "sheet_name": grid.sheet or "",
                    "financial_year": column.year,
                    "column_title": column.title,
                    "region_code": grid.cell(i, 0).strip() or None,
                    "region_name": grid.cell(i, 1).strip() or None,
                    "icb_ods_code": grid.cell(i, 2).strip(),
                    "icb_name": grid.cell(i, 3).strip(),
                    "allocation_gbp_thousands": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, column.index),
                }
            )
    return records


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    years = _years(period, file)
    records: list[dict] = []
    for grid in read_workbook(data, source_id=ID, file=file):
        streams = [s for s in STREAMS if s.sheets.search(grid.sheet or "")]
        if streams:
            records.extend(_read_sheet(grid, streams, years))
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    for stream in REQUIRED_STREAMS:
        missing = sorted(years - set(frame.loc[frame.stream_code == stream, "financial_year"]))
        if missing:
            raise SourceError(
                ID, file, f"no {stream} allocation for {', '.join(missing)} (a worksheet or column is missing)"
            )
    repeats = frame.duplicated(["stream_code", "financial_year", "icb_ods_code"])
    if repeats.any():
        row = frame[repeats].iloc[0]
        raise SourceError(
            ID,
            f"{file} (sheet {row.sheet_name!r})",
            f"ICB {row.icb_ods_code} appears twice for {row.stream_code} {row.financial_year}",
            row=int(row._source_row),
        )
    return frame
