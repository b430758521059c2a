"""MHCLG Revenue Outturn Social Care and Public Health Services (RO3), individual local authority data.

Outturn in £ thousand by authority and RO3 line: children's social care (``cscsr`` ...
``csctot``), adult social care by primary support reason and age (``ascphyadl`` physical support
18-64 ... ``asctot``) and public health (``phsxlsti`` ... ``phtot``), each by measure (``empl``
... ``net-cur-exp``), keyed on the item codes (``RO3-asctot-net-cur-exp``), never on the header
text, which repeats across groups and carries footnote digits. The item codes sit above the
header to 2023-24 and in the sheet's hidden last row from 2024-25.

A return that was not submitted shows ``[x]``; ``[n]`` (no estimate) and ``[note 3]`` (withheld,
validation outstanding) are not available too. The publisher's files hold the odd stray text in
a value cell (2022-23: ``>`` for Wakefield): loaded as ``unreadable`` and logged with its row and
column, never as zero. RO3's totals are checked against RSX's service totals in dbt.
"""

from __future__ import annotations

import re

import pandas as pd

from ingest.sources import source_id
from ingest.sources.shared.mhclg import ITEM_COLUMNS, parse_item_sheet

ID = source_id(__name__)  # the module's name is the source id
TITLE = re.compile(r"Social Care and Public Health|RO3", re.IGNORECASE)

COLUMNS: dict[str, str] = ITEM_COLUMNS


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    return parse_item_sheet(data, source_id=ID, file=file, period=period, title=TITLE, keep_unreadable=True)
