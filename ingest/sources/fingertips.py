"""OHID Fingertips public health indicators, as the Fingertips API serves them in CSV.

``/api/all_data/csv/by_indicator_id?indicator_ids=...&child_area_type_id=...&parent_area_type_id=...``
returns one long CSV: one row per indicator, area, sex, age, category and time period, for
England, the parent areas (regions) and the child areas (councils). Header as served:

``Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,
Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,
Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,
Compared to England value or percentiles,Compared to <parent> value or percentiles,
Time period Sortable,New data,Compared to goal,Time period range``

The column comparing with the parent is named after the parent area type (``Region``, or just
``Compared to percentiles``) and older output has no ``Time period range``, so columns are read
by name and only those we keep are required. Missing values are empty strings: a blank
``Value`` is kept as status ``blank``, never as zero. Time periods are calendar years (``2022``),
runs of calendar years (``2021 - 23``), financial years (``2011/12``) or runs of financial years
(``2016/17 - 20/21``); each row gets the first and last day it covers.

The same values as republished by Trafford Data Lab (the bundled snapshot; its layout, not the
API's) are read too: ``area_code,area_name,area_type,period,indicator,measure,unit,value,
compared_to_England,inequality``, one file per indicator, values rounded to one decimal place, no
confidence intervals, counts or notes. The indicator is named, not numbered: ``TRAFFORD_INDICATORS``
declares each name's Fingertips id, the column that holds the sex (``inequality``, or ``unit`` in
the mortality file) and the age Fingertips gives the indicator. Such a file's partition is the
indicator id it holds (``90366``); a row of another indicator is refused.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from ingest.sheets import Grid, Number, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import columns_by_heading, looks_like_header

ID = source_id(__name__)  # the module's name is the source id
ALL_PERIODS = "all"

COLUMNS: dict[str, str] = {
    "indicator_id": "INTEGER",
    "indicator_name": "VARCHAR",
    "parent_code": "VARCHAR",
    "parent_name": "VARCHAR",
    "area_code": "VARCHAR",
    "area_name": "VARCHAR",
    "area_type": "VARCHAR",
    "sex": "VARCHAR",
    "age": "VARCHAR",
    "category_type": "VARCHAR",
    "category": "VARCHAR",
    "time_period": "VARCHAR",
    "time_period_sortable": "INTEGER",
    "period_start_date": "DATE",
    "period_end_date": "DATE",
    "value": "DOUBLE",
    "lower_ci_95": "DOUBLE",
    "upper_ci_95": "DOUBLE",
    "count": "DOUBLE",
    "denominator": "DOUBLE",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "value_note": "VARCHAR",
    "compared_to_england": "VARCHAR",
    "_source_row": "INTEGER",
}

# Publisher's heading (compared case-insensitively) -> our name. All are required.
HEADINGS: dict[str, str] = {
    "Indicator ID": "indicator_id",
    "Indicator Name": "indicator_name",
    "Parent Code": "parent_code",
    "Parent Name": "parent_name",
    "Area Code": "area_code",
    "Area Name": "area_name",
    "Area Type": "area_type",
    "Sex": "sex",
    "Age": "age",
    "Category Type": "category_type",
    "Category": "category",
    "Time period": "time_period",
    "Value": "value",
    "Lower CI 95.0 limit": "lower_ci_95",
    "Upper CI 95.0 limit": "upper_ci_95",
    "Count": "count",
    "Denominator": "denominator",
    "Value note": "value_note",
    "Compared to England value or percentiles": "compared_to_england",
    "Time period Sortable": "time_period_sortable",
}

_TEXT = ("indicator_name", "area_name", "area_type", "sex", "age")
_OPTIONAL_TEXT = ("parent_code", "parent_name", "category_type", "category", "value_note", "compared_to_england")
_NUMBERS = ("lower_ci_95", "upper_ci_95", "count", "denominator")

_INDICATOR_ID = re.compile(r"^\d+$")
_AREA_CODE = re.compile(r"^[EWSNK]\d{8}$")
_SORTABLE = re.compile(r"^(\d{4})\d{4}$")

_YEAR = re.compile(r"^(\d{4})$")
_YEARS = re.compile(r"^(\d{4}) - (\d{2})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_FINANCIAL_YEARS = re.compile(r"^(\d{4})/(\d{2}) - (\d{2})/(\d{2})$")


def _is_header_row(row: list[str]) -> bool:
    return looks_like_header(row, HEADINGS)


def _later_year(start: int, two_digits: int) -> int:
    """The first year after ``start`` that ends in ``two_digits`` (``2021``, ``23`` -> 2023)."""
    if two_digits == start % 100:
        raise ValueError(f"a run of years from {start} cannot end in the same year")
    year = start - start % 100 + two_digits
    return year if year > start else year + 100


def _next_of(year: int, two_digits: int) -> bool:
    return (year + 1) % 100 == two_digits


def period_dates(text: str) -> tuple[date, date]:
    """First and last day of a Fingertips time period; ValueError for any other form.

    ``2022`` -> 2022-01-01..2022-12-31; ``2021 - 23`` -> 2021-01-01..2023-12-31;
    ``2011/12`` -> 2011-04-01..2012-03-31; ``2016/17 - 20/21`` -> 2016-04-01..2021-03-31.
    """
    if m := _YEAR.match(text):
        year = int(m[1])
        return date(year, 1, 1), date(year, 12, 31)
    if m := _YEARS.match(text):
        start = int(m[1])
        return date(start, 1, 1), date(_later_year(start, int(m[2])), 12, 31)
    if (m := _FINANCIAL_YEAR.match(text)) and _next_of(int(m[1]), int(m[2])):
        start = int(m[1])
        return date(start, 4, 1), date(start + 1, 3, 31)
    if (m := _FINANCIAL_YEARS.match(text)) and _next_of(int(m[1]), int(m[2])) and _next_of(int(m[3]), int(m[4])):
        start = int(m[1])
        last_start = _later_year(start, int(m[3]))
        return date(start, 4, 1), date(last_start + 1, 3, 31)
    raise ValueError(
        f"time period {text!r} is not a year (2022), years (2021 - 23), "
        "a financial year (2011/12) or financial years (2016/17 - 20/21)"
    )


def _checked(grid: Grid, i: int, j: int, pattern: re.Pattern[str], what: str) -> re.Match[str]:
    text = grid.cell(i, j)
    m = pattern.match(text)
    if not m:
        raise grid.error(f"{what} {text!r} is not in the expected format", row=i, col=j)
    return m


def _decimal_text(grid: Grid, i: int, j: int) -> str | None:
    number = grid_number(grid, i, j)
    return None if number.value is None else str(number.value)


def _record(grid: Grid, i: int, col: dict[str, int]) -> dict[str, object]:
    time_period = grid.cell(i, col["time_period"])
    try:
        start, end = period_dates(time_period)
    except ValueError as exc:
        raise grid.error(str(exc), row=i, col=col["time_period"]) from None
    sortable = _checked(grid, i, col["time_period_sortable"], _SORTABLE, "time period sortable")
    if int(sortable[1]) != start.year:
        raise grid.error(
            f"time period sortable {sortable[0]!r} does not start in {start.year} ({time_period!r})",
            row=i,
            col=col["time_period_sortable"],
        )
    value = grid_number(grid, i, col["value"])
    return {
        "indicator_id": int(_checked(grid, i, col["indicator_id"], _INDICATOR_ID, "indicator id")[0]),
        **{name: grid.cell(i, col[name]) for name in _TEXT},
        **{name: grid.cell(i, col[name]) or None for name in _OPTIONAL_TEXT},
        "area_code": _checked(grid, i, col["area_code"], _AREA_CODE, "area code")[0],
        "time_period": time_period,
        "time_period_sortable": int(sortable[0]),
        "period_start_date": start.isoformat(),
        "period_end_date": end.isoformat(),
        "value": None if value.value is None else str(value.value),
        **{name: _decimal_text(grid, i, col[name]) for name in _NUMBERS},
        "value_status": value.status,
        "value_text": value.text,
        **grid.lineage(i),
    }


# Trafford Data Lab's indicator names -> (Fingertips id, the column holding the sex, Fingertips' age)
TRAFFORD_INDICATORS: dict[str, tuple[int, str, str]] = {
    "life expectancy at birth": (90366, "inequality", "All ages"),
    "healthy life expectancy at birth": (90362, "inequality", "All ages"),
    "under 75 mortality rate from causes considered preventable (per 100,000 population)": (93721, "unit", "<75 yrs"),
}
TRAFFORD_HEADINGS = ("area_code", "area_name", "area_type", "period", "indicator", "value", "compared_to_England")
_TRAFFORD_NOTE = "rounded to 1 decimal place by the republisher (Trafford Data Lab)"


def _trafford_record(grid: Grid, i: int, col: dict[str, int], indicator_id: int) -> dict[str, object]:
    name = grid.cell(i, col["indicator"])
    known = TRAFFORD_INDICATORS.get(" ".join(name.lower().split()))
    if known is None:
        raise grid.error(f"indicator {name!r} is not one this source declares", row=i, col=col["indicator"])
    if known[0] != indicator_id:
        raise grid.error(
            f"indicator {name!r} is Fingertips {known[0]}, but the catalogue loads this file as {indicator_id}",
            row=i,
            col=col["indicator"],
        )
    time_period = grid.cell(i, col["period"])
    try:
        start, end = period_dates(time_period)
    except ValueError as exc:
        raise grid.error(str(exc), row=i, col=col["period"]) from None
    # R writes a missing value as NA: not available, as the republisher had it
    value = (
        Number(None, "not_available", "NA")
        if grid.cell(i, col["value"]) == "NA"
        else grid_number(grid, i, col["value"])
    )
    sex = grid.cell(i, col[known[1]])
    if sex not in ("Male", "Female", "Persons"):
        raise grid.error(f"sex {sex!r} is not Male, Female or Persons", row=i, col=col[known[1]])
    return {
        "indicator_id": indicator_id,
        "indicator_name": name,
        "parent_code": None,
        "parent_name": None,
        "area_code": _checked(grid, i, col["area_code"], _AREA_CODE, "area code")[0],
        "area_name": grid.cell(i, col["area_name"]),
        "area_type": grid.cell(i, col["area_type"]),
        "sex": sex,
        "age": known[2],
        "category_type": None,
        "category": None,
        "time_period": time_period,
        "time_period_sortable": int(f"{start.year}0000"),
        "period_start_date": start.isoformat(),
        "period_end_date": end.isoformat(),
        "value": None if value.value is None else str(value.value),
        "lower_ci_95": None,
        "upper_ci_95": None,
        "count": None,
        "denominator": None,
        "value_status": value.status,
        "value_text": value.text,
        "value_note": _TRAFFORD_NOTE if value.value is not None else None,
        "compared_to_england": grid.cell(i, col["compared_to_england"]) or None,
        **grid.lineage(i),
    }


def _parse_trafford(grid: Grid, header: int, period: str) -> list[dict]:
    if not period.isdigit():
        raise grid.error(
            f"a republished file holds one indicator: its partition is the indicator id (e.g. 90366), not {period!r}",
            row=header,
        )
    names = {"compared_to_england": ("compared_to_England",), "unit": ("unit",), "inequality": ("inequality",)}
    names |= {h: (h,) for h in TRAFFORD_HEADINGS if h != "compared_to_England"}
    col = columns_by_heading(grid, header, names)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if any(c.strip() for c in row):
            records.append(_trafford_record(grid, i, col, int(period)))
        else:
            grid.skip(i, "blank")
    return records


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    trafford = next((i for i, r in enumerate(grid.rows[:5]) if looks_like_header(r, TRAFFORD_HEADINGS)), None)
    if trafford is not None:
        records = _parse_trafford(grid, trafford, period)
        if not records:
            raise grid.error("no data rows below the header", row=trafford)
        return pd.DataFrame.from_records(records, columns=list(COLUMNS))
    if period != ALL_PERIODS:
        raise grid.error(f"the API file holds every time period; expected period {ALL_PERIODS!r}, got {period!r}")
    header = grid.find_row(_is_header_row, what="header row (a row of Fingertips column headings)")
    col = columns_by_heading(grid, header, {name: (heading,) for heading, name in HEADINGS.items()})
    records = []
    for i, row in grid.iter_rows(header + 1):
        if any(row):
            records.append(_record(grid, i, col))
        else:
            grid.skip(i, "blank")
    if not records:
        raise grid.error("no data rows below the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
