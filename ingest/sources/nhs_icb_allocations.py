"""NHS England ICB revenue allocations (the "all funding streams" workbook of an allocations round).

Layout, as read by public code that parses the real workbook (see the catalogue's provenance):
one worksheet per funding stream and year, e.g. ``ICB Core Allocations 2024-25``,
``PMC Allocations 2024-25``, ``ICB running cost allowance`` (sheets such as ``Other Primary Care``
or contents and notes are not read); title rows on top; a header row holding ``ICB code`` and
``ICB name`` (after a region column); one value column per year named like
``2024/25 Combined allocation (£k)``; region subtotal rows and an ``ENGLAND`` row, which are
aggregates and are skipped.

Figures are in £ thousands. A workbook whose headers state another unit (£, £m) is refused rather
than rescaled: a unit change is a change of publication and must be looked at.
Output: one row per ICB per stream per financial year, £ thousand as published.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.errors import SourceError
from ingest.sheets import Grid, grid_number, read_workbook

SOURCE_ID = "nhs_icb_allocations"

COLUMNS: dict[str, str] = {
    "stream_code": "VARCHAR",
    "sheet_name": "VARCHAR",
    "financial_year": "VARCHAR",
    "column_title": "VARCHAR",
    "region_name": "VARCHAR",
    "icb_ods_code": "VARCHAR",
    "icb_name": "VARCHAR",
    "allocation_gbp_thousands": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

# worksheet name -> funding stream (first match wins); other sheets are not read
STREAMS = (
    (re.compile(r"core", re.IGNORECASE), "core_services"),
    (re.compile(r"\bPMC\b|primary medical", re.IGNORECASE), "primary_medical_care"),
    (re.compile(r"running cost", re.IGNORECASE), "running_costs"),
)
EXPECTED_UNIT = "£ thousand"
_YEAR = re.compile(r"(20\d\d)\s*/\s*(\d\d)")
_UNIT = re.compile(r"£\s*['\u2019]?\s*(k|000s?|thousands?|m|millions?|bn)?(?!\w)", re.IGNORECASE)
_UNITS = {
    "k": "£ thousand",
    "000": "£ thousand",
    "000s": "£ thousand",
    "thousand": "£ thousand",
    "thousands": "£ thousand",
    "m": "£ million",
    "million": "£ million",
    "millions": "£ million",
    "bn": "£ billion",
    "": "£",
}
_ODS = re.compile(r"^Q[A-Z0-9]{2}$")
_PREFERENCE = ("combined", "total", "recurrent", "allocation")


def _stream(sheet: str) -> str | None:
    for pattern, code in STREAMS:
        if pattern.search(sheet):
            return code
    return None


def _is_header(row: list[str]) -> bool:
    cells = {c.strip().lower() for c in row}
    return "icb code" in cells and "icb name" in cells


def _unit(title: str) -> str | None:
    """The unit a column title states ('(£k)' -> '£ thousand'), or None if it states none."""
    m = _UNIT.search(title)
    return None if m is None else _UNITS[(m.group(1) or "").lower()]


def _year_columns(grid: Grid, header: int) -> dict[str, tuple[int, str]]:
    """financial year -> (column, title) of the allocation column to read for that year."""
    candidates: dict[str, list[tuple[int, str]]] = {}
    for j, title in enumerate(grid.rows[header]):
        m = _YEAR.search(title)
        if not m:
            continue
        unit = _unit(title)
        if unit is None and ("%" in title or "growth" in title.lower()):
            continue  # a growth rate beside the allocations, not money
        if unit is None:
            raise grid.error(
                f"the column {title!r} does not state its unit (expected {EXPECTED_UNIT})", row=header, col=j
            )
        if unit != EXPECTED_UNIT:
            raise grid.error(
                f"units changed: the column {title!r} is in {unit}, not {EXPECTED_UNIT} as this source publishes",
                row=header,
                col=j,
            )
        year = f"{m.group(1)}-{m.group(2)}"
        if int(m.group(2)) != (int(m.group(1)) + 1) % 100:
            raise grid.error(f"{m.group(0)!r} is not a financial year", row=header, col=j)
        candidates.setdefault(year, []).append((j, title))
    chosen = {}
    for year, cols in candidates.items():
        ranked = sorted(cols, key=lambda c: next((k for k, w in enumerate(_PREFERENCE) if w in c[1].lower()), 99))
        chosen[year] = ranked[0]
    return chosen


def _read_sheet(grid: Grid, stream: str) -> list[dict]:
    header = grid.find_row(_is_header, what="header row (with 'ICB code' and 'ICB name')")
    head = [c.strip().lower() for c in grid.rows[header]]
    code_col, name_col = head.index("icb code"), head.index("icb name")
    region_col = head.index("region") if "region" in head else None
    years = _year_columns(grid, header)
    if not years:
        raise grid.error("no allocation column for a financial year (like '2024/25 ... (£k)')", row=header)
    records = []
    for i, row in grid.iter_rows(header + 1):
        code = grid.cell(i, code_col).strip()
        name = grid.cell(i, name_col).strip()
        if not any(c.strip() for c in row):
            grid.skip(i, "blank")
            continue
        if not code or name.upper() == "ENGLAND":
            grid.skip(i, "total or note (no ICB code)")  # a note, a region subtotal, the England total
            continue
        if not _ODS.match(code):
            raise grid.error(f"ICB code {code!r} is not an ODS code (Qxx)", row=i, col=code_col)
        for year, (j, title) in years.items():
            number = grid_number(grid, i, j)
            records.append(
                {
                    "stream_code": stream,
                    "sheet_name": grid.sheet or "",
                    "financial_year": year,
                    "column_title": title,
                    "region_name": grid.cell(i, region_col).strip() if region_col is not None else None,
                    "icb_ods_code": code,
                    "icb_name": name,
                    "allocation_gbp_thousands": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, j),
                }
            )
    return records


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    records: list[dict] = []
    streams_seen = set()
    for grid in read_workbook(data, source_id=SOURCE_ID, file=file):
        stream = _stream(grid.sheet or "")
        if stream is None:
            continue
        streams_seen.add(stream)
        records.extend(_read_sheet(grid, stream))
    if not records:
        raise SourceError(SOURCE_ID, file, "no allocation worksheet (core, PMC or running costs) with ICB rows")
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    years = sorted(frame["financial_year"].unique())
    first, last = period.split("_to_") if "_to_" in period else (period, period)
    outside = [y for y in years if not first <= y <= last]
    if outside:
        raise SourceError(SOURCE_ID, file, f"holds {', '.join(outside)}, outside the catalogue's period {period}")
    repeats = frame.duplicated(["stream_code", "financial_year", "icb_ods_code"])
    if repeats.any():
        row = frame[repeats].iloc[0]
        raise SourceError(
            SOURCE_ID,
            file,
            f"ICB {row.icb_ods_code} appears twice for {row.stream_code} {row.financial_year}",
            row=int(row._source_row),
        )
    return frame
