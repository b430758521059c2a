"""Better Care Fund (BCF) plans: each health and wellbeing board's pooled fund by funding source.

The BCF pools NHS and council money in every health and wellbeing board (HWB) area under a
section 75 agreement, hosted by the council. The planning data give, per HWB and year, the
contributions: the minimum ICB contribution (NHS money the ICB must pass into the pool),
additional ICB and council contributions, the improved BCF grant (iBCF) and the Disabled
Facilities Grant (DFG) paid to councils, and the discharge funds.

Layout read (column names UNVERIFIED against a real planning file; see the catalogue): one
worksheet per financial year named like ``2023-24``; title rows; a header row with ``HWB Code``
and ``Health and Wellbeing Board`` then one column per funding source; whole pounds. A worksheet
whose name is not a financial year in the form 2023-24 is refused if it holds a header row (a
year in another form, such as 2023/24 or FY24, is a change to look at), and a header that states
£000s or £m is refused: the figures are whole pounds.
Output: one row per HWB per funding source per year, in pounds.
"""

from __future__ import annotations

import re

import pandas as pd

from core.errors import SourceError
from ingest.sheets import Grid, grid_number, read_workbook
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "financial_year": "VARCHAR",
    "hwb_code": "VARCHAR",
    "hwb_name": "VARCHAR",
    "contribution_code": "VARCHAR",
    "contribution_label": "VARCHAR",
    "amount_gbp": "DECIMAL(18,2)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

# published column -> contribution code
CONTRIBUTIONS = {
    "minimum icb contribution": "minimum_icb",
    "additional icb contribution": "additional_icb",
    "icb discharge funding": "icb_discharge",
    "ibcf": "ibcf",
    "dfg": "dfg",
    "additional la contribution": "additional_la",
    "local authority discharge funding": "la_discharge",
}
TOTAL_COLUMN = "total bcf pooled budget"
TOTAL_CODE = "total_pooled_budget"  # the publisher's own row total, kept for reconciliation
_YEAR_SHEET = re.compile(r"^(20\d\d)-(\d\d)$")
_NOT_POUNDS = re.compile(r"£\s*['\u2019]?\s*(k|000s?|thousands?|m|millions?)(?!\w)", re.IGNORECASE)


def _is_header(row: list[str]) -> bool:
    cells = {c.strip().lower() for c in row}
    return "hwb code" in cells and "health and wellbeing board" in cells


def _year(grid: Grid) -> str:
    name = (grid.sheet or "").strip()
    m = _YEAR_SHEET.match(name)
    if not m or int(m.group(2)) != (int(m.group(1)) + 1) % 100:
        raise grid.error(f"worksheet {name!r} is not a financial year in the form 2023-24")
    return name


def _read_sheet(grid: Grid) -> list[dict]:
    year = _year(grid)
    header = grid.find_row(_is_header, what="header row (with 'HWB Code' and 'Health and Wellbeing Board')")
    for i in range(header + 1):
        for j, text in enumerate(grid.rows[i]):
            if _NOT_POUNDS.search(text):
                raise grid.error(f"units changed: {text!r} (this source publishes whole pounds)", row=i, col=j)
    head = [c.strip().lower() for c in grid.rows[header]]
    code_col, name_col = head.index("hwb code"), head.index("health and wellbeing board")
    wanted = {j: CONTRIBUTIONS[h] for j, h in enumerate(head) if h in CONTRIBUTIONS}
    missing = sorted(set(CONTRIBUTIONS.values()) - set(wanted.values()))
    if missing:
        raise grid.error(f"the header has no column for {', '.join(missing)}", row=header)
    total_col = head.index(TOTAL_COLUMN) if TOTAL_COLUMN in head else None
    records = []
    for i, _ in grid.iter_rows(header + 1):
        code = grid.cell(i, code_col).strip()
        name = grid.cell(i, name_col).strip()
        if not code and not name:
            grid.skip(i, "blank")
            continue
        if not code or name.upper() in ("ENGLAND", "TOTAL"):
            grid.skip(i, "total or note (no board code)")  # totals are sums of the HWB rows
            continue
        if not GSS_CODE.match(code):
            raise grid.error(f"HWB code {code!r} is not a GSS code", row=i, col=code_col)
        parts = {}
        for j, contribution in wanted.items():
            number = grid_number(grid, i, j)
            parts[contribution] = number
            records.append(
                {
                    "financial_year": year,
                    "hwb_code": code,
                    "hwb_name": name,
                    "contribution_code": contribution,
                    "contribution_label": grid.rows[header][j].strip(),
                    "amount_gbp": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, j),
                }
            )
        if total_col is not None:
            total = grid_number(grid, i, total_col)
            records.append(
                {
                    "financial_year": year,
                    "hwb_code": code,
                    "hwb_name": name,
                    "contribution_code": TOTAL_CODE,
                    "contribution_label": grid.rows[header][total_col].strip(),
                    "amount_gbp": None if total.value is None else str(total.value),
                    "value_status": total.status,
                    "value_text": total.text,
                    **grid.lineage(i, total_col),
                }
            )
            known = [p.value for p in parts.values() if p.value is not None]
            if total.value is not None and len(known) == len(parts) and abs(sum(known) - total.value) > 1:
                raise grid.error(
                    f"the contributions add up to {sum(known):,} but the row's total is {total.value:,}",
                    row=i,
                    col=total_col,
                )
    return records


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    records: list[dict] = []
    for grid in read_workbook(data, source_id=ID, file=file):
        if not any(_is_header(r) for r in grid.rows[:30]):
            continue  # contents, notes
        records.extend(_read_sheet(grid))
    if not records:
        raise SourceError(ID, file, "no worksheet with a 'HWB Code' / 'Health and Wellbeing Board' header")
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    years = sorted(frame["financial_year"].unique())
    first, last = period.split("_to_") if "_to_" in period else (period, period)
    outside = [y for y in years if not first <= y <= last]
    if outside:
        raise SourceError(ID, file, f"holds {', '.join(outside)}, outside the catalogue's period {period}")
    return frame
