"""ONS mid-year population estimates, through the Nomis API (dataset NM_2002_1).

NM_2002_1 is "population estimates - local authority based by single year of age". The catalogue
asks for one mid-year at a time with ``select=`` fixing the columns, so a response is a CSV with
the upper-case header ``DATE_NAME,GEOGRAPHY_NAME,GEOGRAPHY_CODE,GENDER_NAME,C_AGE_NAME,
MEASURES_NAME,OBS_VALUE,OBS_STATUS_NAME`` (text quoted, numbers bare) and one row per geography
(``gender=0`` total, ``c_age=200`` all ages, ``measures=20100`` the value).

Partitions are financial years: the denominator for FY ``yyyy-yy`` is the mid-``yyyy`` estimate
(30 June falls in the first quarter of the year), so the file for ``2021-22`` must hold mid-2021.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE, columns_by_name, find_header, is_blank_row

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "mid_year": "INTEGER",
    "geography_code": "VARCHAR",
    "geography_name": "VARCHAR",
    "gender": "VARCHAR",
    "age": "VARCHAR",
    "measure": "VARCHAR",
    "population": "BIGINT",
    "obs_status": "VARCHAR",
    "_source_row": "INTEGER",
}

_HEADER = {
    "mid_year": "DATE_NAME",
    "geography_name": "GEOGRAPHY_NAME",
    "geography_code": "GEOGRAPHY_CODE",
    "gender": "GENDER_NAME",
    "age": "C_AGE_NAME",
    "measure": "MEASURES_NAME",
    "population": "OBS_VALUE",
    "obs_status": "OBS_STATUS_NAME",
}
_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"\b(\d{4})\b")


def mid_year_for(period: str) -> int | None:
    """FY ``2021-22`` -> 2021 (the mid-year estimate that serves as its denominator)."""
    m = _FINANCIAL_YEAR.match(period)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        return None
    return int(m.group(1))


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    expected = mid_year_for(period)
    if expected is None:
        raise grid.error(f"period {period!r} is not a financial year such as 2021-22")
    header = find_header(grid, ["DATE_NAME", "GEOGRAPHY_CODE", "OBS_VALUE"])
    cols = columns_by_name(grid, header, _HEADER, optional=["obs_status"])
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        records.append(_record(grid, i, cols, expected, period))
    if not records:
        raise grid.error("Nomis returned a header and no rows (is every geography code known to NM_2002_1?)")
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _record(grid: Grid, i: int, cols: dict[str, int | None], expected: int, period: str) -> dict[str, object]:
    date_text = grid.cell(i, cols["mid_year"])
    years = _YEAR.findall(date_text)
    if len(years) != 1:
        raise grid.error(f"DATE_NAME {date_text!r} is not a year", row=i, col=cols["mid_year"])
    mid_year = int(years[0])
    if mid_year != expected:
        raise grid.error(
            f"the estimate is for mid-{mid_year} but the catalogue loads it as {period} (mid-{expected})",
            row=i,
            col=cols["mid_year"],
        )
    code = grid.cell(i, cols["geography_code"])
    if not GSS_CODE.match(code):
        raise grid.error(f"{code!r} is not a GSS area code", row=i, col=cols["geography_code"])
    j = cols["population"]
    number = grid_number(grid, i, j)
    if number.value is None or number.value != number.value.to_integral_value() or number.value < 0:
        raise grid.error(f"OBS_VALUE {number.text!r} is not a count of people", row=i, col=j)
    status_col = cols["obs_status"]
    return {
        "mid_year": mid_year,
        "geography_code": code,
        "geography_name": grid.cell(i, cols["geography_name"]),
        "gender": grid.cell(i, cols["gender"]),
        "age": grid.cell(i, cols["age"]),
        "measure": grid.cell(i, cols["measure"]),
        "population": int(number.value),
        "obs_status": (grid.cell(i, status_col) or None) if status_col is not None else None,
        **grid.lineage(i),
    }
