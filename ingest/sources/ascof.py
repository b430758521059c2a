"""Measures from the Adult Social Care Outcomes Framework (ASCOF), England: the open-data CSV.

NHS Digital (to 2023-24) and then DHSC publish one long CSV per financial year, one row per area,
measure, disaggregation and measure type. The file has no year column: the year is the
publication's. Headings, compared case-insensitively (they were title case in the NHS Digital era
and are sentence case on GOV.UK):

``Geographical code, Geographical description, Geographical level, ONS code, ASCOF measure code,
Disaggregation level, Measure type, Measure value``

Some years call ``ONS code`` ``ONS Area Code``; older files add ``Measure Group`` and ``Measure Group
Description`` (not needed: the measure code carries the group). ``Geographical code`` is the
council's CASSR code (``England`` on the England row), ``Geographical level`` says local authority,
regional, council type or national (wording varies by year). ``Measure type`` is one of
Numerator, Denominator, Outcome, Base, Margin of Error; ``Measure value`` may be ``[c]``
(suppressed) or ``[z]`` (not applicable), kept with status ``not_available``, never as zero.
Measure codes were renumbered from 2023-24 (2A(1) became 2B, 2A(2) became 2C); codes are kept as
published. Council-type rows have no ONS code; every other row must carry a GSS code.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources._columns import GSS_CODE, columns_by_heading, is_blank_row, norm

SOURCE_ID = "ascof"

COLUMNS: dict[str, str] = {
    "geographical_code": "VARCHAR",
    "geographical_description": "VARCHAR",
    "geographical_level": "VARCHAR",
    "area_code": "VARCHAR",
    "measure_code": "VARCHAR",
    "disaggregation_level": "VARCHAR",
    "measure_type": "VARCHAR",
    "value": "DOUBLE",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
}

# output column -> the publisher's headings for it (any case; the first is the current one)
HEADINGS: dict[str, tuple[str, ...]] = {
    "geographical_code": ("Geographical code",),
    "geographical_description": ("Geographical description",),
    "geographical_level": ("Geographical level",),
    "area_code": ("ONS code", "ONS Area Code"),
    "measure_code": ("ASCOF measure code",),
    "disaggregation_level": ("Disaggregation level",),
    "measure_type": ("Measure type",),
    "value": ("Measure value",),
}

MEASURE_TYPES = ("Numerator", "Denominator", "Outcome", "Base", "Margin of Error")
_MEASURE_TYPES = {t.lower(): t for t in MEASURE_TYPES}
# Council-type aggregates (e.g. all metropolitan districts) have no ONS code.
_LEVELS_WITHOUT_ONS_CODE = frozenset({"council type"})
_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
# 1A, 2B, 3D; older files add a disaggregation suffix (2A1864, 1C1B, 2B65OV)
_MEASURE_CODE = re.compile(r"^[1-4][A-Z][0-9A-Z()]*$")


def _is_header(row: list[str]) -> bool:
    cells = {norm(c) for c in row}
    return "ascof measure code" in cells and "measure value" in cells


def _check_period(period: str, grid: Grid) -> None:
    """The file has no year column, so the catalogue's period must at least be a financial year."""
    m = _FINANCIAL_YEAR.match(period)
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        raise grid.error(f"period {period!r} is not a financial year such as 2023-24 (the file has no year column)")


def _area_code(grid: Grid, i: int, j: int, level: str) -> str | None:
    code = grid.cell(i, j)
    if not code and norm(level) in _LEVELS_WITHOUT_ONS_CODE:
        return None
    if not GSS_CODE.match(code):
        raise grid.error(f"ONS code {code!r} is not a GSS code such as E08000025", row=i, col=j)
    return code


def _measure_type(grid: Grid, i: int, j: int) -> str:
    text = grid.cell(i, j)
    if norm(text) not in _MEASURE_TYPES:
        raise grid.error(f"measure type {text!r} is not one of {', '.join(MEASURE_TYPES)}", row=i, col=j)
    return text


def _measure_code(grid: Grid, i: int, j: int) -> str:
    code = grid.cell(i, j)
    if not _MEASURE_CODE.match(code):
        raise grid.error(f"ASCOF measure code {code!r} is not like 1A or 2C", row=i, col=j)
    return code


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=SOURCE_ID, file=file)
    _check_period(period, grid)
    header = grid.find_row(_is_header, what="header row (with 'ASCOF measure code' and 'Measure value')")
    col = columns_by_heading(grid, header, HEADINGS)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        level = grid.cell(i, col["geographical_level"])
        value = grid_number(grid, i, col["value"])
        records.append(
            {
                "geographical_code": grid.cell(i, col["geographical_code"]) or None,
                "geographical_description": grid.cell(i, col["geographical_description"]),
                "geographical_level": level,
                "area_code": _area_code(grid, i, col["area_code"], level),
                "measure_code": _measure_code(grid, i, col["measure_code"]),
                "disaggregation_level": grid.cell(i, col["disaggregation_level"]),
                "measure_type": _measure_type(grid, i, col["measure_type"]),
                "value": None if value.value is None else str(value.value),
                "value_status": value.status,
                "value_text": value.text,
                **grid.lineage(i),
            }
        )
    if not records:
        raise grid.error("no data rows below the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
