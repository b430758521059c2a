"""Birmingham and Solihull ICS: electoral ward to care locality.

The Birmingham and Solihull outcomes framework's lookup (``data/ward_to_locality.csv``): a fully
quoted CSV ``"ParentCode","ParentName","AreaCode","AreaName","Locality"``, one row per ward.
Birmingham's 69 wards (2018 boundaries) fall in five care localities (Central, North, East,
West, South); Solihull's 17 wards all carry the locality ``Solihull``. The file states no date;
its ward codes are all current in ONS's December 2022 ward set.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE, columns_by_name, find_header, is_blank_row

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "la_code": "VARCHAR",
    "la_name": "VARCHAR",
    "ward_code": "VARCHAR",
    "ward_name": "VARCHAR",
    "locality_name": "VARCHAR",
    "_source_row": "INTEGER",
}

_HEADER = {
    "la_code": "ParentCode",
    "la_name": "ParentName",
    "ward_code": "AreaCode",
    "ward_name": "AreaName",
    "locality_name": "Locality",
}
_WARD_CODE = re.compile(r"^E05\d{6}$")


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    header = find_header(grid, ["AreaCode", "Locality"])
    cols = columns_by_name(grid, header, _HEADER)
    records = []
    first_row: dict[str, int] = {}
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        record = {field: grid.cell(i, j) for field, j in cols.items()}
        ward, la = record["ward_code"], record["la_code"]
        if not _WARD_CODE.match(ward):
            raise grid.error(f"{ward!r} is not a ward code (E05 and six digits)", row=i, col=cols["ward_code"])
        if not GSS_CODE.match(la):
            raise grid.error(f"{la!r} is not a GSS district code", row=i, col=cols["la_code"])
        if not record["locality_name"]:
            raise grid.error(f"ward {ward} has no locality", row=i, col=cols["locality_name"])
        if ward in first_row:
            raise grid.error(
                f"ward {ward} is listed twice (first at row {first_row[ward] + 1})", row=i, col=cols["ward_code"]
            )
        first_row[ward] = i
        records.append(record | grid.lineage(i))
    if not records:
        raise grid.error("no ward rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
