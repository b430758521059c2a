"""ONS Open Geography: Local Authority District to Combined Authority lookup in England.

One row per district in a combined authority (districts outside one are absent), as published
(e.g. "Local Authority District to Combined Authority (April 2023) Lookup in England"): CSV, UTF-8
with a BOM, columns ``LAD23CD,LAD23NM,CAUTH23CD,CAUTH23NM`` and an ``ObjectId``. The field names
carry the boundary vintage (``23`` = April 2023) and change with it, so columns are found by
pattern and the vintage is kept in ``vintage_year``; extra columns are ignored.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import read_grid
from ingest.sources._columns import GSS_CODE, columns_by_vintage, find_vintage_header, is_blank_row

SOURCE_ID = "ons_lad_cauth_lookup"

COLUMNS: dict[str, str] = {
    "lad_code": "VARCHAR",
    "lad_name": "VARCHAR",
    "cauth_code": "VARCHAR",
    "cauth_name": "VARCHAR",
    "vintage_year": "INTEGER",
    "_source_row": "INTEGER",
}

_PATTERNS = {
    "lad_code": r"LAD(\d\d)CD",
    "lad_name": r"LAD(\d\d)NM",
    "cauth_code": r"CAUTH(\d\d)CD",
    "cauth_name": r"CAUTH(\d\d)NM",
}
_CAUTH_CODE = re.compile(r"^E47\d{6}$")


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=SOURCE_ID, file=file)
    header = find_vintage_header(grid, _PATTERNS["lad_code"])
    cols, vintage = columns_by_vintage(grid, header, _PATTERNS)
    if period != str(vintage):
        raise grid.error(f"the columns are for {vintage} but the catalogue loads the file as {period}", row=header)
    records = []
    cauth_of: dict[str, tuple[str, int]] = {}
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        lad, cauth = grid.cell(i, cols["lad_code"]), grid.cell(i, cols["cauth_code"])
        if not GSS_CODE.match(lad):
            raise grid.error(f"{lad!r} is not a GSS district code", row=i, col=cols["lad_code"])
        if not _CAUTH_CODE.match(cauth):
            raise grid.error(f"{cauth!r} is not a combined authority code (E47...)", row=i, col=cols["cauth_code"])
        if lad in cauth_of and cauth_of[lad][0] != cauth:
            earlier, first_row = cauth_of[lad]
            raise grid.error(
                f"district {lad} is also in {earlier} (row {first_row + 1}); a district is in one combined authority",
                row=i,
                col=cols["cauth_code"],
            )
        cauth_of.setdefault(lad, (cauth, i))
        records.append(
            {
                "lad_code": lad,
                "lad_name": grid.cell(i, cols["lad_name"]),
                "cauth_code": cauth,
                "cauth_name": grid.cell(i, cols["cauth_name"]),
                "vintage_year": vintage,
                **grid.lineage(i),
            }
        )
    if not records:
        raise grid.error("no rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
