"""HM Treasury's GDP deflators at market prices (and money GDP), financial years, read as HM Treasury
publishes its CSV (``GDP_Deflators_Qtrly_National_Accounts_<Month>_<Year>_update.csv``):

- preamble rows: the title, when the outturn was last updated (``... last updated 22 December
  2023.``) and which forecast the later years follow;
- a header row ``Financial year, <base> = 100, per cent change on previous year, Cash £ million
  Non-Seasonally Adjusted, ...`` (headers with line breaks inside quotes), then the calendar-year
  block to the right, not read;
- one row per financial year from 1955-56. Outturn rows carry the index; forecast rows are
  labelled ``2023-24 (1), (2)`` and carry ``-`` in the index column, only the growth rate;
- footnotes from ``Sources and footnotes:``.

The index of a forecast year is chained from the last outturn year's index by the published
growth rates (each row says which: ``published`` or ``chained``) and marked forecast. The edition
is data: the catalogue's period names it (``2023-12``), and every row carries it with the date the
outturn is as at, so a later edition is a new vintage beside this one. The base year is read from
the index column's header (``2022-23 = 100``); a file that states none is refused, as is a base
year whose index is not 100, an outturn index that does not follow from the one before by its
published growth rate (to the rounding of the rate), or a year out of sequence.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pandas as pd

from core.errors import SourceError
from ingest.sheets import Grid, grid_number, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import norm

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "edition": "VARCHAR",
    "outturn_as_at_date": "DATE",
    "base_year": "VARCHAR",
    "financial_year": "VARCHAR",
    "deflator_index": "DECIMAL(12,6)",
    "index_basis": "VARCHAR",
    "growth_pct": "DECIMAL(8,2)",
    "is_forecast": "BOOLEAN",
    "money_gdp_gbp_m": "DECIMAL(14,0)",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

_EDITION = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_BASE = re.compile(r"^(\d{4})-(\d{2}) = 100$")
_YEAR = re.compile(r"^(\d{4})-(\d{2})(\s*\(\d+\)(,\s*\(\d+\))*)?$")
_AS_AT = re.compile(r"outturn data .* last updated (\d{1,2} \w+ \d{4})", re.IGNORECASE)
# the growth rates are published to 2 decimal places: an index may differ from the chained one by
# half a hundredth of a per cent of the year before, and the index's own rounding (3 decimals)
_GROWTH_ROUNDING = Decimal("0.00005")
_INDEX_ROUNDING = Decimal("0.0015")


def _header(grid: Grid) -> tuple[int, int, int, int, int]:
    """(header row, year column, index column, growth column, money GDP column)."""
    for i, row in enumerate(grid.rows[:20]):
        cells = [norm(c) for c in row]
        if "financial year" not in cells:
            continue
        year = cells.index("financial year")
        growth = next((j for j in range(year + 1, len(cells)) if cells[j] == "per cent change on previous year"), None)
        if growth is None:
            continue
        if not _BASE.match(cells[year + 1]):
            raise grid.error(
                f"the deflator column's header {row[year + 1]!r} states no base year (like '2022-23 = 100')",
                row=i,
                col=year + 1,
            )
        money = next(
            (j for j in range(growth + 1, len(cells)) if cells[j].startswith("cash £ million non-season")), None
        )
        if money is None:
            raise grid.error("no 'Cash £ million Non-Seasonally Adjusted' money GDP column", row=i)
        return i, year, year + 1, growth, money
    raise grid.error("could not find the header row (Financial year, <base year> = 100, per cent change ...)")


def _as_at(grid: Grid, header: int) -> str:
    for i in range(header):
        for cell in grid.rows[i]:
            if m := _AS_AT.search(" ".join(cell.split())):
                try:
                    return datetime.strptime(m.group(1), "%d %B %Y").date().isoformat()
                except ValueError:
                    raise grid.error(f"{m.group(1)!r} is not a date", row=i) from None
    raise grid.error("the preamble does not say when the outturn was last updated ('... last updated <date>')", row=0)


def _records(grid: Grid, edition: str) -> list[dict]:
    header, year_col, index_col, growth_col, money_col = _header(grid)
    as_at = _as_at(grid, header)
    base = norm(grid.cell(header, index_col)).split(" ")[0]
    records: list[dict] = []
    previous: dict | None = None
    for i, row in grid.iter_rows(header + 1):
        label = grid.cell(i, year_col)
        if norm(label).startswith("sources and footnotes"):
            for j, _ in grid.iter_rows(i):
                grid.skip(j, "sources and footnotes")
            break
        if not any(c.strip() for c in row):
            grid.skip(i, "blank")
            continue
        m = _YEAR.match(label.strip())
        if not m or int(m.group(2)) != (int(m.group(1)) + 1) % 100:
            raise grid.error(f"{label!r} is not a financial year (like 2022-23)", row=i, col=year_col)
        year = f"{m.group(1)}-{m.group(2)}"
        if previous is not None and int(m.group(1)) != int(previous["financial_year"][:4]) + 1:
            raise grid.error(f"{year} does not follow {previous['financial_year']}", row=i, col=year_col)
        index = grid_number(grid, i, index_col)
        growth = grid_number(grid, i, growth_col)
        money = grid_number(grid, i, money_col)
        forecast = index.value is None
        if forecast:
            if previous is None or growth.value is None:
                raise grid.error(f"{year} has neither an index nor a growth rate to chain it by", row=i, col=growth_col)
            value = previous["deflator_index"] * (1 + growth.value / 100)
        else:
            value = index.value
            if previous is not None and previous["is_forecast"]:
                raise grid.error(f"an outturn index for {year} after a forecast year", row=i, col=index_col)
            if previous is not None and growth.value is not None:
                chained = previous["deflator_index"] * (1 + growth.value / 100)
                slack = previous["deflator_index"] * _GROWTH_ROUNDING + _INDEX_ROUNDING
                if abs(chained - value) > slack:
                    raise grid.error(
                        f"the index {index.text} does not follow from {previous['financial_year']}'s "
                        f"{previous['deflator_index']} by the published growth of {growth.text}%",
                        row=i,
                        col=index_col,
                    )
        record = {
            "edition": edition,
            "outturn_as_at_date": as_at,
            "base_year": base,
            "financial_year": year,
            "deflator_index": value,
            "index_basis": "chained" if forecast else "published",
            "growth_pct": None if growth.value is None else str(growth.value),
            "is_forecast": forecast,
            "money_gdp_gbp_m": None if money.value is None else str(money.value),
            "value_text": index.text if not forecast else growth.text,
            **grid.lineage(i, growth_col if forecast else index_col),
        }
        records.append(record)
        previous = record
    base_rows = [r for r in records if r["financial_year"] == base]
    if not base_rows or base_rows[0]["deflator_index"] != 100:
        raise grid.error(f"the base year {base} has no index of 100", row=header, col=index_col)
    return records


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    if not _EDITION.match(period):
        raise SourceError(ID, file, f"period {period!r} is not an edition like 2023-12 (year and month)")
    grid = read_grid(data, source_id=ID, file=file)
    frame = pd.DataFrame.from_records(_records(grid, period), columns=list(COLUMNS))
    if frame.empty:
        raise SourceError(ID, file, "no financial year rows under the header")
    frame["deflator_index"] = frame["deflator_index"].map(lambda v: str(round(v, 6)))
    return frame
