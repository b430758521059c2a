"""The sections of a page that set a place beside others: its Oflog nearest neighbours, and the hex
map of the region's (or England's) councils."""

from __future__ import annotations

from warehouse.publication.profiles.charts import ChartSet
from warehouse.publication.profiles.format import cell, esc, gbp, text_cell
from warehouse.publication.profiles.hexmap import Hex, hex_map
from warehouse.publication.profiles.queries import Area
from warehouse.publication.profiles.sections import chart_and_table


def neighbours_section(area: Area, rows: list[dict]) -> list[str]:
    if not rows:
        return []
    items = [
        f'<li data-area-code="{esc(r["neighbour_area_code"])}">'
        f"{esc(r['neighbour_area_name'] or r['neighbour_area_code'])} ({esc(r['neighbour_area_code'])})</li>"
        for r in rows
    ]
    return [
        '<section data-testid="nearest-neighbours"><h2>Compared with</h2>',
        f'<p class="note">England, the region and {esc(area.title)}\'s {len(rows)} statistical nearest neighbours as '
        "the Office for Local Government groups them (marts.nearest_neighbours). The outcome charts below show the "
        "neighbours' median beside England and the region.</p>",
        '<ul class="neighbours">',
        *items,
        "</ul></section>",
    ]


MAP_MEASURE = "Local government outturn, £ per head"


def map_section(
    hexes: list[Hex],
    year: str | None,
    values: dict[str, float],
    names: dict[str, str],
    *,
    highlight: set[str],
    labels: bool,
    uid: str,
    up: str,
    heading: str,
    charts: ChartSet,
) -> list[str]:
    """A hex map of the places in ``hexes`` coloured by local government outturn per head (the
    regional benchmarks' councils), with a table of the same figures."""
    if not hexes or year is None:
        return []
    shown = {h.code: values[h.code] for h in hexes if h.code in values}
    chart = hex_map(
        hexes,
        shown,
        measure=f"{MAP_MEASURE}, {year}",
        axis_format="$,.0f",
        highlight=highlight,
        labels=labels,
        testid="hex-map",
        uid=uid,
        title=f"{heading}: {MAP_MEASURE.lower()}, {year}",
        desc="One hexagon per local authority district (Open Innovations' 2023 layout, equal areas, not "
        "boundaries), coloured by council, combined authority, police and fire outturn per resident summed over "
        "the service themes (marts.regional_benchmarks); grey: no figure in this release. The table below gives "
        "the same numbers.",
    )
    body = [
        f'<tr data-area-code="{esc(code)}"><th scope="row">{esc(names.get(code) or code)}</th>'
        + text_cell(code, "area_code")
        + cell(value, gbp(value), "outturn_per_head_gbp")
        + "</tr>"
        for code, value in sorted(shown.items(), key=lambda kv: -kv[1])
    ]
    return chart_and_table(
        section=f'data-testid="hex-map-section" data-financial-year="{esc(year)}"',
        heading=f"<h2>{esc(heading)}: the map</h2>",
        figure=charts.figure(chart, up=up),
        table='data-testid="hex-map-table"',
        caption=f"{esc(MAP_MEASURE)}, {esc(year)}",
        head='<th scope="col">Council</th><th scope="col">Code</th><th scope="col">£ per head</th>',
        body=body,
        notes=(
            "Hex layout: Open Innovations (odileeds/hexmaps, MIT licence). Councils outside the configured regions "
            "are grey: the release holds no comparable figure for them.",
        ),
    )
