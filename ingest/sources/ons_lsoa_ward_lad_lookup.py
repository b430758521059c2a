"""ONS Open Geography: LSOA (2021) to electoral ward to local authority district lookup.

ONS publishes ``LSOA21_WD24_LAD24_EW_LU`` (``LSOA21CD, LSOA21NM, WD24CD, WD24NM, LAD24CD,
LAD24NM, ...``); the bundled copy is geographr's republication (``lsoa21_code, ward24_code,
ward24_name, ltla24_code, ltla24_name``), England and Wales. One row per LSOA; the vintage is the
district's (``24`` = May 2024).
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import Field, gss, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    Field("lsoa_code", r"lsoa(\d\d)(?:cd|_code)", r"^[EW]01\d{6}$", "an LSOA code (E01... / W01...)"),
    *gss("w(?:d|ard)", "ward", r"^[EW]05\d{6}$", "a ward code (E05... / W05...)"),
    *gss("lad", "lad", r"^[EW]0[6-9]\d{6}$", "a GSS district code"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data, source_id=ID, file=file, period=period, fields=FIELDS, vintage_field="lad_code", key=["lsoa_code"]
    )
