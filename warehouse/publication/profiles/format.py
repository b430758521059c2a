"""How the profiles show numbers and text: escaping, pounds, percentages, table cells, the page
style, and the titles and series the pages and charts share."""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SITE_DIR = "site"
ENGLAND_NAME = "England"
MEASURE_ORDER = ("budget", "outturn", "allocation")
MEASURE_TITLES = {
    "budget": "Planned spend per head (council, combined authority, police and fire budgets, NHS allocations)",
    "outturn": "Spend per head: local government outturn (council, combined authority, police and fire; "
    "no NHS outturn by place is published)",
    "allocation": "NHS allocations per head",
}
AGENCY_SERIES = (  # (column, label, css class)
    ("council_per_head_gbp", "Council", "s-council"),
    ("combined_authority_per_head_gbp", "Combined authority", "s-ca"),
    ("police_per_head_gbp", "Police (PCC, shared by population)", "s-police"),
    ("fire_per_head_gbp", "Fire and rescue (shared by population)", "s-fire"),
    ("nhs_per_head_gbp", "NHS (ICB allocations, apportioned)", "s-nhs"),
    ("net_transfers_per_head_gbp", "Transfers between agencies (net)", "s-transfers"),
)
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1d1d1d;line-height:1.45}
header,main,footer{max-width:1000px;margin:0 auto;padding:0 16px}
header{border-bottom:1px solid #ccc;padding-bottom:8px}
a{color:#0b5394}
table{border-collapse:collapse;margin:8px 0 24px;font-size:14px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total th,tr.total td{font-weight:bold}
td.na{color:#666;font-style:italic}
.synthetic-note{background:#fff4ce;border:2px solid #b58900;padding:8px 12px;margin:12px 0}
.estimate{background:#f2f2f2;border:2px dashed #6b6b6b;padding:8px 12px;margin:12px 0}
.estimate strong.flag{background:#6b6b6b;color:#fff;padding:0 6px;margin-right:6px}
.badge{background:#fff4ce;border:1px solid #b58900;font-size:12px;padding:0 4px;white-space:nowrap}
.note{color:#444;font-size:14px}
dl.headlines{display:grid;grid-template-columns:minmax(12em,22em) 1fr;gap:6px 16px}
dl.headlines dt{font-weight:bold}
figure{margin:8px 0}
figure svg{max-width:100%;height:auto}
figcaption{margin-top:4px}
ul.neighbours{columns:3;padding-left:20px}
.map-switch .map-panel{display:none}
.map-switch label{margin-right:16px}
#map-spend:checked~.map-spend,#map-share:checked~.map-share{display:block}
nav.contents{font-size:.9em;border:1px solid #ddd;padding:4px 12px;margin:8px 0}nav.contents ul{columns:2;margin:4px 0}
p.download{margin:2px 0 12px;font-size:.9em}
""".strip()


# ---------------------------------------------------------------------------------------------
# formatting


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def data_value(value: Any) -> str:
    """The raw number for data-value: exact for decimals and integers, repr for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)


def gbp(value: Any, decimals: int = 2) -> str:
    if value is None:
        return "not available"
    v = float(value)
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.{decimals}f}"


def gbp_m(value: Any) -> str:
    if value is None:
        return "not available"
    v = float(value) / 1e6
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.1f}m"


def pct(value: Any) -> str:
    return "not available" if value is None else f"{float(value):,.2f}%"


def plain(value: Any) -> str:
    if value is None:
        return "not available"
    v = float(value)
    a = abs(v)
    decimals = 3 if a < 1 else 2 if a < 100 else 1 if a < 10000 else 0
    return f"{v:,.{decimals}f}"


def per_head(amount: Any, population: Any) -> Decimal | None:
    if amount is None or not population:
        return None
    return (Decimal(amount) / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cell(value: Any, text: str, column: str, *, title: str | None = None) -> str:
    cls = "num" if value is not None else "num na"
    title_attr = f' title="{esc(title)}"' if title else ""
    value_attr = f'data-value="{esc(data_value(value))}"'
    return f'<td class="{cls}" data-column="{esc(column)}" {value_attr}{title_attr}>{esc(text)}</td>'


def status_words(status: Any) -> str:
    """A figure's status in words, with its GSS shorthand (seed value_statuses): "not available [x]"."""
    from core.codes import STATUS_SHORTHAND

    if status is None:
        return ""
    shorthand = STATUS_SHORTHAND.get(str(status))
    return str(status).replace("_", " ") + (f" {shorthand}" if shorthand else "")


def text_cell(text: Any, column: str) -> str:
    return f'<td data-column="{esc(column)}">{esc(text)}</td>'


# ---------------------------------------------------------------------------------------------
# charts (inline SVG)
