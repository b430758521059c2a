"""HM Treasury's Country and Regional Analysis (CRA), the chapter 9 tables of PESA: identifiable
public spending by region, function and financial year, read as HM Treasury publishes them.

Each table is one worksheet (``9.1a``, ``9.11`` ...), and on each:

- row 1 the title (``Table 9.11  Identifiable expenditure on health, 2018-19 to 2022-23``), checked
  against the words the table is declared with below, so a moved or renamed table fails loudly;
- a unit row (``£ million``, ``£ per head``), checked against the table's declared unit;
- in the function tables a label row: the function (``Health``), ``of which: current``, ``of which:
  capital``, one block of years each;
- a header row of years with embedded line breaks (``2022-23\\noutturn``); a year header in another
  form is refused, naming its cell;
- one row per region (column A): the nine English regions, England (``Total England`` in 9.1a and
  9.17, ``England`` elsewhere), Scotland, Wales, Northern Ireland and the UK, then aggregates that
  are not regions (outside the UK, non-identifiable, accounting adjustments), skipped by name.
  A row whose name is neither (a renamed region) is refused.
  ``-`` is nil (0, as published), ``0`` is under £0.5m.

Checks, each refusing the file with the sheet, row and column of the figure that fails:
- the nine English regions add up to England, in every £ million table, block and year;
- a function's current and capital add up to its total;
- the sub-functions (9.5a-c, 9.8a-e) add up to their function, and the ten functions (9.5-9.14)
  to table 9.1a's identifiable total, for every region and year;
- every declared table and every expected region is present.
Figures are rounded to £1m each, so sums agree within a tolerance that grows with the number of
parts (half a million per part, as HM Treasury rounds). Table 9.21 (Scotland, Wales and Northern
Ireland by department), the per head by function tables 9.15/9.16, the current and capital totals
9.3/9.4 and the stray table 2.5 are not read.

Output: one row per table, region, function, spending type (total, current, capital) and year, with
the measure (cash or real-terms £ million, or £ per head) and the scope (all identifiable spending,
local government's, or excluding local government) as declared for the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from core.codes import seed
from core.errors import SourceError
from ingest.sheets import Grid, grid_number, read_workbook
from ingest.sources import source_id
from ingest.sources.shared.columns import norm

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "table_code": "VARCHAR",
    "measure": "VARCHAR",
    "spending_scope": "VARCHAR",
    "function_code": "VARCHAR",
    "spending_type": "VARCHAR",
    "published_region_name": "VARCHAR",
    "region_code": "VARCHAR",
    "financial_year": "VARCHAR",
    "value": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "sheet_name": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

UNITS = {
    "cash_gbp_m": "£ million",
    "real_gbp_m": "£ million",
    "per_head_gbp": "£ per head",
    "real_per_head_gbp": "£ per head",
}


@dataclass(frozen=True)
class Table:
    """A worksheet read: its title words, function, measure and scope; function tables have
    current and capital blocks beside the total."""

    sheet: str
    title: str
    function_code: str
    measure: str = "cash_gbp_m"
    scope: str = "all"
    by_type: bool = False


def _function_tables() -> tuple[Table, ...]:
    tables = []
    for row in seed("hmt_cra_functions"):
        if row["function_code"] == "total":
            continue
        words = row["function_name"].lower()
        if row["parent_function_code"] != "total":
            parent = next(r for r in seed("hmt_cra_functions") if r["function_code"] == row["parent_function_code"])
            words = f"{parent['function_name'].lower()} (of which: {words}"
        tables.append(
            Table(row["cra_table"], f"identifiable expenditure on {words}", row["function_code"], by_type=True)
        )
    return tuple(tables)


TABLES: tuple[Table, ...] = (
    Table("9.1a", "total identifiable expenditure on services", "total"),
    Table("9.1b", "total uk identifiable expenditure on services, per head", "total", "per_head_gbp"),
    Table("9.2a", "real terms (1): total identifiable expenditure on services", "total", "real_gbp_m"),
    Table(
        "9.2b", "real terms (1): total uk identifiable expenditure on services per head", "total", "real_per_head_gbp"
    ),
    *_function_tables(),
    Table("9.17", "total local government identifiable expenditure on services,", "total", scope="local_government"),
    Table(
        "9.18",
        "total local government identifiable expenditure on services, per head",
        "total",
        "per_head_gbp",
        "local_government",
    ),
    Table(
        "9.19",
        "total identifiable expenditure on services excluding local government",
        "total",
        scope="excluding_local_government",
    ),
    Table(
        "9.20",
        "uk identifiable expenditure excluding local government (1) per head",
        "total",
        "per_head_gbp",
        "excluding_local_government",
    ),
)

# rows of the region block that are not regions: skipped by name, as published
NOT_REGIONS = (
    "outside uk",
    "outside the uk",
    "total identifiable expenditure",
    "non-identifiable expenditure",
    "total expenditure on services",
    "accounting adjustments",
    "total managed expenditure",
    "identifiable expenditure",
    "public sector expenditure on services",
    "total local government expenditure",
)
ENGLISH_REGION_COUNT = 9
HALF_MILLION = Decimal("0.5")
_YEAR = re.compile(r"^(\d{4})-(\d{2}) outturn$")
_YEARISH = re.compile(r"\d{4}")
_FOOTNOTE = re.compile(r"\s*\(\d+(,\s*\d+)*\)\s*$")


def _name(text: str) -> str:
    """A row or label name as compared: footnote markers dropped, whitespace collapsed, lower case."""
    return norm(_FOOTNOTE.sub("", text))


def regions() -> dict[str, dict[str, str]]:
    """Published region name (as compared) -> the seed row (hmt_cra_regions)."""
    return {_name(r["published_name"]): r for r in seed("hmt_cra_regions")}


@dataclass(frozen=True)
class Block:
    spending_type: str
    columns: dict[str, int]  # financial year -> column


def _header(grid: Grid) -> int:
    for i, row in enumerate(grid.rows[:12]):
        if any(_YEARISH.search(c) for c in row[1:]) and not _YEARISH.search(row[0] if row else ""):
            return i
    raise grid.error("could not find the header row of years (like '2022-23 outturn') in the first 12 rows")


def _blocks(grid: Grid, table: Table, header: int) -> list[Block]:
    """The year blocks of the header row: total (and current, capital in a function table)."""
    runs: list[dict[str, int]] = []
    for j, text in enumerate(grid.rows[header]):
        if j == 0 or not text.strip():
            continue
        m = _YEAR.match(norm(text))
        if not m or int(m.group(2)) != (int(m.group(1)) + 1) % 100:
            raise grid.error(
                f"the year header {text!r} is not in the form '2022-23 outturn' (a financial year, then outturn)",
                row=header,
                col=j,
            )
        year = f"{m.group(1)}-{m.group(2)}"
        if not runs or year in runs[-1] or j != max(runs[-1].values()) + 1:
            runs.append({})
        runs[-1][year] = j
    wanted = ("total", "current", "capital") if table.by_type else ("total",)
    if len(runs) < len(wanted):
        raise grid.error(f"{len(runs)} blocks of years, expected {len(wanted)} ({', '.join(wanted)})", row=header)
    if table.by_type:
        labels = grid.rows[header - 2] if header >= 2 else []
        for kind, run in zip(wanted[1:], runs[1:3], strict=True):
            j = min(run.values())
            label = _name(labels[j] if j < len(labels) else "")
            if label != f"of which: {kind}":
                raise grid.error(
                    f"the block of years here is labelled {label!r}, not 'of which: {kind}'", row=header - 2, col=j
                )
    return [Block(kind, run) for kind, run in zip(wanted, runs, strict=False)]


def _check_unit(grid: Grid, table: Table, header: int) -> None:
    unit = UNITS[table.measure]
    texts = [norm(c) for row in grid.rows[1:header] for c in row]
    if not any(t.startswith(unit.lower()) for t in texts):
        raise grid.error(f"units changed: no {unit!r} above the table (this table is read in {unit})", row=2)


def _check_title(grid: Grid, table: Table) -> None:
    if not grid.rows:
        raise grid.error(f"the worksheet is empty (table {table.sheet}: {table.title})")
    title = norm(grid.cell(0, 0))
    if table.title not in title:
        raise grid.error(f"the title {grid.cell(0, 0)!r} is not table {table.sheet}'s ({table.title!r})", row=0, col=0)


def _read_table(grid: Grid, table: Table) -> list[dict]:
    _check_title(grid, table)
    header = _header(grid)
    _check_unit(grid, table, header)
    blocks = _blocks(grid, table, header)
    known = regions()
    records: list[dict] = []
    seen: set[str] = set()
    done = False
    for i, row in grid.iter_rows(header + 1):
        name = _name(row[0]) if row else ""
        if done:
            grid.skip(i, "below the region block (another table or notes): not read")
        elif not any(c.strip() for c in row):
            grid.skip(i, "blank")
        elif re.match(r"^\(\d+\)", row[0].strip()) or not any(c.strip() for c in row[1:]):
            grid.skip(i, "note")
        elif name in NOT_REGIONS or name.startswith("total managed expenditure"):
            grid.skip(i, "not a region (an aggregate the CRA shows below the regions)")
            done = True  # what follows the first aggregate is not a region: notes, or another table
        elif name in known:
            if name in seen:
                raise grid.error(f"the region {row[0]!r} appears twice", row=i, col=0)
            seen.add(name)
            records.extend(_records(grid, table, blocks, i, known[name]))
        else:
            raise grid.error(
                f"{row[0]!r} is not a region this source knows (seed hmt_cra_regions): a renamed region?", row=i, col=0
            )
    codes = {known[n]["region_code"] for n in seen}
    expected = {r["region_code"] for r in known.values() if r["region_level"] in ("english_region", "country")}
    missing = sorted(expected - codes)
    if missing:
        names = sorted({r["published_name"] for r in known.values() if r["region_code"] in missing})
        raise grid.error(f"no row for {', '.join(names)} under the header", row=header)
    return records


def _records(grid: Grid, table: Table, blocks: list[Block], i: int, region: dict[str, str]) -> list[dict]:
    out = []
    for block in blocks:
        for year, j in block.columns.items():
            number = grid_number(grid, i, j)
            text = grid.cell(i, j).strip()
            if text in ("-", "\u2013"):
                value, status = Decimal(0), "published"  # the CRA's nil: no spending against the entry
            elif number.value is None:
                raise grid.error(f"{text!r} is not a figure (the CRA shows '-' for nil)", row=i, col=j)
            else:
                value, status = number.value, number.status
            out.append(
                {
                    "table_code": table.sheet,
                    "measure": table.measure,
                    "spending_scope": table.scope,
                    "function_code": table.function_code,
                    "spending_type": block.spending_type,
                    "published_region_name": grid.cell(i, 0).strip(),
                    "region_code": region["region_code"],
                    "financial_year": year,
                    "value": value,
                    "value_status": status,
                    "value_text": text,
                    "sheet_name": grid.sheet,
                    **grid.lineage(i, j),
                }
            )
    return out


def _tolerance(parts: int) -> Decimal:
    return HALF_MILLION * (parts + 1)


def _fail(file: str, row: pd.Series, detail: str) -> SourceError:
    return SourceError(
        ID, f"{file} (sheet {row.sheet_name!r})", detail, row=int(row._source_row), column=str(row._source_column)
    )


def _check_sums(frame: pd.DataFrame, file: str) -> None:
    """Regions add to England; current and capital to the total; sub-functions to their function;
    the ten functions to the identifiable total."""
    money = frame[frame.measure.isin(["cash_gbp_m", "real_gbp_m"])]
    english = [r["region_code"] for r in seed("hmt_cra_regions") if r["region_level"] == "english_region"]
    keys = ["table_code", "spending_type", "financial_year"]
    for _, group in money.groupby(keys):
        england = group[group.region_code == "E92000001"]
        parts = group[group.region_code.isin(english)]
        total = parts.value.sum()
        if len(england) and abs(total - england.value.iloc[0]) > _tolerance(ENGLISH_REGION_COUNT):
            row = england.iloc[0]
            raise _fail(
                file, row, f"England {row.value_text} is not the sum of the nine English regions ({total:,.0f})"
            )
    totals = money[money.spending_type == "total"].set_index(["table_code", "region_code", "financial_year"])
    by_type = money[money.spending_type != "total"]
    for (table, region, year), group in by_type.groupby(["table_code", "region_code", "financial_year"]):
        whole = totals.loc[(table, region, year)]
        if abs(group.value.sum() - whole.value) > _tolerance(2):
            raise _fail(
                file,
                whole,
                f"current and capital ({group.value.sum():,.0f}) do not add up to the total {whole.value_text}",
            )
    functions = seed("hmt_cra_functions")
    function_totals = money[
        (money.spending_type == "total") & (money.spending_scope == "all") & (money.measure == "cash_gbp_m")
    ]
    indexed = function_totals.set_index(["function_code", "region_code", "financial_year"])
    for parent in {r["parent_function_code"] for r in functions if r["parent_function_code"]}:
        children = [r["function_code"] for r in functions if r["parent_function_code"] == parent]
        part_rows = function_totals[function_totals.function_code.isin(children)]
        for (region, year), group in part_rows.groupby(["region_code", "financial_year"]):
            if (parent, region, year) not in indexed.index:
                continue
            whole = indexed.loc[(parent, region, year)]
            if abs(group.value.sum() - whole.value) > _tolerance(len(children)):
                what = "the ten functions" if parent == "total" else f"the sub-functions of {parent}"
                raise _fail(
                    file,
                    whole,
                    f"{what} add up to {group.value.sum():,.0f}, not to the published {whole.value_text} "
                    f"({region}, {year}): a function row is missing or does not add to its total",
                )


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    grids = {g.sheet: g for g in read_workbook(data, source_id=ID, file=file)}
    records: list[dict] = []
    for table in TABLES:
        grid = grids.get(table.sheet)
        if grid is None:
            raise SourceError(ID, file, f"no worksheet {table.sheet!r} ({table.title})")
        records.extend(_read_table(grid, table))
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    years = sorted(frame.financial_year.unique())
    if period != f"{years[0]}_to_{years[-1]}":
        raise SourceError(
            ID, file, f"the tables cover {years[0]} to {years[-1]}, not the catalogue's period {period!r}"
        )
    _check_sums(frame, file)
    frame["value"] = frame["value"].map(str)
    return frame
