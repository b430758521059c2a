"""NHS Digital ASC-FR finance data file (totals): adult social care expenditure and income by
council, care type, age band, primary support reason, support setting and purpose.

Wide: six measures per row (``TOTALEXPENDITURE``, ``TOTALINCOME``, ``NETTOTALEXPENDITURE``,
``GROSSTOTALEXPENDITURE``, ``NETCURRENTEXPENDITURE``, ``GROSSCURRENTEXPENDITURE``), £ thousands.
Output: one row per published cell (row x measure). See _ascfr for the shared layout.
"""

from __future__ import annotations

import pandas as pd

from ingest.sheets import grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.ascfr import financial_year_ending, identity, key_values, locate

ID = source_id(__name__)  # the module's name is the source id

KEYS = {
    "care_type_key": "CareType_KEY",
    "age_band_key": "AgeBand_KEY",
    "primary_support_reason_key": "PrimarySupportReason_KEY",
    "support_setting_key": "SupportSetting_KEY",
    "purpose_key": "Purpose_KEY",
    "carer_support_type_key": "CarerSupportType_KEY",
    "data_type_key": "DataType_KEY",
}
MEASURES = {
    "total_expenditure": "TOTALEXPENDITURE",
    "total_income": "TOTALINCOME",
    "net_total_expenditure": "NETTOTALEXPENDITURE",
    "gross_total_expenditure": "GROSSTOTALEXPENDITURE",
    "net_current_expenditure": "NETCURRENTEXPENDITURE",
    "gross_current_expenditure": "GROSSCURRENTEXPENDITURE",
}

COLUMNS: dict[str, str] = {
    "financial_year": "VARCHAR",
    "geography_level": "VARCHAR",
    "cassr_code": "VARCHAR",
    "area_code": "VARCHAR",
    "region_code": "VARCHAR",
    **{k: "VARCHAR" for k in KEYS},
    "measure_code": "VARCHAR",
    "value_gbp_thousands": "DECIMAL(18,5)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    fy_ending = financial_year_ending(period, grid)
    header, cols = locate(grid, KEYS, MEASURES)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if not any(c.strip() for c in row):
            grid.skip(i, "blank")
            continue
        ident = identity(grid, i, cols, fy_ending)
        keys = key_values(grid, i, cols, KEYS)
        for measure in MEASURES:
            j = cols[measure]
            number = grid_number(grid, i, j)
            records.append(
                {
                    **ident,
                    **keys,
                    "measure_code": measure,
                    "value_gbp_thousands": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, j),
                }
            )
    if not records:
        raise grid.error("no data rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
