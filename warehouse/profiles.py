"""A static site for a release: ``<release>/site/``, readable offline (no JS, no CSS or fonts fetched).

    index.html                 profiles, the release's metadata and documentation, every mart's
                               CSV and Parquet download
    profiles/<area_code>.html  one per council of the region and one for the combined authority area:
                               headline numbers; spend per head by theme and agency type beside the
                               combined authority area and England; budget against outturn by service
                               line; outcome trends against England / the region / the national median
    dbt_docs/index.html        dbt's docs as one static page (``build_dbt_docs``)

Numbers are read from the warehouse (DuckDB, read-only). Every chart is an inline SVG drawn here
and is followed by a table of the same numbers; table cells carry ``data-value`` (the raw number,
empty when not available) and key elements ``data-testid``, for browser tests. Rows built from a
synthetic sample are marked, and a page that shows any says so at the top. The HTML depends only
on the warehouse and the release's files (no timestamps but the release's own), so the same
release gives the same site.
"""

from __future__ import annotations

import html
import json
import logging
import math
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from ingest.errors import WholeplaceError
from ingest.settings import Settings
from warehouse.db import connect

log = logging.getLogger(__name__)

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
.badge{background:#fff4ce;border:1px solid #b58900;font-size:12px;padding:0 4px;white-space:nowrap}
.note{color:#444;font-size:14px}
dl.headlines{display:grid;grid-template-columns:max-content auto;gap:4px 16px}
dl.headlines dt{font-weight:bold}
figure{margin:8px 0}
svg text{font-size:12px;fill:#1d1d1d}
svg .axis line,svg .axis path{stroke:#999}
svg .grid{stroke:#e3e3e3}
svg .zero{stroke:#555}
.s-council{fill:#0072b2}.s-ca{fill:#e69f00}.s-police{fill:#56b4e9}.s-fire{fill:#d55e00}.s-nhs{fill:#009e73}.s-transfers{fill:#cc79a7}
.s-budget{fill:#9aa5b1}.s-outturn{fill:#0072b2}
.m-ca{stroke:#000;stroke-width:3}.m-england{stroke:#d55e00;stroke-width:3}
.l-area{stroke:#0072b2;fill:none;stroke-width:2.5}.p-area{fill:#0072b2}
.l-england{stroke:#d55e00;fill:none;stroke-width:2;stroke-dasharray:6 3}.p-england{fill:#d55e00}
.l-region{stroke:#009e73;fill:none;stroke-width:2;stroke-dasharray:2 2}.p-region{fill:#009e73}
.l-median{stroke:#cc79a7;fill:none;stroke-width:2;stroke-dasharray:8 2 2 2}.p-median{fill:#cc79a7}
""".strip()


# ---------------------------------------------------------------------------------------------
# formatting


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _raw(value: Any) -> str:
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


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _gbp(value: Any, decimals: int = 2) -> str:
    if value is None:
        return "not available"
    v = float(value)
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.{decimals}f}"


def _gbp_m(value: Any) -> str:
    if value is None:
        return "not available"
    v = float(value) / 1e6
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.1f}m"


def _pct(value: Any) -> str:
    return "not available" if value is None else f"{float(value):,.2f}%"


def _plain(value: Any) -> str:
    if value is None:
        return "not available"
    v = float(value)
    a = abs(v)
    decimals = 3 if a < 1 else 2 if a < 100 else 1 if a < 10000 else 0
    return f"{v:,.{decimals}f}"


def _coord(x: float) -> str:
    return f"{x:.1f}"


def _per_head(amount: Any, population: Any) -> Decimal | None:
    if amount is None or not population:
        return None
    return (Decimal(amount) / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _cell(value: Any, text: str, column: str, *, title: str | None = None) -> str:
    cls = "num" if value is not None else "num na"
    title_attr = f' title="{_esc(title)}"' if title else ""
    return (
        f'<td class="{cls}" data-column="{_esc(column)}" data-value="{_esc(_raw(value))}"{title_attr}>{_esc(text)}</td>'
    )


def _text_cell(text: Any, column: str) -> str:
    return f'<td data-column="{_esc(column)}">{_esc(text)}</td>'


# ---------------------------------------------------------------------------------------------
# charts (inline SVG)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    count = int(round((end - start) / step))
    return [round(start + i * step, 10) for i in range(count + 1)]


def _tick_formatter(ticks: list[float]) -> Callable[[float], str]:
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > 1e-9 * max(1.0, step):
        decimals += 1
    return lambda v: f"{v:,.{decimals}f}"


def _svg_open(testid: str, width: int, height: int, title: str, desc: str, uid: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" data-testid="{_esc(testid)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{uid}-title {uid}-desc">',
        f'<title id="{uid}-title">{_esc(title)}</title>',
        f'<desc id="{uid}-desc">{_esc(desc)}</desc>',
    ]


def _legend_width(label: str) -> float:
    return 30 + 7.2 * len(label)


def _legend(items: list[tuple[str, str, str]], x0: float, y: float, x_max: float) -> list[str]:
    """items: (label, css class, 'box' | 'line'); wraps onto another line at x_max."""
    out, x = [], x0
    for label, css, kind in items:
        if x > x0 and x + _legend_width(label) > x_max:
            x, y = x0, y + 18
        if kind == "box":
            out.append(f'<rect class="{css}" x="{_coord(x)}" y="{_coord(y - 9)}" width="12" height="10"/>')
        else:
            out.append(
                f'<line class="{css}" x1="{_coord(x)}" y1="{_coord(y - 4)}" '
                f'x2="{_coord(x + 14)}" y2="{_coord(y - 4)}"/>'
            )
        out.append(f'<text x="{_coord(x + 18)}" y="{_coord(y)}">{_esc(label)}</text>')
        x += _legend_width(label)
    return out


def _legend_lines(items: list[tuple[str, str, str]], x0: float, x_max: float) -> int:
    lines, x = 1, x0
    for label, _, _ in items:
        if x > x0 and x + _legend_width(label) > x_max:
            lines, x = lines + 1, x0
        x += _legend_width(label)
    return lines


@dataclass
class BarRow:
    label: str
    values: dict[str, float | None]
    markers: dict[str, float | None] = field(default_factory=dict)
    note: str = ""  # shown at the end of the row (e.g. the total, or "not available")


def _bar_chart(
    rows: list[BarRow],
    series: list[tuple[str, str, str]],
    markers: list[tuple[str, str, str]],
    *,
    stacked: bool,
    fmt: Callable[[float], str],
    testid: str,
    uid: str,
    title: str,
    desc: str,
) -> str:
    """Horizontal bars, one row per category: stacked (positive parts right of zero, negative parts
    left of it) or grouped (one thin bar per series); markers are short vertical lines."""
    width, label_w, note_w = 900, 270, 110
    row_h = 26 if stacked else 14 + 9 * len(series)
    legend = [(label, css, "box") for _, label, css in series] + [(label, css, "line") for _, label, css in markers]
    top = 22 + 18 * _legend_lines(legend, 8, width)
    plot_w = width - label_w - note_w
    ends: list[float] = [0.0]
    for row in rows:
        vals = [v for v in row.values.values() if v is not None]
        if stacked:
            ends += [sum(v for v in vals if v > 0), sum(v for v in vals if v < 0)]
        else:
            ends += vals
        ends += [m for m in row.markers.values() if m is not None]
    ticks = _ticks(min(ends), max(ends))
    lo, hi = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * plot_w

    height = top + row_h * len(rows) + 30
    out = _svg_open(testid, width, height, title, desc, uid)
    out += _legend(legend, 8, 16, width)
    bottom = top + row_h * len(rows)
    out.append('<g class="axis">')
    for t in ticks:
        out.append(f'<line class="grid" x1="{_coord(x(t))}" y1="{top - 4}" x2="{_coord(x(t))}" y2="{bottom}"/>')
        out.append(f'<text x="{_coord(x(t))}" y="{bottom + 16}" text-anchor="middle">{_esc(fmt(t))}</text>')
    out.append("</g>")
    for i, row in enumerate(rows):
        y0 = top + i * row_h
        out.append(f'<g class="row" data-label="{_esc(row.label)}">')
        out.append(
            f'<text x="{label_w - 6}" y="{_coord(y0 + row_h / 2 + 4)}" text-anchor="end">{_esc(row.label)}</text>'
        )
        if stacked:
            pos = neg = 0.0
            for key, label, css in series:
                v = row.values.get(key)
                if not v:
                    continue
                if v > 0:
                    a, b = pos, pos + v
                    pos = b
                else:
                    a, b = neg + v, neg
                    neg = a
                out.append(
                    f'<rect class="{css}" x="{_coord(x(a))}" y="{_coord(y0 + 5)}" width="{_coord(x(b) - x(a))}" '
                    f'height="{row_h - 10}"><title>{_esc(f"{row.label}: {label} {fmt(v)}")}</title></rect>'
                )
        else:
            bar_h = (row_h - 8) / len(series)
            for j, (key, label, css) in enumerate(series):
                v = row.values.get(key)
                if v is None:
                    continue
                a, b = sorted((0.0, v))
                out.append(
                    f'<rect class="{css}" x="{_coord(x(a))}" y="{_coord(y0 + 4 + j * bar_h)}" '
                    f'width="{_coord(x(b) - x(a))}" height="{_coord(bar_h - 1)}">'
                    f"<title>{_esc(f'{row.label}: {label} {fmt(v)}')}</title></rect>"
                )
        for key, label, css in markers:
            m = row.markers.get(key)
            if m is None:
                continue
            out.append(
                f'<line class="{css}" x1="{_coord(x(m))}" y1="{_coord(y0 + 2)}" x2="{_coord(x(m))}" '
                f'y2="{_coord(y0 + row_h - 2)}"><title>{_esc(f"{row.label}: {label} {fmt(m)}")}</title></line>'
            )
        if row.note:
            out.append(f'<text x="{width - note_w + 8}" y="{_coord(y0 + row_h / 2 + 4)}">{_esc(row.note)}</text>')
        out.append("</g>")
    if lo < 0 < hi:
        out.append(f'<line class="zero" x1="{_coord(x(0))}" y1="{top - 4}" x2="{_coord(x(0))}" y2="{bottom}"/>')
    out.append("</svg>")
    return "\n".join(out)


def _line_chart(
    periods: list[str],
    series: list[tuple[str, str, list[float | None]]],
    *,
    testid: str,
    uid: str,
    title: str,
    desc: str,
) -> str:
    """series: (label, css suffix: area / england / region / median, one value per period)."""
    width, left, right, bottom = 700, 70, 50, 40
    legend = [(label, f"l-{css}", "line") for label, css, _ in series]
    top = 22 + 18 * _legend_lines(legend, 8, width)
    height = top + 200 + bottom
    values = [v for _, _, vals in series for v in vals if v is not None]
    if values:
        lo, hi = min(values), max(values)
        min_span = 0.1 * max(abs(lo), abs(hi))  # a tiny difference is not drawn as a big one
        if hi - lo < min_span:
            mid = (hi + lo) / 2
            lo, hi = mid - min_span / 2, mid + min_span / 2
        ticks = _ticks(lo, hi)
    else:
        ticks = [0.0, 1.0]
    tick_text = _tick_formatter(ticks)
    lo, hi = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(periods) == 1 else i * plot_w / (len(periods) - 1))

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    out = _svg_open(testid, width, height, title, desc, uid)
    out += _legend(legend, 8, 16, width)
    out.append('<g class="axis">')
    for t in ticks:
        out.append(f'<line class="grid" x1="{left}" y1="{_coord(y(t))}" x2="{width - right}" y2="{_coord(y(t))}"/>')
        out.append(f'<text x="{left - 6}" y="{_coord(y(t) + 4)}" text-anchor="end">{_esc(tick_text(t))}</text>')
    for i, p in enumerate(periods):
        out.append(f'<text x="{_coord(x(i))}" y="{top + plot_h + 18}" text-anchor="middle">{_esc(p)}</text>')
    out.append("</g>")
    for label, css, vals in series:
        run: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(vals):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_coord(x(i))},{_coord(y(v))}")
        if run:
            runs.append(run)
        out.append(f'<g class="series" data-series="{_esc(css)}">')
        for r in runs:
            if len(r) > 1:
                out.append(f'<polyline class="l-{css}" points="{" ".join(r)}"/>')
        for i, v in enumerate(vals):
            if v is not None:
                out.append(
                    f'<circle class="p-{css}" cx="{_coord(x(i))}" cy="{_coord(y(v))}" r="3.5">'
                    f"<title>{_esc(f'{label}, {periods[i]}: {_plain(v)}')}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# data


@dataclass
class Area:
    code: str
    name: str
    area_type: str

    @property
    def title(self) -> str:
        if self.area_type == "combined_authority":
            return f"{self.name} combined authority area"
        return self.name


def _records(con: Any, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _areas(con: Any) -> list[Area]:
    rows = _records(
        con,
        "select area_code, area_name, area_type from marts.dim_area "
        "where is_in_region and area_type in ('combined_authority', 'local_authority') "
        "order by area_type <> 'combined_authority', area_name, area_code",
    )
    return [Area(r["area_code"], r["area_name"], r["area_type"]) for r in rows]


def _measure_rank(measure: str) -> tuple[int, str]:
    return (MEASURE_ORDER.index(measure) if measure in MEASURE_ORDER else len(MEASURE_ORDER), measure)


@dataclass
class SpendTable:
    measure: str
    financial_year: str
    rows: list[dict]
    has_ca_comparator: bool
    has_england: bool
    population: Any
    population_source: str | None
    total_gbp: Decimal | None
    total_per_head_gbp: Decimal | None
    missing_agency_codes: list[str]
    later_unavailable: list[tuple[str, list[str]]] = field(default_factory=list)  # (year, missing agency codes)


def _spend_tables(con: Any, area: Area, region_code: str) -> list[SpendTable]:
    rows = _records(
        con,
        "select area_code, financial_year, measure, theme_code, theme_name, theme_group, council_gbp, "
        "combined_authority_gbp, police_gbp, fire_gbp, nhs_gbp, transfers_in_gbp, transfers_out_gbp, total_gbp, "
        "population_count, "
        "population_source, per_head_gbp, missing_agency_codes, is_synthetic "
        "from marts.whole_place_budget where area_code in (?, ?)",
        [area.code, region_code],
    )
    england = {
        (r["financial_year"], r["theme_code"]): r["england_spend_per_head_gbp"]
        for r in _records(
            con,
            "select distinct financial_year, theme_code, england_spend_per_head_gbp from marts.spend_vs_outcomes "
            "where england_spend_per_head_gbp is not null",
        )
    }
    own = [r for r in rows if r["area_code"] == area.code]
    region = {(r["financial_year"], r["measure"], r["theme_code"]): r for r in rows if r["area_code"] == region_code}
    tables = []
    for measure in sorted({r["measure"] for r in own}, key=_measure_rank):
        years = sorted({r["financial_year"] for r in own if r["measure"] == measure and r["per_head_gbp"] is not None})
        if not years:
            years = sorted({r["financial_year"] for r in own if r["measure"] == measure})
        year = years[-1]
        chosen = [r for r in own if r["measure"] == measure and r["financial_year"] == year]
        later_unavailable = []
        for later in sorted(
            {r["financial_year"] for r in own if r["measure"] == measure and r["financial_year"] > year}
        ):
            codes = {
                c
                for r in own
                if r["measure"] == measure and r["financial_year"] == later
                for c in (r["missing_agency_codes"] or "").split(";")
                if c
            }
            later_unavailable.append((later, sorted(codes)))
        out = []
        for r in chosen:
            pop = r["population_count"]
            net = None
            if r["total_gbp"] is not None:
                net = Decimal(r["transfers_in_gbp"] or 0) - Decimal(r["transfers_out_gbp"] or 0)
            ca_row = region.get((year, measure, r["theme_code"]))
            out.append(
                {
                    **r,
                    "council_per_head_gbp": _per_head(r["council_gbp"], pop),
                    "combined_authority_per_head_gbp": _per_head(r["combined_authority_gbp"], pop),
                    "police_per_head_gbp": _per_head(r["police_gbp"], pop),
                    "fire_per_head_gbp": _per_head(r["fire_gbp"], pop),
                    "nhs_per_head_gbp": _per_head(r["nhs_gbp"], pop),
                    "net_transfers_per_head_gbp": _per_head(net, pop),
                    "ca_area_per_head_gbp": ca_row["per_head_gbp"] if ca_row else None,
                    "england_per_head_gbp": england.get((year, r["theme_code"])) if measure == "outturn" else None,
                }
            )
        out.sort(key=lambda r: (r["per_head_gbp"] is None, -(r["per_head_gbp"] or 0), r["theme_name"] or ""))
        complete = all(r["total_gbp"] is not None for r in chosen)
        total = sum((Decimal(r["total_gbp"]) for r in chosen), Decimal(0)) if complete and chosen else None
        pops = {r["population_count"] for r in chosen if r["population_count"]}
        population = next(iter(pops)) if len(pops) == 1 else None
        missing = sorted({c for r in chosen for c in (r["missing_agency_codes"] or "").split(";") if c})
        tables.append(
            SpendTable(
                measure=measure,
                financial_year=year,
                rows=out,
                has_ca_comparator=area.code != region_code and any(r["ca_area_per_head_gbp"] is not None for r in out),
                has_england=any(r["england_per_head_gbp"] is not None for r in out),
                population=population,
                population_source=next((r["population_source"] for r in chosen if r["population_source"]), None),
                total_gbp=total,
                total_per_head_gbp=_per_head(total, population),
                missing_agency_codes=missing,
                later_unavailable=later_unavailable,
            )
        )
    return tables


def _scoped_totals(con: Any, area: Area, region_code: str | None) -> list[dict]:
    """The area's (and its combined authority area's) totals by year, measure and declared scope."""
    return _records(
        con,
        "select area_code, financial_year, measure, scope_code, scope_name, total_gbp, per_head_gbp, "
        "population_count, population_source, scope_body_types, missing_body_types, scope_note, is_complete "
        "from marts.whole_place_totals where area_code in (?, ?) order by financial_year",
        [area.code, region_code or area.code],
    )


# the headlines a profile shows, each a declared scope of one measure: (scope, measure, label)
HEADLINE_SCOPES = (
    ("local_government", "outturn", "Local government outturn (council, combined authority, police and fire)"),
    ("whole_place", "budget", "Whole place budget (local government budgets and NHS ICB allocations)"),
)
LIKE_FOR_LIKE = ("local_government", "outturn")


def _headline_items(area: Area, totals: list[dict]) -> list[tuple[str, str]]:
    """One headline per declared scope: the latest year with a figure (a later year without one is
    named), always with the scope it covers."""
    items = []
    own = [t for t in totals if t["area_code"] == area.code]
    for scope, measure, label in HEADLINE_SCOPES:
        rows = [t for t in own if t["scope_code"] == scope and t["measure"] == measure]
        if not rows:
            continue
        shown = [t for t in rows if t["total_gbp"] is not None]
        row = shown[-1] if shown else rows[-1]
        later = [t for t in rows if t["financial_year"] > row["financial_year"]]
        if row["total_gbp"] is None:
            value = "not available: " + _esc(row["scope_note"])
        else:
            value = f"{_esc(_gbp_m(row['total_gbp']))}, {_esc(_gbp(row['per_head_gbp']))} per head"
        if later:
            value += (
                " (later years not available: "
                + "; ".join(
                    f"{_esc(t['financial_year'])}: {_esc((t['missing_body_types'] or '').replace(';', ', '))} missing"
                    for t in later
                )
                + ")"
            )
        items.append(
            (
                f"{label}, {row['financial_year']}",
                f'<span data-testid="headline-total" data-scope="{_esc(scope)}" data-measure="{_esc(measure)}" '
                f'data-financial-year="{_esc(row["financial_year"])}" data-value="{_esc(_raw(row["total_gbp"]))}" '
                f'data-per-head="{_esc(_raw(row["per_head_gbp"]))}" '
                f'data-scope-bodies="{_esc(row["scope_body_types"])}">{value}</span>'
                f'<br><span class="note" data-testid="headline-scope">{_esc(row["scope_note"])}</span>',
            )
        )
    return items


def _like_for_like_section(area: Area, totals: list[dict], region_code: str | None, uid: str) -> list[str]:
    """Local government outturn per head over every year held: the same scope every year."""
    scope, measure = LIKE_FOR_LIKE
    rows = [t for t in totals if t["scope_code"] == scope and t["measure"] == measure]
    years = sorted({t["financial_year"] for t in rows})
    if not years:
        return []
    by = {(t["area_code"], t["financial_year"]): t for t in rows}
    series = [(area.title, "area", [_num((by.get((area.code, y)) or {}).get("per_head_gbp")) for y in years])]
    if region_code and region_code != area.code:
        series.append(
            (
                "Combined authority area",
                "region",
                [_num((by.get((region_code, y)) or {}).get("per_head_gbp")) for y in years],
            )
        )
    chart = _line_chart(
        years,
        series,
        testid="chart-like-for-like",
        uid=uid,
        title=f"{area.title}: local government outturn per head, every year held",
        desc="Council, combined authority, police and fire outturn per resident, the same scope each year. "
        "A gap is a year with a part not available. The table below gives the same numbers.",
    )
    body = []
    for y in years:
        t = by.get((area.code, y)) or {}
        body.append(
            f'<tr data-financial-year="{_esc(y)}">'
            f'<th scope="row">{_esc(y)}</th>'
            + _cell(
                t.get("total_gbp"),
                _gbp_m(t.get("total_gbp")) if t.get("total_gbp") is not None else "not available",
                "total_gbp",
                title=t.get("scope_note"),
            )
            + _cell(
                t.get("per_head_gbp"),
                _gbp(t.get("per_head_gbp")) if t.get("per_head_gbp") is not None else "not available",
                "per_head_gbp",
            )
            + _text_cell(t.get("population_source") or "", "population_source")
            + "</tr>"
        )
    return [
        f'<section data-testid="like-for-like" data-scope="{scope}" data-measure="{measure}">',
        "<h2>Like for like: local government outturn per head</h2>",
        '<p class="note">The same scope in every year: the council, the combined authority (shared by '
        "population), the police and crime commissioner and the fire and rescue authority (shared by population). "
        "The NHS is not in it: no held source publishes NHS outturn by place. A year in which a part is not "
        "available (a return not submitted) has no figure.</p>",
        f"<figure>{chart}</figure>",
        f'<table data-testid="like-for-like-table"><caption>{_esc(area.title)}: local government outturn</caption>',
        '<thead><tr><th scope="col">Financial year</th><th scope="col">Total</th>'
        '<th scope="col">Per head</th><th scope="col">Population</th></tr></thead>',
        "<tbody>",
        *body,
        "</tbody></table></section>",
    ]


def _budget_vs_outturn(con: Any, area: Area) -> dict[str, list[dict]]:
    rows = _records(
        con,
        "select financial_year, service_line_code, service_line_name, theme_code, budget_gbp, outturn_gbp, "
        "variance_gbp, variance_pct, budget_status, outturn_status from marts.budget_vs_outturn "
        "where agency_code = ? and line_type <> 'detail' "
        "order by financial_year desc, theme_code is null, service_line_name, service_line_code",
        [area.code],
    )
    years: dict[str, list[dict]] = {}
    for r in rows:
        years.setdefault(r["financial_year"], []).append(r)
    return years


def _outcomes(con: Any, area: Area) -> list[dict]:
    """One series per indicator × sex × age: its periods in order, with comparators."""
    rows = _records(
        con,
        "select o.indicator_code, i.indicator_name, i.unit, i.polarity, o.period_label, o.period_end_date, o.sex, "
        "o.age, o.value, o.value_status, o.england_value, o.region_value, o.national_median_value, o.is_derived, "
        "o.is_synthetic from marts.fct_outcome o "
        "left join marts.dim_indicator i on o.indicator_code = i.indicator_code "
        "where o.area_code = ? order by o.indicator_code, o.sex, o.age, o.period_end_date, o.period_label",
        [area.code],
    )
    groups: dict[tuple, dict] = {}
    for r in rows:
        key = (r["indicator_code"], r["sex"], r["age"])
        g = groups.setdefault(
            key,
            {
                "indicator_code": r["indicator_code"],
                "indicator_name": r["indicator_name"] or r["indicator_code"],
                "unit": r["unit"],
                "polarity": r["polarity"],
                "sex": r["sex"],
                "age": r["age"],
                "rows": [],
            },
        )
        g["rows"].append(r)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------
# pages


def _page(title: str, body: list[str], *, release: dict, up: str) -> str:
    version = release.get("version") or ""
    created = release.get("created") or ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)} · wholeplace {_esc(version)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<header>",
            f'<p><a href="{up}index.html">wholeplace</a> · release <span data-testid="release-version">'
            f"{_esc(version)}</span>" + (f" (created {_esc(created)})" if created else "") + "</p>",
            f'<h1 data-testid="page-title">{_esc(title)}</h1>',
            "</header>",
            "<main>",
            *body,
            "</main>",
            '<footer><p class="note">Open Government Licence v3.0. Contains public sector information '
            "licensed under the Open Government Licence v3.0; see the release's datapackage.json for each "
            "source's attribution.</p></footer>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _synthetic_badge(flag: Any) -> str:
    return ' <span class="badge" data-testid="synthetic-badge">synthetic sample</span>' if flag else ""


def _part_cell(row: dict, column: str, na_title: str | None) -> str:
    """An agency type's part: empty (–) when the theme's total is there but that agency type has no
    money on it; not available when the total is not available."""
    value = row[column]
    if value is not None:
        return _cell(value, _gbp(value), column)
    if row["per_head_gbp"] is not None:
        return _cell(None, "–", column, title="no money from this agency type on this theme")
    return _cell(None, "not available", column, title=na_title)


def _comparator_cell(value: Any, column: str) -> str:
    if value is None:
        return _cell(None, "–", column, title="no comparator for this theme in the marts")
    return _cell(value, _gbp(value), column)


def _spend_section(area: Area, table: SpendTable, uid: str) -> list[str]:
    m, fy = table.measure, table.financial_year
    heading = f"{MEASURE_TITLES.get(m, m)}, {fy}"
    markers = []
    if table.has_ca_comparator:
        markers.append(("ca_area_per_head_gbp", "Combined authority area total", "m-ca"))
    if table.has_england:
        markers.append(("england_per_head_gbp", "England (all councils' outturn)", "m-england"))
    bar_rows = [
        BarRow(
            label=r["theme_name"] or r["theme_code"],
            values={k: _num(r[k]) for k, _, _ in AGENCY_SERIES} if r["per_head_gbp"] is not None else {},
            markers={k: _num(r[k]) for k, _, _ in markers},
            note=_gbp(r["per_head_gbp"]) if r["per_head_gbp"] is not None else "not available",
        )
        for r in table.rows
    ]
    chart = _bar_chart(
        bar_rows,
        list(AGENCY_SERIES),
        markers,
        stacked=True,
        fmt=lambda v: _gbp(v, 0),
        testid="chart-spend-per-head",
        uid=uid,
        title=f"{area.title}: {heading}, £ per head by service theme and agency type",
        desc="Bars: each agency type's money per resident on the theme (stacked; transfers between agencies "
        "net). Lines: comparators. The table below gives the same numbers.",
    )
    head = [
        '<th scope="col">Service theme</th>',
        *[f'<th scope="col">{_esc(label)} £/head</th>' for _, label, _ in AGENCY_SERIES],
        '<th scope="col">Total £/head</th>',
        '<th scope="col">Total</th>',
    ]
    if table.has_ca_comparator:
        head.append('<th scope="col">Combined authority area total £/head</th>')
    if table.has_england:
        head.append('<th scope="col">England £/head (outturn)</th>')
    body = []
    any_synthetic = False
    for r in table.rows:
        any_synthetic |= bool(r["is_synthetic"])
        missing = r["missing_agency_codes"]
        na_title = f"not available: no figure from {missing}" if missing else None
        cells = [
            f'<th scope="row">{_esc(r["theme_name"] or r["theme_code"])}{_synthetic_badge(r["is_synthetic"])}</th>',
            *[_part_cell(r, k, na_title) for k, _, _ in AGENCY_SERIES],
            _cell(r["per_head_gbp"], _gbp(r["per_head_gbp"]), "per_head_gbp", title=na_title),
            _cell(r["total_gbp"], _gbp_m(r["total_gbp"]), "total_gbp", title=na_title),
        ]
        if table.has_ca_comparator:
            cells.append(_comparator_cell(r["ca_area_per_head_gbp"], "ca_area_per_head_gbp"))
        if table.has_england:
            cells.append(_comparator_cell(r["england_per_head_gbp"], "england_per_head_gbp"))
        body.append(
            f'<tr data-theme-code="{_esc(r["theme_code"])}" data-synthetic="{str(bool(r["is_synthetic"])).lower()}">'
            + "".join(cells)
            + "</tr>"
        )
    notes = [
        f"Per head: ÷ {_esc(table.population_source or 'population')}"
        + (f" ({int(table.population):,} people)" if table.population else "")
        + ". The total per head and total are the mart's (whole_place_budget.per_head_gbp, total_gbp); each "
        "agency type's share per head is its money ÷ the same population, rounded to pence. Money an ICB "
        "passes into a council-hosted pooled fund is counted once: shown as transfers (net) per theme."
    ]
    for later, codes in table.later_unavailable:
        notes.append(
            f"{_esc(m.capitalize())} {_esc(later)} is not available for this area"
            + (f" (no figure from {_esc(', '.join(codes))})" if codes else "")
            + f": {_esc(fy)} is the latest year with figures."
        )
    notes.append("“–”: no money from that agency type on the theme, or no comparator for it.")
    if table.missing_agency_codes:
        notes.append(
            "Not available is not zero: totals that would include a missing figure are left empty "
            f"(no figure from {', '.join(table.missing_agency_codes)})."
        )
    if any_synthetic:
        notes.append("Rows marked “synthetic sample” include figures built from synthetic samples.")
    return [
        f'<section data-testid="spend-per-head" data-measure="{_esc(m)}" data-financial-year="{_esc(fy)}">',
        f"<h3>{_esc(heading)}</h3>",
        f"<figure>{chart}</figure>",
        f'<table data-testid="spend-per-head-table" data-measure="{_esc(m)}" data-financial-year="{_esc(fy)}">',
        f"<caption>{_esc(area.title)}: {_esc(heading)}</caption>",
        "<thead><tr>" + "".join(head) + "</tr></thead>",
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
        *[f'<p class="note">{n}</p>' for n in notes],
        "</section>",
    ]


def _budget_section(area: Area, year: str, rows: list[dict], uid: str) -> list[str]:
    lines = [r for r in rows if r["theme_code"] is not None]
    chart = _bar_chart(
        [
            BarRow(
                label=r["service_line_name"] or r["service_line_code"],
                values={"budget_gbp": _num(r["budget_gbp"]), "outturn_gbp": _num(r["outturn_gbp"])},
                note=(
                    "outturn n/a"
                    if r["outturn_gbp"] is None
                    else _pct(r["variance_pct"])
                    if r["variance_pct"] is not None
                    else ""
                ),
            )
            for r in lines
        ],
        [("budget_gbp", "Budget (RA)", "s-budget"), ("outturn_gbp", "Outturn (RSX)", "s-outturn")],
        [],
        stacked=False,
        fmt=_gbp_m,
        testid="chart-budget-vs-outturn",
        uid=uid,
        title=f"{area.title}: budget against outturn by service line, {year}",
        desc="For each service line, the budget bar above the outturn bar; the note is the variance as a "
        "percentage of budget. The table below gives the same numbers.",
    )
    body = []
    for r in rows:
        total = r["theme_code"] is None
        body.append(
            f'<tr data-service-line="{_esc(r["service_line_code"])}"'
            + (' class="total"' if total else "")
            + ">"
            + f'<th scope="row">{_esc(r["service_line_name"] or r["service_line_code"])}</th>'
            + _cell(r["budget_gbp"], _gbp_m(r["budget_gbp"]), "budget_gbp")
            + _cell(r["outturn_gbp"], _gbp_m(r["outturn_gbp"]), "outturn_gbp")
            + _cell(r["variance_gbp"], _gbp_m(r["variance_gbp"]), "variance_gbp")
            + _cell(r["variance_pct"], _pct(r["variance_pct"]), "variance_pct")
            + _text_cell(r["outturn_status"], "outturn_status")
            + "</tr>"
        )
    return [
        f'<section data-testid="budget-vs-outturn" data-financial-year="{_esc(year)}">',
        f"<h3>{_esc(year)}</h3>",
        f"<figure>{chart}</figure>",
        f'<table data-testid="budget-vs-outturn-table" data-financial-year="{_esc(year)}">',
        f"<caption>{_esc(area.title)}: budget against outturn by service line, {_esc(year)}</caption>",
        '<thead><tr><th scope="col">Service line</th><th scope="col">Budget</th><th scope="col">Outturn</th>'
        '<th scope="col">Variance (outturn − budget)</th><th scope="col">Variance % of budget</th>'
        '<th scope="col">Outturn status</th></tr></thead>',
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
        "</section>",
    ]


_COMPARATORS = (
    ("england_value", "England", "england"),
    ("region_value", "Region (ONS)", "region"),
    ("national_median_value", "National median of councils", "median"),
)


def _outcome_section(area: Area, group: dict, uid: str) -> list[str]:
    rows = group["rows"]
    periods = [r["period_label"] for r in rows]
    series = [(area.title, "area", [_num(r["value"]) for r in rows])]
    shown = [c for c in _COMPARATORS if any(r[c[0]] is not None for r in rows)]
    series += [(label, css, [_num(r[col]) for r in rows]) for col, label, css in shown]
    name = group["indicator_name"]
    qualifier = ", ".join(str(q) for q in (group["sex"], group["age"]) if q and q != "as published")
    title = f"{name}" + (f" ({qualifier})" if qualifier else "")
    unit = group["unit"] or ""
    polarity = (group["polarity"] or "").replace("_", " ")
    synthetic = any(r["is_synthetic"] for r in rows)
    chart = _line_chart(
        periods,
        series,
        testid="chart-outcome-trend",
        uid=uid,
        title=f"{area.title}: {title}, {unit}",
        desc="The area's value by period with the comparators the publisher gives. The table below gives the "
        "same numbers.",
    )
    head = '<th scope="col">Period</th><th scope="col">Value</th>' + "".join(
        f'<th scope="col">{_esc(label)}</th>' for _, label, _ in shown
    )
    body = []
    for r in rows:
        body.append(
            f'<tr data-period="{_esc(r["period_label"])}" data-synthetic="{str(bool(r["is_synthetic"])).lower()}">'
            + f'<th scope="row">{_esc(r["period_label"])}{_synthetic_badge(r["is_synthetic"])}'
            + (' <span class="badge derived" data-testid="derived-badge">derived</span>' if r["is_derived"] else "")
            + "</th>"
            + _cell(
                r["value"], _plain(r["value"]), "value", title=None if r["value"] is not None else r["value_status"]
            )
            + "".join(_cell(r[col], _plain(r[col]), col) for col, _, _ in shown)
            + "</tr>"
        )
    derived = any(r["is_derived"] for r in rows)
    notes = []
    if derived:
        notes.append(
            "Values marked derived are computed by the warehouse (e.g. the combined authority area from its councils)."
        )
    return [
        f'<section data-testid="outcome-trend" data-indicator-code="{_esc(group["indicator_code"])}" '
        f'data-sex="{_esc(group["sex"])}" data-age="{_esc(group["age"])}">',
        f"<h3>{_esc(title)}{_synthetic_badge(synthetic)}</h3>",
        f'<p class="note">Unit: {_esc(unit or "as published")}; {_esc(polarity or "no polarity")}. '
        f"Source indicator {_esc(group['indicator_code'])}.</p>",
        f"<figure>{chart}</figure>",
        f'<table data-testid="outcome-table" data-indicator-code="{_esc(group["indicator_code"])}">',
        f"<caption>{_esc(area.title)}: {_esc(title)}</caption>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
        *[f'<p class="note">{_esc(n)}</p>' for n in notes],
        "</section>",
    ]


def _profile_page(con: Any, area: Area, release: dict, region_code: str | None) -> str:
    spend = _spend_tables(con, area, region_code)
    budgets = _budget_vs_outturn(con, area)
    outcomes = _outcomes(con, area)
    synthetic_sources = release.get("synthetic_sources") or []
    uses_synthetic = any(r["is_synthetic"] for t in spend for r in t.rows) or any(
        r["is_synthetic"] for g in outcomes for r in g["rows"]
    )
    body: list[str] = []
    if uses_synthetic:
        body.append(
            '<section class="synthetic-note" data-testid="synthetic-note" role="note">'
            "<strong>Contains synthetic data.</strong> Some figures on this page are built from synthetic "
            "samples in the publishers' formats, not real publications"
            + (f" ({_esc(', '.join(synthetic_sources))})" if synthetic_sources else "")
            + ". Rows and charts built from them are marked “synthetic sample”.</section>"
        )
    # headlines: each with the scope it covers; figures of different scope are never set side by side
    totals = _scoped_totals(con, area, region_code)
    items = [("Area code", _esc(area.code)), *_headline_items(area, totals)]
    population = next((t for t in spend if t.population), None)
    if population is not None:
        items.append(
            (
                f"Population {population.financial_year}",
                f'<span data-testid="headline-population" data-value="{_esc(_raw(population.population))}">'
                f"{int(population.population):,}</span> ({_esc(population.population_source)})",
            )
        )
    body.append('<section data-testid="headlines"><h2>Headlines</h2><dl class="headlines">')
    body += [f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in items]
    body.append("</dl>")
    body.append(
        '<p class="note" data-testid="headline-scope-difference">The two headlines differ in scope: the budget '
        "includes the NHS (ICB allocations shared by need-weighted population), the outturn does not, because no "
        "held source publishes NHS outturn by place. Compare outturn with outturn: the like-for-like series below. "
        "Each pound is counted once; per head divides by the ONS mid-year estimate named. A total is not "
        "available when any part of it is.</p></section>"
    )
    body += _like_for_like_section(area, totals, region_code, "like-for-like")
    body.append("<section><h2>Spend per head by service theme and agency</h2>")
    if not spend:
        body.append('<p class="note">No spend figures for this area.</p>')
    for i, t in enumerate(spend):
        body += _spend_section(area, t, f"spend-{i}")
    body.append("</section>")
    body.append("<section><h2>Budget against outturn by service line</h2>")
    if not budgets:
        body.append('<p class="note">No budget or outturn returns for this area\'s authority.</p>')
    else:
        body.append(
            '<p class="note">The authority\'s own budget (MHCLG Revenue Account) against its outturn (Revenue '
            "Outturn), in £ million, by the publisher's service lines; variance = outturn − budget.</p>"
        )
    for i, (year, rows) in enumerate(budgets.items()):
        body += _budget_section(area, year, rows, f"bvo-{i}")
    body.append("</section>")
    body.append("<section><h2>Outcomes against England</h2>")
    if not outcomes:
        body.append('<p class="note">No outcome indicators for this area.</p>')
    for i, g in enumerate(outcomes):
        body += _outcome_section(area, g, f"outcome-{i}")
    body.append("</section>")
    return _page(area.title, body, release=release, up="../")


def _index_page(release_dir: Path, areas: list[Area], release: dict) -> str:
    from warehouse.publish import MARTS

    resources = {r["name"]: r for r in release.get("resources", []) if r.get("format") == "csv"}
    marts = [m for m in MARTS if m in resources or (release_dir / f"{m}.csv").exists()] or list(MARTS)
    body = []
    if release.get("contains_synthetic_data"):
        body.append(
            '<section class="synthetic-note" data-testid="synthetic-note" role="note"><strong>Contains synthetic '
            "data.</strong> These sources are samples, not real publications: "
            + _esc(", ".join(release.get("synthetic_sources") or []))
            + ". Rows built from them have is_synthetic = true.</section>"
        )
    body.append('<section data-testid="profiles"><h2>Place profiles</h2><ul>')
    for a in areas:
        kind = "combined authority, the region" if a.area_type == "combined_authority" else "council"
        body.append(
            f'<li><a data-testid="profile-link" data-area-code="{_esc(a.code)}" href="profiles/{_esc(a.code)}.html">'
            f"{_esc(a.title)}</a> ({_esc(a.code)}, {kind})</li>"
        )
    body.append("</ul></section>")
    docs = [
        (
            '<a data-testid="datapackage-link" href="../datapackage.json">datapackage.json</a>',
            "schemas, sources, licences and attribution, synthetic flags, the checks that passed",
        ),
        ('<a href="../RELEASE_NOTES.md">RELEASE_NOTES.md</a>', "what changed since the previous release"),
        ('<a href="../source_files.csv">source_files.csv</a>', "every raw file a figure was read from"),
    ]
    if (release_dir / "data_dictionary.md").exists():
        docs.append(
            (
                '<a data-testid="data-dictionary-link" href="../data_dictionary.md">data_dictionary.md</a>',
                "every column of every mart",
            )
        )
    docs += [
        (
            '<a data-testid="data-docs-link" href="../data_docs/index.html">Great Expectations Data Docs</a>',
            "the checks that gated this release",
        ),
        (
            '<a data-testid="dbt-docs-link" href="dbt_docs/index.html">dbt docs</a>',
            "models, columns, tests and lineage",
        ),
        (
            '<a data-testid="datasette-link" href="/wholeplace">Datasette</a>',
            "browse and query every mart (when the release is served with make serve)",
        ),
    ]
    if (release_dir / "wholeplace.sqlite").exists():
        docs.append(('<a href="../wholeplace.sqlite">wholeplace.sqlite</a>', "every mart in one SQLite database"))
    body.append('<section data-testid="documentation"><h2>About this release</h2><ul>')
    body += [f"<li>{link}: {_esc(text)}</li>" for link, text in docs]
    body.append("</ul></section>")
    body.append("<section><h2>Data</h2>")
    body.append(
        '<table data-testid="marts-table"><thead><tr><th scope="col">Mart</th><th scope="col">Rows</th>'
        '<th scope="col">Download</th><th scope="col">Description</th></tr></thead><tbody>'
    )
    for m in marts:
        r = resources.get(m, {})
        rows = r.get("rows")
        body.append(
            f'<tr data-mart="{_esc(m)}"><th scope="row">{_esc(m)}</th>'
            + _cell(rows, f"{rows:,}" if isinstance(rows, int) else "", "rows")
            + f'<td><a data-testid="csv-link" href="../{_esc(m)}.csv">CSV</a> · '
            f'<a data-testid="parquet-link" href="../{_esc(m)}.parquet">Parquet</a></td>'
            + f"<td>{_esc(r.get('description', ''))}</td></tr>"
        )
    body.append("</tbody></table></section>")
    title = (release.get("region") or {}).get("title") or "city region"
    return _page(f"wholeplace: {title} whole-place budget and outcomes", body, release=release, up="")


def _release_info(release_dir: Path) -> dict:
    path = release_dir / "datapackage.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"version": release_dir.name}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_site(release_dir: Path, duckdb_path: Path, settings: Settings | None = None) -> Path:
    """Write the static site into ``release_dir/site``; return the path of its index.html.

    ``settings`` is accepted for symmetry with build_dbt_docs (which needs it); the numbers come from
    ``duckdb_path``, opened read-only. site/dbt_docs/ is left as it is.
    """
    release_dir = Path(release_dir)
    site = release_dir / SITE_DIR
    release = _release_info(release_dir)
    profiles_dir = site / "profiles"
    if profiles_dir.exists():
        shutil.rmtree(profiles_dir)
    with connect(Path(duckdb_path)) as con:
        areas = _areas(con)
        region = next((a.code for a in areas if a.area_type == "combined_authority"), None)
        for area in areas:
            _write(profiles_dir / f"{area.code}.html", _profile_page(con, area, release, region))
    index = site / "index.html"
    _write(index, _index_page(release_dir, areas, release))
    log.info("wrote the site for release %s: %s (%d profiles)", release.get("version"), index, len(areas))
    return index


def build_dbt_docs(release_dir: Path, settings: Settings) -> Path:
    """``dbt docs generate --static --no-compile`` and copy the single page to ``site/dbt_docs/index.html``.

    --no-compile: the models were just built, so the page shows each model's SQL as written and the
    catalog of the built tables; compiling all of them again took 36 of the step's 43 s.

    dbt opens the warehouse itself: no connection to it may be held meanwhile. Where --static is not
    supported (dbt before 1.7), index.html, manifest.json and catalog.json are copied instead.
    """
    from warehouse.dbt import run_dbt

    target = settings.dbt_target_dir
    out = Path(release_dir) / SITE_DIR / "dbt_docs"
    static = target / "static_index.html"
    static.unlink(missing_ok=True)
    try:
        run_dbt(["docs", "generate", "--static", "--no-compile"], settings)
    except WholeplaceError as exc:
        if "--static" not in str(exc) and "No such option" not in str(exc):
            raise
        log.warning("dbt docs generate --static is not supported here; copying index.html and its JSON")
        run_dbt(["docs", "generate", "--no-compile"], settings)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if static.exists():
        shutil.copyfile(static, out / "index.html")
    else:
        for name in ("index.html", "manifest.json", "catalog.json"):
            shutil.copyfile(target / name, out / name)
    return out / "index.html"
