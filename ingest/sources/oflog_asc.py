"""Office for Local Government (Oflog) Local Authority Data Explorer: adult social care measures.

One long CSV holds every financial year (2015-16 to 2022-23 in the bundled copy), one row per
council with social care duties, year and measure:

``Financial year,Local authority code,Local authority name,Grouping,Entity_Name,Region,Measure,
Code,Value,MEDIAN,MADs_from_median,rank_order``

Measures are coded ``ASC1`` (carer quality of life) ... ``ASC7`` (workforce turnover); some are
only collected in survey years (ASC1 and ASC4 every other year). ``MEDIAN`` is the median over all
councils for that year and measure, ``MADs_from_median`` the council's distance from it in median
absolute deviations, ``rank_order`` the direction of ranking as published (``desc``, ``DESC`` or
the text ``None``). A blank ``Value`` means not published (its distance and rank order are blank
too): kept as status ``blank``, never as zero. Councils reorganised during the span appear under
each of their codes (Dorset and Buckinghamshire became unitary), so join on codes, not names.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import columns_by_heading, looks_like_header

ID = source_id(__name__)  # the module's name is the source id
ALL_PERIODS = "all"

COLUMNS: dict[str, str] = {
    "financial_year": "VARCHAR",
    "la_code": "VARCHAR",
    "la_name": "VARCHAR",
    "grouping": "VARCHAR",
    "entity_name": "VARCHAR",
    "region": "VARCHAR",
    "measure_name": "VARCHAR",
    "measure_code": "VARCHAR",
    "value": "DOUBLE",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "median_value": "DOUBLE",
    "mads_from_median": "DOUBLE",
    "rank_order": "VARCHAR",
    "_source_row": "INTEGER",
}

# Publisher's heading (compared case-insensitively) -> output column.
HEADINGS: dict[str, str] = {
    "Financial year": "financial_year",
    "Local authority code": "la_code",
    "Local authority name": "la_name",
    "Grouping": "grouping",
    "Entity_Name": "entity_name",
    "Region": "region",
    "Measure": "measure_name",
    "Code": "measure_code",
    "Value": "value",
    "MEDIAN": "median_value",
    "MADs_from_median": "mads_from_median",
    "rank_order": "rank_order",
}

_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_LA_CODE = re.compile(r"^E\d{8}$")
_MEASURE_CODE = re.compile(r"^[A-Z]+\d+$")


def _is_header_row(row: list[str]) -> bool:
    return looks_like_header(row, HEADINGS)


def is_financial_year(text: str) -> bool:
    """``2016-17``: four-digit start year, then the next year's last two digits."""
    m = _FINANCIAL_YEAR.match(text)
    return bool(m) and (int(m[1]) + 1) % 100 == int(m[2])


def _check_period(period: str, grid: Grid) -> None:
    if period != ALL_PERIODS and not is_financial_year(period):
        raise grid.error(f"period {period!r} is neither {ALL_PERIODS!r} nor a financial year such as 2021-22")


def _checked(grid: Grid, i: int, j: int, pattern: re.Pattern[str], what: str) -> str:
    text = grid.cell(i, j)
    if not pattern.match(text):
        raise grid.error(f"{what} {text!r} is not in the expected format", row=i, col=j)
    return text


def _decimal_text(grid: Grid, i: int, j: int) -> str | None:
    number = grid_number(grid, i, j)
    return None if number.value is None else str(number.value)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    _check_period(period, grid)
    header = grid.find_row(_is_header_row, what="header row (a row of Oflog column headings)")
    col = columns_by_heading(grid, header, {name: (heading,) for heading, name in HEADINGS.items()})
    records = []
    for i, row in grid.iter_rows(header + 1):
        if not any(row):
            grid.skip(i, "blank")
            continue
        year = grid.cell(i, col["financial_year"])
        if not is_financial_year(year):
            raise grid.error(f"financial year {year!r} is not like 2021-22", row=i, col=col["financial_year"])
        if period != ALL_PERIODS and year != period:
            raise grid.error(f"row is for {year}, not the period {period}", row=i, col=col["financial_year"])
        value = grid_number(grid, i, col["value"])
        records.append(
            {
                "financial_year": year,
                "la_code": _checked(grid, i, col["la_code"], _LA_CODE, "local authority code"),
                "la_name": grid.cell(i, col["la_name"]),
                "grouping": grid.cell(i, col["grouping"]) or None,
                "entity_name": grid.cell(i, col["entity_name"]) or None,
                "region": grid.cell(i, col["region"]) or None,
                "measure_name": grid.cell(i, col["measure_name"]),
                "measure_code": _checked(grid, i, col["measure_code"], _MEASURE_CODE, "measure code"),
                "value": None if value.value is None else str(value.value),
                "value_status": value.status,
                "value_text": value.text,
                "median_value": _decimal_text(grid, i, col["median_value"]),
                "mads_from_median": _decimal_text(grid, i, col["mads_from_median"]),
                "rank_order": grid.cell(i, col["rank_order"]) or None,
                **grid.lineage(i),
            }
        )
    if not records:
        raise grid.error("no data rows below the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
