"""The sections of a page that set a place beside others: its Oflog nearest neighbours, and the hex
map of the region's (or England's) councils."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.publication.profiles.charts import ChartSet
from warehouse.publication.profiles.format import cell, esc, gbp, text_cell
from warehouse.publication.profiles.hexmap import OUTLIER_IQRS, Hex, hex_map, outliers
from warehouse.publication.profiles.queries import Area
from warehouse.publication.profiles.sections import chart_and_table


def neighbours_section(area: Area, rows: list[dict]) -> list[str]:
    if not rows:
        return []
    items = [
        f'<li data-area-code="{esc(r["neighbour_area_code"])}">'
        + (
            f"{esc(r['neighbour_area_name'])} ({esc(r['neighbour_area_code'])})"
            if r["neighbour_area_name"]
            else f"{esc(r['neighbour_area_code'])} (a code no held source names)"
        )
        + "</li>"
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


def _of(used: int, named: int | None) -> str:
    """' (n of N)': how many places a median is over, of how many there are."""
    return f" ({used} of {named})" if named else f" ({used})"


def _peer_cells(r: dict) -> str:
    """A row's figure against England, the region, the neighbours' and the type's medians (each n of N)
    and its rank: the cells of place_comparisons and theme_comparisons alike (macro peer_comparisons)."""
    rank = f"{r['same_type_rank']} of {r['same_type_count']}" if r["same_type_rank"] is not None else "not ranked"
    return (
        cell(r["per_head_gbp"], gbp(r["per_head_gbp"]), "per_head_gbp")
        + cell(r["england_per_head_gbp"], gbp(r["england_per_head_gbp"]), "england_per_head_gbp")
        + cell(r["region_per_head_gbp"], gbp(r["region_per_head_gbp"]), "region_per_head_gbp")
        + cell(
            r["neighbours_median_per_head_gbp"],
            gbp(r["neighbours_median_per_head_gbp"]) + _of(r["neighbours_count"], r.get("neighbours_named_count")),
            "neighbours_median_per_head_gbp",
        )
        + cell(
            r["same_type_median_per_head_gbp"],
            gbp(r["same_type_median_per_head_gbp"]) + _of(r["same_type_count"], r.get("same_type_england_count")),
            "same_type_median_per_head_gbp",
        )
        + text_cell(rank, "same_type_rank")
    )


def place_comparison_section(area: Area, rows: list[dict]) -> list[str]:
    """The area's local government money per head against England, its region, its neighbours and
    the places of its type (marts.place_comparisons), a row per year and measure."""
    if not rows:
        return []
    kind = (area.place_type or "combined authority area").replace("_", " ")
    body = [
        f'<tr data-period="{esc(r["financial_year"])}" data-measure="{esc(r["measure"])}">'
        f'<th scope="row">{esc(r["financial_year"])} {esc(r["measure"])}</th>' + _peer_cells(r) + "</tr>"
        for r in rows
    ]
    return [
        '<section data-testid="place-comparisons"><h2>Against England, the region, the neighbours and places of '
        "the same type</h2>",
        '<table data-testid="place-comparisons-table">',
        f"<caption>{esc(area.title)}: local government money per head (council, combined authority, police and "
        "fire) beside its comparators (marts.place_comparisons)</caption>",
        '<thead><tr><th scope="col">Year and measure</th><th scope="col">This area</th><th scope="col">England'
        '</th><th scope="col">Region</th><th scope="col">Nearest neighbours\' median (how many of the '
        "neighbours)</th>"
        f'<th scope="col">Median of {esc(kind)}s (how many of England\'s)</th>'
        f'<th scope="col">Rank among {esc(kind)}s</th>'
        "</tr></thead><tbody>",
        *body,
        "</tbody></table>",
        "<p class=\"note\">Every release holds every English place's figure, its own places' and the others' as "
        "comparators by the same rule, so a median is over all the neighbours (or places of the type) with a "
        "figure: (n of N) says how many of how many. The region is its places summed, when each has a figure. "
        "England is the publisher's total over every authority per resident. Rank 1 is the highest per head. Not "
        "available: a part of the figure is not published.</p>",
        "</section>",
    ]


def theme_comparison_section(area: Area, rows: list[dict]) -> list[str]:
    """The area's local government outturn per head on each service theme against England, its
    region, its neighbours and the places of its type (marts.theme_comparisons), the latest year."""
    if not rows:
        return []
    kind = (area.place_type or "place").replace("_", " ")
    year = rows[0]["financial_year"]
    body = [
        f'<tr data-theme-code="{esc(r["theme_code"])}"><th scope="row">{esc(r["theme_name"])}</th>'
        + _peer_cells(r)
        + "</tr>"
        for r in rows
    ]
    return [
        f'<section data-testid="theme-comparisons" data-financial-year="{esc(year)}"><h2>Spend by service against '
        "the neighbours, places of the same type and England</h2>",
        '<table data-testid="theme-comparisons-table">',
        f"<caption>{esc(area.title)}: local government outturn per head by service theme (council, combined "
        f"authority, police and fire), {esc(year)}, beside its comparators (marts.theme_comparisons)</caption>",
        '<thead><tr><th scope="col">Service theme</th><th scope="col">This area</th><th scope="col">England</th>'
        '<th scope="col">Region</th><th scope="col">Nearest neighbours\' median (how many of the neighbours)</th>'
        f'<th scope="col">Median of {esc(kind)}s (how many of England\'s)</th>'
        f'<th scope="col">Rank among {esc(kind)}s</th></tr></thead><tbody>',
        *body,
        "</tbody></table>",
        "<p class=\"note\">Every English place's figure is held (the others' as comparators, by the same rule), so "
        "each median is over every neighbour or place of the type with a figure: (n of N) says how many. Rank 1 "
        "is the highest per head. NHS money is not compared: no held source places it for other places.</p>",
        "</section>",
    ]


MAP_MEASURE = "Local government outturn, £ per head"


@dataclass(frozen=True)
class MapMeasure:
    """What a hex map colours its places by: its title, the table's column, and how values read."""

    title: str = MAP_MEASURE
    column: str = "outturn_per_head_gbp"
    axis_format: str = "$,.0f"
    testid: str = "hex-map"
    about: str = (
        "council, combined authority, police and fire outturn per resident (marts.place_comparisons, the "
        "figure of the profiles' headlines and comparison tables)"
    )

    def text(self, value: float) -> str:
        return gbp(value) if self.axis_format.startswith("$") else f"{value:,.1f}%"


COUNTED_SHARE = MapMeasure(
    title="Share of the ESTIMATED public money counted, %",
    column="counted_share_pct",
    axis_format=",.0f",
    testid="hex-map-counted-share",
    about="the share of each place's ESTIMATED identifiable public money that the warehouse counts from published "
    "place-level figures (marts.whole_place_estimates)",
)


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
    layout: str = "One hexagon per local authority district (Open Innovations' 2023 layout",
    links: dict[str, str] | None = None,
    measure: MapMeasure = MapMeasure(),
) -> list[str]:
    """A hex map of the places in ``hexes`` coloured by ``measure`` in quintiles, outliers ringed and
    named, each place with a profile linked to it, with a table of the same figures."""
    if not hexes or year is None:
        return []
    shown = {h.code: values[h.code] for h in hexes if h.code in values}
    far = outliers(shown)
    chart = hex_map(
        hexes,
        shown,
        measure=f"{measure.title}, {year}",
        axis_format=measure.axis_format,
        highlight=highlight,
        labels=labels,
        testid=measure.testid,
        uid=uid,
        title=f"{heading}: {measure.title[0].lower() + measure.title[1:]}, {year}",
        desc=f"{layout}, equal areas, not boundaries), coloured by {measure.about}, in quintiles of the places "
        "shown: each colour is a fifth of them, so the colours show differences among typical places"
        + (
            "; ringed in black, the outliers beyond the scale: " + ", ".join(names.get(c, c) for c in far)
            if far
            else ""
        )
        + "; grey: no figure in this release"
        + ("; select a place to open its profile" if links else "")
        + ". The table below gives the same numbers.",
        links=links,
    )
    body = [
        f'<tr data-area-code="{esc(code)}" data-outlier="{str(code in far).lower()}">'
        f'<th scope="row">{esc(names.get(code) or code)}</th>'
        + text_cell(code, "area_code")
        + cell(value, measure.text(value), measure.column)
        + "</tr>"
        for code, value in sorted(shown.items(), key=lambda kv: -kv[1])
    ]
    return chart_and_table(
        section=f'data-testid="{measure.testid}-section" data-financial-year="{esc(year)}"',
        heading=f"<h2>{esc(heading)}: the map</h2>",
        figure=charts.figure(chart, up=up),
        table=f'data-testid="{measure.testid}-table"',
        caption=f"{esc(measure.title)}, {esc(year)}",
        head=f'<th scope="col">Place</th><th scope="col">Code</th><th scope="col">{esc(measure.title)}</th>',
        body=body,
        notes=(
            "Hex layout: Open Innovations (odileeds/hexmaps, MIT licence). Places outside the configured regions "
            "are grey: the release holds no comparable figure for them. Colour scale: quintiles (five classes of "
            f"equal counts of places); an outlier lies more than {OUTLIER_IQRS} interquartile ranges beyond the "
            "quartiles and takes the colour of the class it falls in.",
        ),
    )
