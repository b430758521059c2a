"""How a Great Expectations suite is declared here: a batch (a SQL query on the warehouse) and the
expectations it must meet.

A suite's batches are read from DuckDB into Parquet files, and GX validates those files through a
pandas filesystem data source (GX's SQL data source does not keep DuckDB result sets: it closes
the connection before it fetches). Reconciliations are expressed as queries that compute the
difference between a sum of lines and the publisher's own total, with a range expectation on it.

Batches carry ``_source_file`` and ``_source_row`` where they can, so a failure names the file and
row a bad value came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx

from core.codes import PUBLISHER_STATUSES

# Columns GX reports for each unexpected value, when the batch has them.
INDEX_COLUMNS = ("_source_file", "_source_row")


@dataclass(frozen=True)
class Batch:
    """One validated table: ``name`` names the GX asset and validation definition."""

    name: str
    query: str
    expectations: Callable[[], list[Any]]
    description: str = ""
    skip_if_empty: bool = False  # live-only sources have empty raw tables in the bundled run


@dataclass(frozen=True)
class Suite:
    name: str  # snake_case: raw_<source_id> or marts
    batches: tuple[Batch, ...] = field(default_factory=tuple)


E = gx.expectations


def rows_between(lo: int, hi: int) -> Any:
    return E.ExpectTableRowCountToBeBetween(min_value=lo, max_value=hi)


def in_set(column: str, values: list[Any] | tuple[Any, ...], mostly: float | None = None) -> Any:
    kwargs = {"mostly": mostly} if mostly is not None else {}
    return E.ExpectColumnValuesToBeInSet(column=column, value_set=list(values), **kwargs)


def matches(column: str, regex: str, mostly: float | None = None) -> Any:
    kwargs = {"mostly": mostly} if mostly is not None else {}
    return E.ExpectColumnValuesToMatchRegex(column=column, regex=regex, **kwargs)


def between(column: str, lo: float | None, hi: float | None, mostly: float | None = None) -> Any:
    kwargs = {"mostly": mostly} if mostly is not None else {}
    return E.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi, **kwargs)


def not_null(column: str) -> Any:
    return E.ExpectColumnValuesToNotBeNull(column=column)


def unique(*columns: str) -> Any:
    if len(columns) == 1:
        return E.ExpectColumnValuesToBeUnique(column=columns[0])
    return E.ExpectCompoundColumnsToBeUnique(column_list=list(columns))


def has_columns(*columns: str) -> Any:
    return E.ExpectTableColumnsToMatchSet(column_set=list(columns), exact_match=False)


GSS = r"^[EWSN]\d{8}$"
FINANCIAL_YEAR = r"^\d{4}-\d{2}$"
STATUSES = PUBLISHER_STATUSES  # seed value_statuses: what a parser sets on a value it reads


def england_reconciles(table: str, where: str, *, max_gap_pct: float, description: str) -> Batch:
    """The England row of an MHCLG table against the sum of the authorities that submitted: at least
    that sum (less 0.5% rounding) and at most ``max_gap_pct`` above it (the publisher grosses up the
    returns not submitted); one row a year and file, citing the England row."""
    return Batch(
        name=f"raw_{table}__england_reconciles",
        description=description,
        query=f"""
            with totals as (
                select _period, _source_file,
                    max(_source_row) filter (where row_kind = 'england') as _source_row,
                    sum(value_gbp_thousands) filter (where row_kind = 'england') as england,
                    sum(value_gbp_thousands) filter (where row_kind = 'authority') as authorities
                from raw.{table}
                where {where}
                group by 1, 2
            )
            select *, round(100 * (england - authorities) / england, 3) as gap_pct from totals
        """,
        expectations=lambda: [between("gap_pct", -0.5, max_gap_pct)],
    )


# Plausible bounds for a place: the smallest are the Isles of Scilly (about 2,200 residents) and the
# City of London (about 8,700, with spend per head near £15,000-£28,000 on a tiny resident base, and
# a net income of over £500 a head on transport); a figure read in the wrong unit (x1,000) falls far
# outside them
MIN_PLACE_POPULATION = 1_000
MIN_PER_HEAD_GBP = -5_000
MAX_PER_HEAD_GBP = 50_000
