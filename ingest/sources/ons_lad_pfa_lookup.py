"""ONS Open Geography: Local Authority District to Community Safety Partnership to Police Force
Area lookup, England and Wales.

ONS publishes ``LAD24_CSP24_PFA24_EW_LU`` (``LAD24CD, LAD24NM, CSP24CD, CSP24NM, PFA24CD,
PFA24NM``); the bundled copy is geographr's republication (``ltla24_code, ..., pfa24_code,
pfa24_name``). It repeats a district once per old community safety partnership that still exists
after a merger (Buckinghamshire four times): those repeats agree on the police force area and are
skipped, so the output is one row per district with its police force area (E23...), whose
police and crime commissioner's spend is in MHCLG's returns.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import gss, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    *gss("lad", "lad", r"^[EW]0[6-9]\d{6}$", "a GSS district code"),
    *gss("pfa", "pfa", r"^(E23|W15)\d{6}$", "a police force area code (E23... / W15...)"),
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
        key=["lad_code"],
        repeated_key="the district again, for another community safety partnership (same police force area)",
    )
