"""Hex maps: each place a hexagon in an odd-r HexJSON layout (Open Innovations' hexmaps), drawn as a
Vega-Lite chart (charts.Chart) and coloured by a measure; no tile server, nothing fetched."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from warehouse.publication.profiles.charts import Chart, cached, data_ref, layered_spec

# a pointy-top hexagon in Vega's unit square (-1..1): the shape of an odd-r HexJSON cell
HEXAGON = "M0,-1L0.866,-0.5L0.866,0.5L0,1L-0.866,0.5L-0.866,-0.5Z"


@dataclass
class Hex:
    code: str
    name: str
    q: int
    r: int
    region: str | None = None


def load_hexjson(path: Path) -> list[Hex]:
    """The hexes of an odd-r HexJSON file (Open Innovations' layout)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("layout") != "odd-r":
        raise ValueError(f"{path.name}: layout {data.get('layout')!r}, expected odd-r")
    return [
        Hex(code, h.get("n") or h.get("name") or code, int(h["q"]), int(h["r"]), h.get("region"))
        for code, h in sorted(data["hexes"].items())
    ]


def _cube(q: int, r: int) -> tuple[int, int, int]:
    x = q - (r - (r & 1)) // 2  # odd-r offset to cube coordinates
    return x, r, -x - r


def short_labels(names: dict[str, str], shortest: int = 3, longest: int = 6) -> dict[str, str]:
    """A label for each hexagon: the shortest start of its name (``shortest`` to ``longest``
    letters) no other place on the map shares, so "Wol" and "Wor" tell Wolverhampton from
    Worcestershire; the tooltip and the table give the full name."""
    out = {}
    for code, name in names.items():
        others = [n for c, n in names.items() if c != code]
        size = shortest
        while size < longest and any(o[:size] == name[:size] for o in others):
            size += 1
        out[code] = name[:size]
    return out


def hex_distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Steps between two cells of an odd-r layout (column, row)."""
    ca, cb = _cube(*a), _cube(*b)
    return max(abs(ca[i] - cb[i]) for i in range(3))


def upper_tier_hexes(path: Path, successors_path: Path, names: dict[str, str]) -> list[Hex]:
    """The hexes of an upper-tier layout older than the places, brought up to date: a hexagon of an
    authority that has since been replaced is drawn for its first successor, and each further
    successor takes the nearest free cell (fewest steps; then the lowest row, then column), so
    every current place has one. ``names`` names the successors (from the release)."""
    hexes = load_hexjson(path)
    successors: dict[str, list[str]] = json.loads(successors_path.read_text(encoding="utf-8"))["successors"]
    taken = {(h.q, h.r) for h in hexes}
    out: list[Hex] = []
    for h in hexes:
        codes = successors.get(h.code)
        if not codes:
            out.append(h)
            continue
        out.append(Hex(codes[0], names.get(codes[0], codes[0]), h.q, h.r, h.region))
        for code in codes[1:]:
            ring = [
                (q, r)
                for r in range(h.r - 3, h.r + 4)
                for q in range(h.q - 3, h.q + 4)
                if (q, r) not in taken and hex_distance((q, r), (h.q, h.r)) > 0
            ]
            q, r = min(ring, key=lambda c: (hex_distance(c, (h.q, h.r)), c[1], c[0]))
            taken.add((q, r))
            out.append(Hex(code, names.get(code, code), q, r, h.region))
    return sorted(out, key=lambda h: h.code)


QUANTILES = 5
OUTLIER_IQRS = 3  # a value this many interquartile ranges beyond the quartiles is an outlier


def quantile_classes(values: dict[str, float], axis_format: str) -> tuple[list[str], dict[str, str]]:
    """The places in QUANTILES classes of (nearly) equal counts, by value: the classes' labels, lowest
    first ("£2,108 to £2,205"), and each place's class. Equal values share a class."""
    ranked = sorted((v, c) for c, v in values.items() if v is not None)
    if not ranked:
        return [], {}
    count = min(QUANTILES, len(ranked))
    text = (lambda v: f"£{v:,.0f}") if axis_format.startswith("$") else (lambda v: f"{v:,.0f}")
    labels: list[str] = []
    of: dict[str, str] = {}
    for k in range(count):
        members = ranked[k * len(ranked) // count : (k + 1) * len(ranked) // count]
        if not members:
            continue
        label = f"{text(members[0][0])} to {text(members[-1][0])}"
        labels.append(label)
        of.update({c: label for _, c in members})
    return labels, of


def outliers(values: dict[str, float]) -> list[str]:
    """The places whose value lies more than OUTLIER_IQRS interquartile ranges beyond the quartiles
    (the City of London's £ per head among England's places), most extreme first."""
    held = sorted(v for v in values.values() if v is not None)
    if len(held) < 8:
        return []
    q1, q3 = held[len(held) // 4], held[(3 * len(held)) // 4]
    low, high = q1 - OUTLIER_IQRS * (q3 - q1), q3 + OUTLIER_IQRS * (q3 - q1)
    far = [c for c, v in values.items() if v is not None and not low <= v <= high]
    return sorted(far, key=lambda c: -abs(values[c] - (q1 + q3) / 2))


@cached
def hex_map(
    hexes: list[Hex],
    values: dict[str, float],
    *,
    measure: str,
    axis_format: str,
    highlight: set[str] | frozenset[str] = frozenset(),
    labels: bool = False,
    testid: str,
    uid: str,
    title: str,
    desc: str,
    links: dict[str, str] | None = None,
) -> Chart:
    """Each place a hexagon in the HexJSON's layout, coloured by ``values`` in quintiles of the
    places shown (each colour a fifth of them, so one extreme place cannot flatten the rest), grey
    where the release has no figure; outliers (``outliers``) ringed in black; ``highlight``
    outlined; a place in ``links`` links to its page. Odd rows sit half a hexagon to the right; rows
    run north."""
    import altair as alt

    far = set(outliers(values))
    links = links or {}
    short = short_labels({h.code: h.name for h in hexes})
    classes, class_of = quantile_classes(values, axis_format)

    q0, r0 = min(h.q for h in hexes), min(h.r for h in hexes)
    cols = max(h.q for h in hexes) - q0 + 1.5
    rows = max(h.r for h in hexes) - r0 + 1
    unit = max(9.0, min(46.0, 600 / cols))  # pixels between neighbouring centres in a row
    rise = unit * math.sqrt(3) / 2
    cells = [
        {
            "code": h.code,
            "place": h.name,
            "x": h.q - q0 + (0.5 if (h.r % 2) else 0.0) + 0.5,
            "y": h.r - r0 + 0.5,
            "value": values.get(h.code),
            "held": h.code in values,
            "highlight": h.code in highlight,
            "label": short.get(h.code, "") if labels else "",
            "outlier": h.code in far,
            "class": class_of.get(h.code),
            "url": links.get(h.code),
        }
        for h in hexes
    ]
    width, height = cols * unit, rows * rise + rise * 0.2
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, cols], nice=False, zero=False))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, rows], nice=False, zero=False))
    size = 4 * (unit / math.sqrt(3)) ** 2 * 0.97  # the hexagon's bounding square, a hair apart
    base = alt.Chart(data_ref("places"))
    tooltip = [alt.Tooltip("place:N"), alt.Tooltip("code:N"), alt.Tooltip("value:Q", format=axis_format)]
    link = {"href": alt.Href("url:N")} if links else {}
    layers = [
        base.transform_filter("!datum.held")
        .mark_point(shape=HEXAGON, size=size, filled=True, color="#e4e4e4")
        .encode(x=x, y=y, tooltip=[alt.Tooltip("place:N"), alt.Tooltip("code:N")], **link),
        base.transform_filter("datum.held")
        .mark_point(shape=HEXAGON, size=size, filled=True, opacity=1)
        .encode(
            x=x,
            y=y,
            # one swatch per class, labelled with its range (a gradient would be stretched by an outlier)
            color=alt.Color(
                "class:O",
                title=f"{measure} (quintiles: a fifth of the places each)",
                sort=classes,
                scale=alt.Scale(domain=classes, scheme=alt.SchemeParams("viridis", count=len(classes)), reverse=True),
                legend=alt.Legend(
                    orient="bottom", direction="horizontal", symbolType="square", columns=3, columnPadding=18
                ),
            ),
            tooltip=tooltip,
            **link,
        ),
    ]
    if far:
        layers.append(
            base.transform_filter("datum.outlier")
            .mark_point(shape=HEXAGON, size=size * 0.55, filled=False, color="#000000", strokeWidth=2)
            .encode(x=x, y=y, tooltip=tooltip, **link)
        )
    if highlight:
        layers.append(
            base.transform_filter("datum.highlight")
            .mark_point(shape=HEXAGON, size=size, filled=False, color="#D55E00", strokeWidth=3)
            .encode(x=x, y=y)
        )
    if labels:
        held = sorted(v for v in values.values() if v is not None)
        middle = held[len(held) // 2] if held else 0
        layers.append(
            base.mark_text(fontSize=max(7, min(11, unit / 4))).encode(
                x=x,
                y=y,
                text="label:N",
                tooltip=tooltip,
                **link,
                color=alt.condition(
                    f"datum.held && datum.value >= {float(middle)!r}", alt.value("white"), alt.value("black")
                ),
            )
        )
    return Chart(testid, uid, title, desc, layered_spec(layers, title, {"places": cells}, width=width, height=height))
