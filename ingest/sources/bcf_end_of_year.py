"""Better Care Fund end-of-year data collection: planned expenditure on two scheme types per board.

NHS England's *Better Care Fund end-of-year data collection 2022 to 2023*, sheet "Planned
Expenditure 2", as extracted by the Health Foundation (``Outputs/BCF.csv``): one row per health and
wellbeing board (its E-code) with the planned spend, in pounds, on "Bed based intermediate Care
Services" and "Reablement in a persons own home", and a ``Total`` row. Only those first four
columns are the publisher's; every other column is the republisher's join (population, 65+
population, episodes, per-capita ratios) and is not loaded. ``NA`` is a board with no figure:
not available, never zero. The Total row must equal the sum of the boards, or the file is refused.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ingest.sheets import Number, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import GSS_CODE, columns_by_name, find_header, is_blank_row

ID = source_id(__name__)  # the module's name is the source id

# scheme type -> the publisher's column heading
SCHEMES: dict[str, str] = {
    "bed_based_intermediate_care": "Bed based intermediate Care Services",
    "reablement_at_home": "Reablement in a persons own home",
}

COLUMNS: dict[str, str] = {
    "hwb_code": "VARCHAR",
    "hwb_name": "VARCHAR",
    "row_kind": "VARCHAR",  # 'board' | 'total'
    "scheme_type": "VARCHAR",
    "scheme_heading": "VARCHAR",
    "planned_spend_gbp": "DECIMAL(18,2)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grid = read_grid(data, source_id=ID, file=file)
    header = find_header(grid, ["Code", *SCHEMES.values()])
    cols = columns_by_name(grid, header, {"hwb_code": "Code", "hwb_name": "LA_name"} | SCHEMES)
    records: list[dict] = []
    sums = {scheme: Decimal(0) for scheme in SCHEMES}
    total_row: int | None = None
    seen: dict[str, int] = {}
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        code = grid.cell(i, cols["hwb_code"]).strip()
        if code.lower() == "total":
            kind, total_row = "total", i
        elif GSS_CODE.match(code):
            kind = "board"
            if code in seen:
                raise grid.error(
                    f"board {code} is listed twice (first at row {seen[code] + 1})", row=i, col=cols["hwb_code"]
                )
            seen[code] = i
        else:
            raise grid.error(f"{code!r} is neither a board's E-code nor 'Total'", row=i, col=cols["hwb_code"])
        name = grid.cell(i, cols["hwb_name"]).strip()
        for scheme, heading in SCHEMES.items():
            number = _amount(grid, i, cols[scheme])
            if kind == "board" and number.value is not None:
                sums[scheme] += number.value
            records.append(
                {
                    "hwb_code": code if kind == "board" else None,
                    "hwb_name": None if name in ("", "NA") else name,
                    "row_kind": kind,
                    "scheme_type": scheme,
                    "scheme_heading": heading,
                    "planned_spend_gbp": None if number.value is None else str(round(number.value, 2)),
                    "value_status": number.status,
                    "value_text": number.text,
                    **grid.lineage(i, cols[scheme]),
                }
            )
    if not seen:
        raise grid.error("no board rows under the header", row=header)
    if total_row is None:
        raise grid.error("no 'Total' row: the boards cannot be reconciled", row=header)
    for scheme in SCHEMES:
        total = _amount(grid, total_row, cols[scheme]).value
        if total is None or abs(total - sums[scheme]) > 1:
            raise grid.error(
                f"the Total row ({total}) is not the sum of the boards ({sums[scheme]}) for {SCHEMES[scheme]!r}",
                row=total_row,
                col=cols[scheme],
            )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _amount(grid, row: int, col: int) -> Number:
    """A cell in pounds; the republisher's R wrote a missing figure as ``NA``."""
    text = grid.cell(row, col)
    if text.strip() == "NA":
        return Number(None, "not_available", text)
    return grid_number(grid, row, col)
