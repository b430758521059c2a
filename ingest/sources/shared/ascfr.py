"""What NHS Digital's Adult Social Care Activity and Finance Report (ASC-FR) data files share.

CSV, one row per council (CASSR) per combination of numeric keys (``CareType_KEY``,
``AgeBand_KEY``, ``PrimarySupportReason_KEY``, ``SupportSetting_KEY``, ``Purpose_KEY``, ...),
with ``FY_Ending`` (2017 = financial year 2016-17), ``CASSR_CODE``, ``GEOGRAPHY_CODE`` (GSS) and
``REGION_GO_CODE``. The publisher's region and England totals are rows with only a
``REGION_GO_CODE`` (``E92000001`` for England); they are kept, with ``geography_level``.

The keys' labels are in the publisher's reference sheet, which is not held: keys are kept as
published and labelled through the seed ascfr_key_labels, which says where each label came from
(a key with no seed row fails a dbt test rather than vanishing).
Money is in £ thousands. ``:`` marks a return not submitted, ``*`` a suppressed value.
"""

from __future__ import annotations

import re

from core.codes import ENGLAND_CODE
from ingest.sheets import Grid
from ingest.sources.shared.columns import GSS_CODE, columns_by_name, find_header

IDENTITY = {
    "fy_ending": "FY_Ending",
    "cassr_code": "CASSR_CODE",
    "area_code": "GEOGRAPHY_CODE",
    "region_code": "REGION_GO_CODE",
}
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def financial_year_ending(period: str, grid: Grid) -> int:
    """'2016-17' -> 2017 (the FY_Ending the file must carry)."""
    m = _PERIOD.match(period)
    if not m:
        raise grid.error(f"period {period!r} is not a financial year like 2016-17")
    return int(m.group(1)) + 1


def locate(grid: Grid, keys: dict[str, str], values: dict[str, str]) -> tuple[int, dict[str, int | None]]:
    """Find the header (by content) and the identity, key and value columns (by name)."""
    header = find_header(grid, [*IDENTITY.values(), *values.values()])
    cols = columns_by_name(grid, header, {**IDENTITY, **keys, **values}, optional=keys.keys())
    return header, cols


def identity(grid: Grid, i: int, cols: dict[str, int | None], fy_ending: int) -> dict[str, str]:
    """The row's identity columns, checked: the year the catalogue loads and a GSS area code."""
    fy_col, area_col = cols["fy_ending"], cols["area_code"]
    fy = grid.cell(i, fy_col).strip()
    if fy != str(fy_ending):
        raise grid.error(f"FY_Ending {fy!r} is not {fy_ending}, the year the catalogue loads", row=i, col=fy_col)
    area = grid.cell(i, area_col).strip()
    region = grid.cell(i, cols["region_code"]).strip()
    if area:
        level = "council"
    else:  # the publisher's own region and England totals carry only REGION_GO_CODE
        area, area_col = region, cols["region_code"]
        level = "england" if region == ENGLAND_CODE else "region"
    if not GSS_CODE.match(area):
        raise grid.error(f"area code {area!r} is not a GSS code", row=i, col=area_col)
    return {
        "financial_year": f"{fy_ending - 1}-{str(fy_ending)[-2:]}",
        "geography_level": level,
        "cassr_code": grid.cell(i, cols["cassr_code"]).strip() or None,
        "area_code": area,
        "region_code": region or None,
    }


def key_values(grid: Grid, i: int, cols: dict[str, int | None], keys: dict[str, str]) -> dict[str, str | None]:
    """The row's keys as published (text), None where blank; a key must be a whole number."""
    out: dict[str, str | None] = {}
    for field in keys:
        j = cols[field]
        text = grid.cell(i, j).strip() if j is not None else ""
        if text and not text.isdigit():
            raise grid.error(f"key {keys[field]} = {text!r} is not a whole number", row=i, col=j)
        out[field] = text or None
    return out
