"""ONS Open Geography: Local Authority District (December 2022) to Local Authority District (April
2023) lookup, UK.

One row per December 2022 district with the April 2023 district it became: the same code, except
where the 2023 reorganisations merged districts into new unitary authorities (Allerdale, Carlisle
and Copeland into Cumberland; Barrow-in-Furness, Eden and South Lakeland into Westmorland and
Furness; the seven North Yorkshire districts into North Yorkshire; the four Somerset districts into
Somerset). ONS publishes ``LAD22_LAD23_UK_LU`` (``LAD22CD, LAD22NM, LAD23CD, LAD23NM``); the bundled
copy is geographr's republication (``ltla22_code, ltla22_name, ltla23_code, ltla23_name``). Both
are read; the vintage kept is the successor's (``23``). Earlier years' returns of predecessor
authorities map to the 2023 places through it.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import Field, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

_DISTRICT = r"^[EWSN]\d{8}$"
FIELDS = (
    Field("predecessor_code", r"(?:lad|ltla)(22)(?:cd|_code)", _DISTRICT, "a GSS district code"),
    Field("predecessor_name", r"(?:lad|ltla)(22)(?:nm|_name)"),
    Field("lad_code", r"(?:lad|ltla)(23)(?:cd|_code)", _DISTRICT, "a GSS district code"),
    Field("lad_name", r"(?:lad|ltla)(23)(?:nm|_name)"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data,
        source_id=ID,
        file=file,
        period=period,
        fields=FIELDS,
        vintage_field="lad_code",
        key=["predecessor_code"],
    )
