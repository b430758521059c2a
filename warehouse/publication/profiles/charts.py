"""The profiles' charts, written in a maintained grammar: each is a Vega-Lite spec built with altair
and rendered to static SVG by vl-convert (no script on the page, nothing fetched). The spec, with
its data inline, is published beside the page (``charts/<page>/<chart>.vl.json``) so an analyst
can open it in any Vega-Lite editor or reuse it; each chart is followed by a table of the same
numbers. A missing value is a gap in a line, never a zero; a series break is a dashed rule."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from warehouse.publication.profiles.format import esc

# the pound sign and thousands separators for d3-format's "$" (Vega-Lite config.locale)
LOCALE = {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]}}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies
COLOURS = {
    "area": "#0072B2",
    "england": "#000000",
    "region": "#E69F00",
    "median": "#999999",
    "neighbours": "#009E73",
    "budget": "#56B4E9",
    "outturn": "#0072B2",
}
AGENCY_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
# series with no colour of their own (service themes): Tableau 10
PALETTE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")
DASHES = {"area": [1, 0], "england": [6, 3], "region": [2, 2], "median": [4, 2, 1, 2], "neighbours": [8, 2]}
COMPARISON_SHAPES = {"better": "triangle-up", "similar": "circle", "worse": "triangle-down"}


@dataclass
class Chart:
    """A chart to publish: its Vega-Lite spec, and where the page says what it shows."""

    testid: str
    uid: str
    title: str
    desc: str
    spec: dict[str, Any]
    svg: str = ""
    cache_key: str = ""
    empty: bool = False  # nothing to draw: the page says so instead of showing empty axes

    @property
    def spec_name(self) -> str:
        return f"{self.uid}.vl.json"


@dataclass
class ChartSet:
    """The charts of one page, collected while its sections are written, rendered together."""

    page: str  # the folder of the page's specs: charts/<page>/
    charts: list[Chart] = field(default_factory=list)

    def figure(self, chart: Chart, *, up: str) -> str:
        """The chart's place on the page: replaced by its SVG when the set is rendered."""
        if chart.empty:
            return (
                f'<p class="note" data-testid="chart-empty" data-chart="{esc(chart.uid)}">No figures to chart '
                "here: the table below says what is not available.</p>"
            )
        self.charts.append(chart)
        href = f"{up}charts/{self.page}/{chart.spec_name}"
        return (
            f'<figure data-chart="{esc(chart.uid)}">@@chart:{self.page}/{chart.uid}@@'
            f'<figcaption class="note">{esc(chart.desc)} <a data-testid="chart-spec-link" href="{esc(href)}" '
            'type="application/json">Vega-Lite spec of this chart</a></figcaption></figure>'
        )

    def fill(self, html: str) -> str:
        for chart in self.charts:
            html = html.replace(f"@@chart:{self.page}/{chart.uid}@@", chart.svg, 1)
        return html

    def write_specs(self, site: Path) -> None:
        folder = site / "charts" / self.page
        folder.mkdir(parents=True, exist_ok=True)
        for chart in self.charts:
            text = json.dumps(chart.spec, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
            (folder / chart.spec_name).write_text(text, encoding="utf-8")


def _number(value: Any) -> Any:
    return float(value)  # Decimal from the warehouse


# Building a spec (altair) and rendering it (vl-convert) take about 0.1 s a chart, and a release has
# about 200, nearly all the same from one run to the next. Each chart is kept under a digest of
# everything it is made from: the function and its arguments, this module's source and the two
# libraries' versions, so a changed input or a new version is a new entry, never a stale one.
CACHE_DIR = Path(os.environ.get("WHOLEPLACE_CHART_CACHE") or Path.home() / ".cache" / "wholeplace" / "charts")
CACHE_LIMIT = 12_000  # entries kept (oldest first out), about 30 kB each: the England build and a region


@functools.cache
def _code_digest() -> str:
    # every module that builds a chart (this one, the hex map's): a change to any builds charts anew
    code = b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))
    text = code + version("altair").encode() + version("vl-convert-python").encode()
    return hashlib.sha256(text).hexdigest()


def _cache_path(key: str) -> Path:
    return CACHE_DIR / key[:2] / f"{key}.json"


def cached(build: Callable[..., Chart]) -> Callable[..., Chart]:
    """Reuse a chart built and rendered before from the same inputs (see CACHE_DIR)."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Chart:
        inputs = json.dumps([build.__name__, args, kwargs, _code_digest()], default=_plain, sort_keys=True)
        key = hashlib.sha256(inputs.encode()).hexdigest()
        try:
            hit = json.loads(_cache_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            chart = build(*args, **kwargs)
            chart.cache_key = key
            return chart
        return Chart(kwargs["testid"], kwargs["uid"], kwargs["title"], kwargs["desc"], hit["spec"], hit["svg"])

    return wrapper


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return str(value)


def _store(chart: Chart, svg: str) -> None:
    path = _cache_path(chart.cache_key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"spec": chart.spec, "svg": svg}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return  # a cache that cannot be written only costs time


def _prune() -> None:
    try:
        entries = sorted(CACHE_DIR.glob("*/*.json"), key=lambda p: p.stat().st_mtime)
        for path in entries[: max(0, len(entries) - CACHE_LIMIT)]:
            path.unlink(missing_ok=True)
    except OSError:
        return


def render(charts: list[Chart]) -> None:
    """Render to SVG (vl-convert) each chart not already rendered (a cached one is)."""
    todo = [c for c in charts if not c.svg]
    if todo:
        import os
        from concurrent.futures import ThreadPoolExecutor

        import vl_convert

        # vl-convert renders outside the GIL: one thread per core (England's profiles hold thousands of charts)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for chart, svg in zip(todo, pool.map(lambda c: vl_convert.vegalite_to_svg(c.spec), todo), strict=True):
                if chart.cache_key:
                    _store(chart, svg)
                chart.svg = svg
        _prune()
    for chart in charts:
        chart.svg = _labelled(chart.svg, chart)


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
# vl-convert resolves a mark's link (a hex map's profile) against Vega's default base URL: made
# relative to the page again, and a mark with no link target loses its empty link
_VEGA_BASE = 'xlink:href="https://vega.github.io/vega-datasets/'
_NO_LINK = re.compile(r'<a xlink:href="https://vega\.github\.io/vega-datasets/null">(.*?)</a>', re.S)
_IDS = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _labelled(svg: str, chart: Chart) -> str:
    """The rendered SVG with a test id, a role and its title and description (for screen readers);
    any ids made unique to the chart, since several charts share a page."""
    svg = _IDS.sub(lambda m: f"{m.group(1)}{chart.uid}-{m.group(2)}", svg)
    svg = _NO_LINK.sub(r"\1", svg).replace(_VEGA_BASE, 'xlink:href="')
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    opening = _SVG_OPEN.search(svg)
    if opening is None:
        raise ValueError(f"vl-convert returned no <svg> for chart {chart.uid}")
    attrs = opening.group(1)
    head = (
        f'<svg{attrs} data-testid="{esc(chart.testid)}" role="img" '
        f'aria-labelledby="{esc(chart.uid)}-title {esc(chart.uid)}-desc">'
        f'<title id="{esc(chart.uid)}-title">{esc(chart.title)}</title>'
        f'<desc id="{esc(chart.uid)}-desc">{esc(chart.desc)}</desc>'
    )
    return svg[: opening.start()] + head + svg[opening.end() :]


def data_ref(name: str) -> Any:
    """A layer's data by name: the rows are in the spec's top-level ``datasets`` (altair copies a
    chart at every step, and inline rows with it)."""
    import altair as alt

    return alt.NamedData(name=name)


def layered_spec(layers: list[Any], title: str, datasets: dict[str, list[dict]], **props: Any) -> dict[str, Any]:
    """The Vega-Lite spec of layered charts, data inline. The schema is checked in the tests, not
    here: validating every chart would double the site's build time."""
    import altair as alt

    # the page gives the title (its heading, and the SVG's <title>); the spec carries it as its description
    chart = alt.LayerChart(layer=layers, description=title, **props)
    spec = chart.to_dict(validate=False)
    # plain JSON once, here: the warehouse's Decimals become numbers for vl-convert, the cache and the file
    spec["datasets"] = json.loads(json.dumps(datasets, default=_number))
    # room for the longest axis labels: vl-convert measures text with its own font, a browser may not
    spec["padding"] = {"left": 48, "right": 12, "top": 6, "bottom": 6}
    spec["config"] = {
        "locale": LOCALE,
        "font": FONT,
        "view": {"stroke": None},
        # a browser's font may be wider than the one vl-convert measures with: labels that would collide
        # are dropped with room to spare, and legend columns kept apart
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelOverlap": "greedy", "labelSeparation": 12},
        "legend": {
            "orient": "bottom",
            "direction": "vertical",
            "columns": 2,
            "columnPadding": 32,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "labelLimit": 420,
            "titleLimit": 600,
        },
    }
    return spec


# ---------------------------------------------------------------------------------------------
# bars


@dataclass
class BarRow:
    label: str
    values: dict[str, float | None]
    markers: dict[str, float | None] = field(default_factory=dict)
    note: str = ""  # in the table that follows the chart (the total, or "not available")


@cached
def bar_chart(
    rows: list[BarRow],
    series: list[tuple[str, str, str]],
    markers: list[tuple[str, str, str]],
    *,
    stacked: bool,
    axis_format: str,
    testid: str,
    uid: str,
    title: str,
    desc: str,
    colours: tuple[str, ...] = AGENCY_COLOURS,
) -> Chart:
    """Horizontal bars, one row per category: stacked (a diverging stack: negative parts left of
    zero) or grouped (one bar per series); markers are ticks (comparators). ``series`` and
    ``markers``: (key, label, css) as the tables use them; ``colours`` one per series."""
    import altair as alt

    order = [r.label for r in rows]
    labels = [label for _, label, _ in series]
    bars = [
        {"row": r.label, "series": label, "value": r.values.get(key)}
        for r in rows
        for key, label, _ in series
        if r.values.get(key) is not None
    ]
    ticks = [
        {"row": r.label, "comparator": label, "value": r.markers.get(key)}
        for r in rows
        for key, label, _ in markers
        if r.markers.get(key) is not None
    ]
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("value:Q", title=None, axis=alt.Axis(format=axis_format), stack="zero" if stacked else None)
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=labels, range=list(colours[: len(labels)])),
        sort=labels,
    )
    tooltip = [alt.Tooltip("row:N"), alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=axis_format)]
    encoding: dict[str, Any] = {"x": x, "y": y, "color": colour, "tooltip": tooltip}
    if not stacked:
        encoding["yOffset"] = alt.YOffset("series:N", sort=labels)
    layers = [alt.Chart(data_ref("bars")).mark_bar().encode(**encoding)]
    if ticks:
        layers.append(
            alt.Chart(data_ref("comparators"))
            .mark_tick(thickness=3)
            .encode(
                x=alt.X("value:Q"),
                y=alt.Y("row:N", sort=order),
                color=alt.Color(
                    "comparator:N",
                    title="Comparators (ticks)",
                    scale=alt.Scale(domain=[label for _, label, _ in markers], range=["#000000", "#D55E00"]),
                    legend=alt.Legend(orient="top"),  # not beside the series' legend below (see line_chart)
                ),
                tooltip=[alt.Tooltip("row:N"), alt.Tooltip("comparator:N"), alt.Tooltip("value:Q", format=axis_format)],
            )
        )
    step = 18 if stacked else 8 * len(series) + 6
    spec = layered_spec(
        layers,
        title,
        {"bars": bars, "comparators": ticks},
        width=560,
        height=alt.Step(step),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")),
    )
    return Chart(testid, uid, title, desc, spec, empty=not bars)


# ---------------------------------------------------------------------------------------------
# lines over time


@cached
def line_chart(
    periods: list[str],
    series: list[tuple[str, str, list[float | None]]],
    *,
    testid: str,
    uid: str,
    title: str,
    desc: str,
    axis_format: str = ",.4~g",
    breaks: list[tuple[str, str]] | None = None,
    comparisons: list[str | None] | None = None,
) -> Chart:
    """One line per series over every period (in order; a missing value is a gap), a point at each
    value. ``series``: (label, key in COLOURS, one value per period). ``breaks``: (period, note)
    drawn as dashed rules. ``comparisons``: the first series' comparison with England per period
    (better / similar / worse), drawn as the shape of its points."""
    import altair as alt

    labels = [label for label, _, _ in series]
    values = [
        {"period": p, "series": label, "value": v}
        for label, _, vals in series
        for p, v in zip(periods, vals, strict=True)
    ]
    x = alt.X("period:O", sort=periods, title=None, scale=alt.Scale(domain=periods), axis=alt.Axis(labelAngle=0))
    numbers = [v for _, _, vals in series for v in vals if v is not None]
    y_scale = alt.Scale(zero=False, padding=8)
    if numbers and max(numbers) - min(numbers) < 0.1 * max(abs(max(numbers)), abs(min(numbers)), 1e-9):
        mid, span = (max(numbers) + min(numbers)) / 2, 0.1 * max(abs(max(numbers)), abs(min(numbers)))
        y_scale = alt.Scale(zero=False, domain=[mid - span / 2, mid + span / 2])  # small changes look small
    y = alt.Y("value:Q", title=None, scale=y_scale, axis=alt.Axis(format=axis_format))
    colour = alt.Color(
        "series:N",
        title=None,
        sort=labels,
        scale=alt.Scale(
            domain=labels,
            range=[COLOURS.get(key) or PALETTE[i % len(PALETTE)] for i, (_, key, _) in enumerate(series)],
        ),
    )
    dash = alt.StrokeDash(
        "series:N",
        title=None,
        sort=labels,
        scale=alt.Scale(domain=labels, range=[DASHES.get(key, [1, 0]) for _, key, _ in series]),
    )
    tooltip = [alt.Tooltip("series:N"), alt.Tooltip("period:O"), alt.Tooltip("value:Q", format=axis_format)]
    datasets: dict[str, list[dict]] = {"values": values}
    base = alt.Chart(data_ref("values"))
    layers = [
        base.mark_line(invalid="break-paths-show-domains", strokeWidth=2).encode(
            x=x, y=y, color=colour, strokeDash=dash
        ),
        base.mark_point(filled=True, size=40, invalid="filter").encode(x=x, y=y, color=colour, tooltip=tooltip),
    ]
    if comparisons and any(comparisons):
        marked = [
            {"period": p, "value": v, "comparison": c}
            for p, v, c in zip(periods, series[0][2], comparisons, strict=True)
            if v is not None and c in COMPARISON_SHAPES
        ]
        if marked:
            datasets["comparisons"] = marked
            kinds = [k for k in COMPARISON_SHAPES if any(m["comparison"] == k for m in marked)]
            layers.append(
                alt.Chart(data_ref("comparisons"))
                .mark_point(filled=False, size=170, strokeWidth=1.5, color="black")
                .encode(
                    x=x,
                    y=y,
                    shape=alt.Shape(
                        "comparison:N",
                        title=f"{labels[0]} against England",
                        # above the chart: two legends side by side below it would collide in a
                        # browser whose font is wider than the one vl-convert lays them out with
                        legend=alt.Legend(orient="top"),
                        sort=kinds,
                        scale=alt.Scale(domain=kinds, range=[COMPARISON_SHAPES[k] for k in kinds]),
                    ),
                )
            )
    if breaks:
        rules = [{"period": p, "note": note} for p, note in breaks]
        datasets["breaks"] = rules
        rule_base = alt.Chart(data_ref("breaks"))
        layers.append(rule_base.mark_rule(strokeDash=[3, 3], color="#D55E00").encode(x=x, tooltip=["note:N"]))
        layers.append(
            rule_base.mark_text(align="left", dx=3, dy=-4, baseline="top", color="#D55E00", fontSize=10).encode(
                x=x, y=alt.value(0), text=alt.value("series break")
            )
        )
    spec = layered_spec(layers, title, datasets, width=max(320, min(640, 64 * len(periods))), height=200)
    return Chart(testid, uid, title, desc, spec, empty=not numbers)
