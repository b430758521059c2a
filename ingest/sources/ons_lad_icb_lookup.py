"""ONS Open Geography: Local Authority District to Sub ICB Location to Integrated Care Board lookup.

As published (e.g. the April 2023 lookup in England): CSV, UTF-8 with a BOM, columns such as
``LAD23CD, LAD23NM, SICBL23CD, SICBL23CDH, SICBL23NM, ICB23CD, ICB23CDH, ICB23NM`` (and in some
editions the NHS region and an ``ObjectId``). ``ICB23CD`` is the GSS code (E54...), ``ICB23CDH``
the NHS ODS code (``QHL``). The field names carry the vintage and change with it, so columns are
found by pattern and the vintage is kept in ``vintage_year``; sub-ICB and other columns are
ignored. One output row per published row: a district split between sub-ICB locations appears
once per location.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import read_grid
from ingest.sources._columns import GSS_CODE, columns_by_vintage, find_vintage_header, is_blank_row

SOURCE_ID = "ons_lad_icb_lookup"

COLUMNS: dict[str, str] = {
    "lad_code": "VARCHAR",
    "lad_name": "VARCHAR",
    "icb_code": "VARCHAR",
    "icb_ods_code": "VARCHAR",
    "icb_name": "VARCHAR",
    "vintage_year": "INTEGER",
    "_source_row": "INTEGER",
}

_PATTERNS = {
    "lad_code": r"LAD(\d\d)CD",
    "lad_name": r"LAD(\d\d)NM",
    "icb_code": r"ICB(\d\d)CD",
    "icb_ods_code": r"ICB(\d\d)CDH",
    "icb_name": r"ICB(\d\d)NM",
}
_ICB_CODE = re.compile(r"^E54\d{6}$")
_ODS_CODE = re.compile(r"^Q[A-Z0-9]{2}$")


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=SOURCE_ID, file=file)
    header = find_vintage_header(grid, _PATTERNS["lad_code"])
    cols, vintage = columns_by_vintage(grid, header, _PATTERNS)
    if period != str(vintage):
        raise grid.error(f"the columns are for {vintage} but the catalogue loads the file as {period}", row=header)
    checks = (
        ("lad_code", GSS_CODE, "a GSS district code"),
        ("icb_code", _ICB_CODE, "an ICB GSS code (E54...)"),
        ("icb_ods_code", _ODS_CODE, "an ICB ODS code (Qxx)"),
    )
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        for field, pattern, what in checks:
            value = grid.cell(i, cols[field])
            if not pattern.match(value):
                raise grid.error(f"{value!r} is not {what}", row=i, col=cols[field])
        records.append(
            {field: grid.cell(i, j) for field, j in cols.items()} | {"vintage_year": vintage} | grid.lineage(i)
        )
    if not records:
        raise grid.error("no rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
