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

from ingest.sources import source_id
from ingest.sources.shared.mhclg import ITEM_COLUMNS, parse_item_sheet

ID = source_id(__name__)  # the module's name is the source id
TITLE = re.compile(r"Service Expenditure Summary|RSX", re.IGNORECASE)

COLUMNS: dict[str, str] = ITEM_COLUMNS


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_item_sheet(data, source_id=ID, file=file, period=period, title=TITLE)
