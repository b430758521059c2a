"""ONS mid-year population estimates for England and Wales, every area, all ages.

Two layouts of one publication (*Estimates of the population for England and Wales*), each an
edition that revises the years before it, so every row keeps its edition:

- the time series, sheet ``MYE4`` of ``mye<yy>tablesew.xlsx``: title rows, then a header
  ``Code, Name, Geography, Mid-2023, Mid-2022, ... Mid-2011`` (years in descending order), one row
  per area (country, region, county, district);
- one year by single year of age, sheet ``MYE2 - Persons`` (as an XLSX sheet, or a CSV export of
  it): header ``Code, Name, Geography, All ages, 0, 1, ... 90+``. It names no year, so the year is
  the edition's, from the catalogue's period (``2024`` for the mid-2024 edition).

The partition's period is the edition (the latest mid-year it holds); a time series whose latest
year is not the edition is refused. Output: one row per area and mid-year, with the edition.
"""

from __future__ import annotations

import re

import pandas as pd

from core.errors import SourceError
from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE, is_blank_row, norm

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "area_code": "VARCHAR",
    "area_name": "VARCHAR",
    "geography": "VARCHAR",
    "mid_year": "INTEGER",
    "population": "BIGINT",
    "edition_year": "INTEGER",
    "sheet_name": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

_MID_YEAR = re.compile(r"^mid-(\d{4})$")
_EDITION = re.compile(r"^\d{4}$")
# the sheets read, best first: the time series, else the single year by age
_SHEETS = (re.compile(r"^MYE4\b"), re.compile(r"^MYE2\s*-\s*Persons$"))


def _is_header(row: list[str]) -> bool:
    return [norm(c) for c in row[:3]] == ["code", "name", "geography"]


def _year_columns(grid: Grid, header: int, edition: int) -> dict[int, int]:
    """mid-year -> column: the Mid-YYYY columns of a time series, or All ages for the edition."""
    head = [norm(c) for c in grid.rows[header]]
    years = {int(m.group(1)): j for j, h in enumerate(head) if (m := _MID_YEAR.match(h))}
    if years:
        if max(years) != edition:
            raise grid.error(
                f"the latest year is mid-{max(years)} but the catalogue loads this file as the {edition} edition",
                row=header,
            )
        return years
    if "all ages" in head:
        return {edition: head.index("all ages")}
    raise grid.error("the header has no Mid-YYYY columns and no 'All ages' column", row=header)


def _read(grid: Grid, edition: int) -> list[dict]:
    header = grid.find_row(_is_header, what="header row (Code, Name, Geography, ...)")
    years = _year_columns(grid, header, edition)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        code = grid.cell(i, 0)
        if not GSS_CODE.match(code):
            raise grid.error(f"{code!r} is not a GSS area code", row=i, col=0)
        for year, j in sorted(years.items()):
            number = grid_number(grid, i, j)
            if number.value is None or number.value != number.value.to_integral_value() or number.value < 0:
                raise grid.error(f"{number.text!r} is not a count of people", row=i, col=j)
            records.append(
                {
                    "area_code": code,
                    "area_name": grid.cell(i, 1),
                    "geography": grid.cell(i, 2),
                    "mid_year": year,
                    "population": int(number.value),
                    "edition_year": edition,
                    "sheet_name": grid.sheet,
                    **grid.lineage(i, j),
                }
            )
    if not records:
        raise grid.error("no area rows under the header", row=header)
    return records


def _sheet(data: bytes, file: str) -> Grid:
    """The time series sheet if the workbook has one, else the single-year sheet (or the CSV)."""
    for pattern in _SHEETS:
        try:
            return read_grid(data, source_id=ID, file=file, sheet=pattern)
        except SourceError as exc:
            if "no worksheet matches" not in str(exc):
                raise
    raise SourceError(ID, file, "no MYE4 or 'MYE2 - Persons' worksheet")


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    if not _EDITION.match(period):
        raise SourceError(ID, file, f"period {period!r} is not an edition year like 2023")
    chosen = _sheet(data, file)
    frame = pd.DataFrame.from_records(_read(chosen, int(period)), columns=list(COLUMNS))
    repeats = frame.duplicated(["area_code", "mid_year"])
    if repeats.any():
        row = frame[repeats].iloc[0]
        raise chosen.error(f"area {row.area_code} appears twice", row=int(row._source_row) - 1, col=0)
    return frame
