"""NHS Digital ASC-FR activity data file: activity by council, data type, age band, primary
support reason, care type, support setting, purpose and provision (in house / external).

Long: one ``ItemValue`` per row (``UUID`` identifies the data item). What each ``DataType_KEY``
measures is in the publisher's reference sheet, which is not held: values are kept as published
with their keys. See _ascfr for the shared layout.
"""

from __future__ import annotations

import pandas as pd

from ingest.sheets import grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.ascfr import financial_year_ending, identity, key_values, locate

ID = source_id(__name__)  # the module's name is the source id

KEYS = {
    "data_type_key": "DataType_KEY",
    "age_band_key": "AgeBand_KEY",
    "primary_support_reason_key": "PrimarySupportReason_KEY",
    "care_type_key": "CareType_KEY",
    "support_setting_key": "SupportSetting_KEY",
    "purpose_key": "Purpose_KEY",
    "activity_provision_key": "ActivityProvision_KEY",
}
VALUE = {"item_value": "ItemValue"}

COLUMNS: dict[str, str] = {
    "uuid": "VARCHAR",
    "financial_year": "VARCHAR",
    "geography_level": "VARCHAR",
    "cassr_code": "VARCHAR",
    "area_code": "VARCHAR",
    "region_code": "VARCHAR",
    **{k: "VARCHAR" for k in KEYS},
    "item_value": "DOUBLE",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
}


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    fy_ending = financial_year_ending(period, grid)
    header, cols = locate(grid, {"uuid": "UUID", **KEYS}, VALUE)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if not any(c.strip() for c in row):
            grid.skip(i, "blank")
            continue
        number = grid_number(grid, i, cols["item_value"])
        keys = key_values(grid, i, cols, KEYS)
        records.append(
            {
                "uuid": grid.cell(i, cols["uuid"]).strip() if cols["uuid"] is not None else None,
                **identity(grid, i, cols, fy_ending),
                **keys,
                "item_value": None if number.value is None else str(number.value),
                "value_status": number.status,
                "value_text": number.text,
                **grid.lineage(i),
            }
        )
    if not records:
        raise grid.error("no data rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
