"""NHS England allocations model: GP practice registered and need-weighted populations.

As shipped in NHS England's place-based allocation tool (nhsx/AIF_Allocation_Tool, ``data/``): one
row per GP practice in England with its ICB (``ICS22`` ODS code, ``ICS22name``), NHS region
(``R22``), district (``LAD21``, ``LTLA21``), registered population (``pop 2022/23``; the header
keeps that label in every year's file) and need-weighted populations by allocation component
(``G&A WP`` general and acute, ``CS WP`` community services, ``MH WP`` mental health, ``Mat WP``
maternity, ``Health Ineq WP`` health inequalities, ``Prescr WP`` prescribing, ``Final WP`` core
services overall, ``Primary Medical Care WP``, ``Final PMC WP`` primary medical care overall).

This is how NHS England apportions an ICB's allocation to "place": the ICB's money for a district
is its allocation x (weighted population of its practices in the district / the ICB's total).
Output: one row per practice per component (the registered population is a component too).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pandas as pd

from ingest.sheets import read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE, columns_by_name, find_header, is_blank_row

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "practice_code": "VARCHAR",
    "practice_name": "VARCHAR",
    "icb_ods_code": "VARCHAR",
    "icb_name": "VARCHAR",
    "nhs_region_code": "VARCHAR",
    "lad_code": "VARCHAR",
    "lad_name": "VARCHAR",
    "component_code": "VARCHAR",
    "component_label": "VARCHAR",
    "population": "DOUBLE",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

_IDENTITY = {
    "practice_code": "Practice_Code",
    "practice_name": "GP_Practice_Name",
    "icb_ods_code": "ICS22",
    "icb_name": "ICS22name",
    "nhs_region_code": "R22",
    "lad_code": "LAD21",
    "lad_name": "LTLA21",
}
# published header -> component code (the registered list is the simple alternative to weighting)
COMPONENTS = {
    "pop 2022/23": "registered",
    "G&A WP": "general_and_acute",
    "CS WP": "community_services",
    "MH WP": "mental_health",
    "Mat WP": "maternity",
    "Health Ineq WP": "health_inequalities",
    "Prescr WP": "prescribing",
    "Final WP": "core_services",
    "Primary Medical Care WP": "primary_medical_care_need",
    "Final PMC WP": "primary_medical_care",
}
_ODS = re.compile(r"^Q[A-Z0-9]{2}$")
_PERIOD = re.compile(r"^\d{4}-\d{2}$")


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    if not _PERIOD.match(period):
        raise grid.error(f"period {period!r} is not a financial year like 2023-24")
    header = find_header(grid, ["Practice_Code", "ICS22", "LAD21", "Final WP"])
    ident = columns_by_name(grid, header, _IDENTITY)
    comps = columns_by_name(grid, header, {code: label for label, code in COMPONENTS.items()})
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        values = {field: grid.cell(i, j).strip() for field, j in ident.items()}
        if not _ODS.match(values["icb_ods_code"]):
            raise grid.error(
                f"ICB code {values['icb_ods_code']!r} is not an ODS code (Qxx)", row=i, col=ident["icb_ods_code"]
            )
        if not GSS_CODE.match(values["lad_code"]):
            raise grid.error(f"district code {values['lad_code']!r} is not a GSS code", row=i, col=ident["lad_code"])
        for code, j in comps.items():
            text = grid.cell(i, j).strip()
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise grid.error(f"{text!r} is not a population", row=i, col=j) from None
            if not number.is_finite():  # Decimal reads 'NaN' and 'Infinity'
                raise grid.error(f"{text!r} is not a population", row=i, col=j)
            if number < 0:
                raise grid.error(f"population {text} is negative", row=i, col=j)
            records.append(
                {
                    **values,
                    "component_code": code,
                    "component_label": grid.rows[header][j].strip(),
                    "population": str(number),
                    **grid.lineage(i, j),
                }
            )
    if not records:
        raise grid.error("no practice rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
