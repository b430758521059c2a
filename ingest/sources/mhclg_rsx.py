"""MHCLG Revenue Outturn (RO) Service Expenditure Summary (RSX), individual local authority data.

Outturn in £ thousand by authority, service (``edu``, ``trans``, ``csc``, ``asc``, ``phs``,
``hous``, ``cul``, ``env``, ``plan``, ``pol``, ``frs``, ``cen``, ``oth``, and ``totsx`` total
service expenditure) and measure (employees ... ``net-cur-exp`` net current expenditure), from
the item codes printed above the header (``RSX-edu-net-cur-exp``, cell ``C7R190``).
A return that was not submitted shows ``[x]``: kept as not available, never as zero.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import grid_number, read_grid
from ingest.sources._mhclg import has_la_table, identity_columns, identity_record, read_la_table

SOURCE_ID = "mhclg_rsx"
TITLE = re.compile(r"Service Expenditure Summary|RSX", re.IGNORECASE)
_ITEM = re.compile(r"^(?P<form>[A-Z][A-Z0-9]*)-(?P<service>[a-z0-9]+)-(?P<measure>[a-z0-9-]+)$")
_CELL = re.compile(r"^C(?P<col>\d+)R(?P<row>\d+)$")

COLUMNS: dict[str, str] = {
    **identity_columns(),
    "item_code": "VARCHAR",
    "service_code": "VARCHAR",
    "measure_code": "VARCHAR",
    "cell_ref": "VARCHAR",
    "line_number": "INTEGER",
    "column_number": "INTEGER",
    "column_title": "VARCHAR",
    "value_gbp_thousands": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=SOURCE_ID, file=file, sheet=has_la_table)
    table = read_la_table(grid, expect_title=TITLE, period=period)
    if "item_code" not in table.meta:
        raise grid.error("no row of item codes (RSX-<service>-<measure>) above the header", row=table.header_row)
    items = []
    for k, j in enumerate(table.data_cols):
        code = table.meta["item_code"][k]
        m = _ITEM.match(code)
        if not m:
            raise grid.error(f"item code {code!r} is not <form>-<service>-<measure>", col=j)
        cell = _CELL.match(table.meta.get("cell_ref", [""] * len(table.data_cols))[k])
        items.append((j, code, m["service"], m["measure"], cell))
    records = []
    for i, kind in table.rows:
        ident = identity_record(table, i, kind)
        for k, (j, code, service, measure, cell) in enumerate(items):
            number = grid_number(grid, i, j)
            records.append(
                {
                    **ident,
                    "item_code": code,
                    "service_code": service,
                    "measure_code": measure,
                    "cell_ref": cell.group(0) if cell else None,
                    "line_number": int(cell["row"]) if cell else None,
                    "column_number": int(cell["col"]) if cell else None,
                    "column_title": table.meta["title"][k],
                    "value_gbp_thousands": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, j),
                }
            )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
