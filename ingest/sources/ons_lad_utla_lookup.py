"""ONS Open Geography: Lower Tier Local Authority to Upper Tier Local Authority lookup, England and
Wales.

One row per district with the upper-tier area it lies in: a shire district (E07) in its county
(E10); a unitary authority, metropolitan district or London borough in itself. ONS publishes
``LTLA23_UTLA23_EW_LU`` (``LTLA23CD, LTLA23NM, UTLA23CD, UTLA23NM``); the bundled copy is
geographr's republication (``ltla23_code, ltla23_name, utla23_code, utla23_name``). Both are read;
the vintage (``23`` = April 2023) is kept in ``vintage_year``. The upper-tier areas are the places
the England build reports on.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import Field, gss, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    *gss("lad", "lad", r"^[EW]0[6-9]\d{6}$", "a GSS district code"),
    Field("utla_code", r"utla(\d\d)(?:cd|_code)", r"^(?:[EW]0[6-9]|E10)\d{6}$", "an upper-tier area code"),
    Field("utla_name", r"utla(\d\d)(?:nm|_name)"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data, source_id=ID, file=file, period=period, fields=FIELDS, vintage_field="lad_code", key=["lad_code"]
    )
