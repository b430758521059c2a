"""ONS Open Geography: Local Authority District to Region lookup in England.

One row per English district with the ONS region (E12) it lies in. ONS publishes
``LAD23_RGN23_EN_LU`` (``LAD23CD, LAD23NM, RGN23CD, RGN23NM``); the bundled copy is geographr's
republication (``ltla23_name, ltla23_code, region23_name, region23_code``). Both are read; the
vintage (``23`` = May 2023) is kept in ``vintage_year``. Regions are the comparators of the
England build's places.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import Field, gss, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    *gss("lad", "lad", r"^E0[6-9]\d{6}$", "a GSS district code"),
    Field("region_code", r"(?:rgn|region)(\d\d)(?:cd|_code)", r"^E12\d{6}$", "an ONS region code (E12...)"),
    Field("region_name", r"(?:rgn|region)(\d\d)(?:nm|_name)"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data, source_id=ID, file=file, period=period, fields=FIELDS, vintage_field="lad_code", key=["lad_code"]
    )
