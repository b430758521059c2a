"""ONS Census 2021 usual resident population by local authority district, with the 2011 count.

The bundled file is a CSV converted from the data behind ONS's "How the population changed where
you live" visualisation (ONSvisual/census-population-scrolly, ``src/lib/poprank.js``): one row per
district of England and Wales (2021 boundaries), header
``lad_code,lad_name,region,census2011_usual_residents,census2021_usual_residents_rounded``;
the 2021 count is rounded to the nearest 100 as in ONS's first results, the 2011 count is exact.

A row repeated verbatim (as when a "top" list is followed by the full list) is dropped, keeping
the first; the same district with different figures is an error, not something to choose between.
The bundled copy has 331 districts and no repeats.
"""

from __future__ import annotations

import pandas as pd

from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources._columns import GSS_CODE, columns_by_name, find_header, is_blank_row

SOURCE_ID = "ons_census_population"
CENSUS_YEAR = "2021"

COLUMNS: dict[str, str] = {
    "lad_code": "VARCHAR",
    "lad_name": "VARCHAR",
    "region_name": "VARCHAR",
    "census2011_usual_residents": "BIGINT",
    "census2021_usual_residents_rounded": "BIGINT",
    "_source_row": "INTEGER",
}

_HEADER = {
    "lad_code": "lad_code",
    "lad_name": "lad_name",
    "region_name": "region",
    "census2011_usual_residents": "census2011_usual_residents",
    "census2021_usual_residents_rounded": "census2021_usual_residents_rounded",
}
_COUNTS = ("census2011_usual_residents", "census2021_usual_residents_rounded")


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=SOURCE_ID, file=file)
    header = find_header(grid, ["lad_code", "census2021_usual_residents_rounded"])
    if period != CENSUS_YEAR:
        raise grid.error(f"the file holds Census {CENSUS_YEAR} counts but the catalogue loads it as {period}")
    cols = columns_by_name(grid, header, _HEADER)
    records: list[dict[str, object]] = []
    first_seen: dict[str, tuple[int, tuple[object, ...]]] = {}
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        record = _record(grid, i, cols)
        code = str(record["lad_code"])
        figures = tuple(record[f] for f in _HEADER)
        if code in first_seen:
            first_row, first_figures = first_seen[code]
            if figures != first_figures:
                raise grid.error(
                    f"district {code} appears again with different figures (first at row {first_row + 1})",
                    row=i,
                    col=cols["lad_code"],
                )
            grid.skip(i, "exact repeat of an earlier row")
            continue  # keep the first
        first_seen[code] = (i, figures)
        records.append(record | grid.lineage(i))
    if not records:
        raise grid.error("no district rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _record(grid: Grid, i: int, cols: dict[str, int | None]) -> dict[str, object]:
    code = grid.cell(i, cols["lad_code"])
    if not GSS_CODE.match(code):
        raise grid.error(f"{code!r} is not a GSS district code", row=i, col=cols["lad_code"])
    record: dict[str, object] = {
        "lad_code": code,
        "lad_name": grid.cell(i, cols["lad_name"]),
        "region_name": grid.cell(i, cols["region_name"]) or None,
    }
    for field in _COUNTS:
        record[field] = _count(grid, i, cols[field])
    return record


def _count(grid: Grid, i: int, j: int) -> int:
    number = grid_number(grid, i, j)
    if number.value is None or number.value != number.value.to_integral_value() or number.value < 0:
        raise grid.error(f"{number.text!r} is not a count of people", row=i, col=j)
    return int(number.value)
