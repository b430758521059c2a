"""ONS Open Geography: Local Authority District to Combined Authority lookup in England.

One row per district in a combined authority (districts outside one are absent): ONS publishes it
as ``LAD23CD,LAD23NM,CAUTH23CD,CAUTH23NM,ObjectId`` (UTF-8 with a BOM); geographr republishes the
same values as ``ltla23_name,ltla23_code,cauth23_name,cauth23_code``. Both are read (``_lookup``);
the vintage (``23`` = May 2023) is kept in ``vintage_year``. A district is in one combined
authority: a second, different row for it is an error.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import gss, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    *gss("lad", "lad", r"^E0[6-9]\d{6}$", "a GSS district code"),
    *gss("cauth", "cauth", r"^E47\d{6}$", "a combined authority code (E47...)"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data, source_id=ID, file=file, period=period, fields=FIELDS, vintage_field="lad_code", key=["lad_code"]
    )
