"""ONS Open Geography: LSOA (2021) to Sub-ICB Location to Integrated Care Board lookup in England.

ONS publishes ``LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU`` (``LSOA21CD, SICBL24CD, SICBL24CDH,
ICB24CD, ICB24CDH, ICB24NM, ...``); the bundled copy is geographr's republication, which kept the
LSOA, sub-ICB and ICB columns (``lsoa21_code, sicbl24_code, sicbl24_code_nhs, icb24_code,
icb24_code_nhs, icb24_name``). ICB codes come twice: the GSS code (``E54000055``) and the NHS
code (``QHL``), which is how NHS money is published. With the LSOA to district lookup
(``ons_lsoa_ward_lad_lookup``) it places every district in its ICB. One row per LSOA.
"""

from __future__ import annotations

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.lookup import Field, lookup_columns, parse_lookup

ID = source_id(__name__)  # the module's name is the source id

FIELDS = (
    Field("lsoa_code", r"lsoa(\d\d)(?:cd|_code)", r"^[EW]01\d{6}$", "an LSOA code (E01...)"),
    Field("sicbl_code", r"sicbl(\d\d)(?:cd|_code)", r"^E38\d{6}$", "a sub-ICB location code (E38...)"),
    Field("sicbl_ods_code", r"sicbl(\d\d)(?:cdh|_code_nhs)", r"^[0-9A-Z]{3,5}$", "an NHS sub-ICB code"),
    Field("icb_code", r"icb(\d\d)(?:cd|_code)", r"^E54\d{6}$", "an ICB code (E54...)"),
    Field("icb_ods_code", r"icb(\d\d)(?:cdh|_code_nhs)", r"^Q[A-Z0-9]{2}$", "an NHS ICB code (Qxx)"),
    Field("icb_name", r"icb(\d\d)(?:nm|_name)"),
)
COLUMNS = lookup_columns(FIELDS)


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_lookup(
        data, source_id=ID, file=file, period=period, fields=FIELDS, vintage_field="icb_code", key=["lsoa_code"]
    )
