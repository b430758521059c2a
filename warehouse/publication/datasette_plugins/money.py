"""Datasette plugin (loaded by `make serve` with --plugins-dir): money shown as money in the HTML
tables. A ``*_gbp`` column is shown in pounds with thousands separators (``£1,847,287,000``),
per-head and other pence-bearing amounts with two decimals (``£1,234.56``), ``*_gbp_thousands``
as thousands of pounds (``£1,234k``), and so is a canned query's column named in words that ends
", £". Only the HTML changes: JSON, CSV and SQL keep the raw number (Datasette's render_cell hook)."""

from __future__ import annotations

from datasette import hookimpl


def format_gbp(column: str, value: object) -> str | None:
    """The display of ``value`` in money column ``column``; None when it is not a money figure."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if column.endswith("_gbp_thousands"):
        return f"{sign}£{amount:,.0f}k"
    # a canned query's column named in words says its unit: "Per head, £"
    worded = column.endswith(", £")
    if not (column.endswith("_gbp") or worded):
        return None
    if "per_head" in column or "per head" in column.lower() or (isinstance(amount, float) and not amount.is_integer()):
        return f"{sign}£{amount:,.2f}"
    return f"{sign}£{amount:,.0f}"


@hookimpl
def render_cell(value, column):
    return format_gbp(column, value)
