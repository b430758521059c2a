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

The bundled snapshot is a republisher's long table of the yearly files' Outcome / Total rows
(acbockmuehl/ascof-repos ``trend_data.csv``): a ``Year`` column, ``Measure Group`` (the code),
``Measure Group Description``, ``Measure_Value``, and no CASSR code. Its partition is the span of
years it holds (``2017-18_to_2023-24``): a row of a year outside it is refused. The republisher
left ``Disaggregation Level`` and ``Measure Type`` blank on every 2023-24 row, whose values are the
Total Outcome figures (they equal DHSC's published time series): blanks there are read as Total and
Outcome; a blank in any other year is an error.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE, columns_by_heading, is_blank_row, norm

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "financial_year": "VARCHAR",
    "geographical_code": "VARCHAR",
    "geographical_description": "VARCHAR",
    "geographical_level": "VARCHAR",
    "area_code": "VARCHAR",
    "measure_code": "VARCHAR",
    "measure_description": "VARCHAR",
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
_MEASURE_CODE = re.compile(r"^[1-6][A-Z][0-9A-Z()]*$")
# the republisher's long table (one file, many years)
TREND_HEADINGS: dict[str, tuple[str, ...]] = {
    "financial_year": ("Year",),
    "geographical_description": ("Geographical Description",),
    "area_code": ("ONS Code",),
    "measure_code": ("Measure Group",),
    "measure_description": ("Measure Group Description",),
    "value": ("Measure_Value", "Measure Value"),
    "geographical_level": ("Geographical Level",),
    "disaggregation_level": ("Disaggregation Level",),
    "measure_type": ("Measure Type",),
}
_BLANK_AS_TOTAL_OUTCOME = frozenset({"2023-24"})  # the republisher's blanks, documented above


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
    if code in ("", "-") and norm(level) in _LEVELS_WITHOUT_ONS_CODE:
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


def _years(period: str, grid: Grid) -> set[str]:
    first, _, last = period.partition("_to_")
    for year in (first, last or first):
        _check_period(year, grid)
    start, end = int(first[:4]), int((last or first)[:4])
    return {f"{y}-{(y + 1) % 100:02d}" for y in range(start, end + 1)}


def _parse_trend(grid: Grid, header: int, period: str) -> list[dict]:
    years = _years(period, grid)
    col = columns_by_heading(grid, header, TREND_HEADINGS)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        year = grid.cell(i, col["financial_year"])
        if year not in years:
            raise grid.error(
                f"year {year!r} is outside the catalogue's period {period}", row=i, col=col["financial_year"]
            )
        level = grid.cell(i, col["geographical_level"])
        value = grid_number(grid, i, col["value"])
        disaggregation = grid.cell(i, col["disaggregation_level"])
        if not disaggregation and year in _BLANK_AS_TOTAL_OUTCOME:
            disaggregation = "Total"
        measure_type = grid.cell(i, col["measure_type"])
        if not measure_type and year in _BLANK_AS_TOTAL_OUTCOME:
            measure_type = "Outcome"
        elif norm(measure_type) not in _MEASURE_TYPES:
            raise grid.error(
                f"measure type {measure_type!r} is not one of {', '.join(MEASURE_TYPES)}",
                row=i,
                col=col["measure_type"],
            )
        if not disaggregation:
            raise grid.error(f"no disaggregation level in {year}", row=i, col=col["disaggregation_level"])
        records.append(
            {
                "financial_year": year,
                "geographical_code": None,
                "geographical_description": grid.cell(i, col["geographical_description"]),
                "geographical_level": level,
                "area_code": _area_code(grid, i, col["area_code"], level),
                "measure_code": _measure_code(grid, i, col["measure_code"]),
                "measure_description": grid.cell(i, col["measure_description"]) or None,
                "disaggregation_level": disaggregation,
                "measure_type": measure_type,
                "value": None if value.value is None else str(value.value),
                "value_status": value.status,
                "value_text": value.text,
                **grid.lineage(i),
            }
        )
    return records


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    trend = next(
        (i for i, r in enumerate(grid.rows[:5]) if {"year", "measure group", "measure_value"} <= {norm(c) for c in r}),
        None,
    )
    if trend is not None:
        records = _parse_trend(grid, trend, period)
        if not records:
            raise grid.error("no data rows below the header", row=trend)
        return pd.DataFrame.from_records(records, columns=list(COLUMNS))
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
                "financial_year": period,
                "geographical_code": grid.cell(i, col["geographical_code"]) or None,
                "geographical_description": grid.cell(i, col["geographical_description"]),
                "geographical_level": level,
                "area_code": _area_code(grid, i, col["area_code"], level),
                "measure_code": _measure_code(grid, i, col["measure_code"]),
                "measure_description": None,
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
