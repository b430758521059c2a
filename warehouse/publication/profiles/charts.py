"""The profiles' charts: inline SVG bar and line charts with axes, ticks and legends, drawn here
(no script, nothing fetched); each chart is followed by a table of the same numbers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from warehouse.publication.profiles.format import esc, plain


def _coord(x: float) -> str:
    return f"{x:.1f}"


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
        f'<svg xmlns="http://www.w3.org/2000/svg" data-testid="{esc(testid)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{uid}-title {uid}-desc">',
        f'<title id="{uid}-title">{esc(title)}</title>',
        f'<desc id="{uid}-desc">{esc(desc)}</desc>',
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
        out.append(f'<text x="{_coord(x + 18)}" y="{_coord(y)}">{esc(label)}</text>')
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


def bar_chart(
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
        out.append(f'<text x="{_coord(x(t))}" y="{bottom + 16}" text-anchor="middle">{esc(fmt(t))}</text>')
    out.append("</g>")
    for i, row in enumerate(rows):
        y0 = top + i * row_h
        out.append(f'<g class="row" data-label="{esc(row.label)}">')
        out.append(
            f'<text x="{label_w - 6}" y="{_coord(y0 + row_h / 2 + 4)}" text-anchor="end">{esc(row.label)}</text>'
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
                    f'height="{row_h - 10}"><title>{esc(f"{row.label}: {label} {fmt(v)}")}</title></rect>'
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
                    f"<title>{esc(f'{row.label}: {label} {fmt(v)}')}</title></rect>"
                )
        for key, label, css in markers:
            m = row.markers.get(key)
            if m is None:
                continue
            out.append(
                f'<line class="{css}" x1="{_coord(x(m))}" y1="{_coord(y0 + 2)}" x2="{_coord(x(m))}" '
                f'y2="{_coord(y0 + row_h - 2)}"><title>{esc(f"{row.label}: {label} {fmt(m)}")}</title></line>'
            )
        if row.note:
            out.append(f'<text x="{width - note_w + 8}" y="{_coord(y0 + row_h / 2 + 4)}">{esc(row.note)}</text>')
        out.append("</g>")
    if lo < 0 < hi:
        out.append(f'<line class="zero" x1="{_coord(x(0))}" y1="{top - 4}" x2="{_coord(x(0))}" y2="{bottom}"/>')
    out.append("</svg>")
    return "\n".join(out)


def line_chart(
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
        out.append(f'<text x="{left - 6}" y="{_coord(y(t) + 4)}" text-anchor="end">{esc(tick_text(t))}</text>')
    for i, p in enumerate(periods):
        out.append(f'<text x="{_coord(x(i))}" y="{top + plot_h + 18}" text-anchor="middle">{esc(p)}</text>')
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
        out.append(f'<g class="series" data-series="{esc(css)}">')
        for r in runs:
            if len(r) > 1:
                out.append(f'<polyline class="l-{css}" points="{" ".join(r)}"/>')
        for i, v in enumerate(vals):
            if v is not None:
                out.append(
                    f'<circle class="p-{css}" cx="{_coord(x(i))}" cy="{_coord(y(v))}" r="3.5">'
                    f"<title>{esc(f'{label}, {periods[i]}: {plain(v)}')}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# data
