"""ONS Open Geography: Local Authority District to Fire and Rescue Authority lookup, England and
Wales.

ONS publishes ``LAD24_FRA24_EW_LU`` (``LAD24CD, LAD24NM, FRA24CD, FRA24NM``); the bundled copy is
geographr's republication (``ltla24_name, ltla24_code, fra24_name, fra24_code``). One row per
district with its fire and rescue authority area (E31...). Where a combined authority is the
fire authority (Greater Manchester), MHCLG's returns have no row for the fire authority: its spend
is in the combined authority's own row.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import gss, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    *gss("lad", "lad", r"^[EW]0[6-9]\d{6}$", "a GSS district code"),
    *gss("fra", "fra", r"^(E31|W25)\d{6}$", "a fire and rescue authority code (E31... / W25...)"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data, source_id=ID, file=file, period=period, fields=FIELDS, vintage_field="lad_code", key=["lad_code"]
    )
