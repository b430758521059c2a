"""MHCLG Revenue Account (RA) budget, individual local authority data.

One sheet per year (ODS, earlier XLSX), net current expenditure budgets in £ thousand by
authority and RA form line. Output: one row per authority (and the England total) per line.
Lines are identified by the form line number (``110`` early years ... ``799`` total service
expenditure, ``849`` net current expenditure, ``990`` council tax requirement) and, from 2023-24
on, by the asset id printed above the header (``eduerl``, ``servicetot``, ``ctrtot``).
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sheets import grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.mhclg import has_la_table, identity_columns, identity_record, read_la_table

ID = source_id(__name__)  # the module's name is the source id
TITLE = re.compile(r"Revenue Account", re.IGNORECASE)

COLUMNS: dict[str, str] = {
    **identity_columns(),
    "line_number": "INTEGER",
    "asset_id": "VARCHAR",
    "section": "VARCHAR",
    "line_title": "VARCHAR",
    "value_gbp_thousands": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file, sheet=has_la_table)
    table = read_la_table(grid, expect_title=TITLE, period=period)
    if "line_number" not in table.meta:
        raise grid.error("no row of form line numbers above the header", row=table.header_row)
    lines = table.meta["line_number"]
    assets = table.meta.get("asset_id", [""] * len(table.data_cols))
    sections = table.meta.get("section", [""] * len(table.data_cols))
    titles = table.meta["title"]
    records = []
    for i, kind in table.rows:
        ident = identity_record(table, i, kind)
        for k, j in enumerate(table.data_cols):
            number = grid_number(grid, i, j)
            records.append(
                {
                    **ident,
                    "line_number": int(lines[k]) if lines[k] else None,
                    "asset_id": assets[k] or None,
                    "section": sections[k] or None,
                    "line_title": titles[k],
                    "value_gbp_thousands": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, j),
                }
            )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
