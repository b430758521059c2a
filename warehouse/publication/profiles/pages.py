"""The site's pages and how they are written: the page frame, one profile per area, the index of
the release, and ``write_site`` (``<release>/site/``)."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.db import connect
from core.settings import Settings
from warehouse.publication.profiles.charts import ChartSet, render
from warehouse.publication.profiles.comparisons import (
    COUNTED_SHARE,
    MapMeasure,
    map_section,
    neighbours_section,
    place_comparison_section,
    theme_comparison_section,
)
from warehouse.publication.profiles.downloads import TABLES_DIR, finish_page
from warehouse.publication.profiles.estimates import estimate_section
from warehouse.publication.profiles.format import CSS, SITE_DIR, cell, data_value, esc
from warehouse.publication.profiles.headlines import headline_items
from warehouse.publication.profiles.hexmap import Hex, upper_tier_hexes
from warehouse.publication.profiles.queries import (
    Area,
    budget_vs_outturn,
    counted_shares,
    map_values,
    nearest_neighbours,
    outcome_series,
    place_comparisons,
    place_regions,
    profiled_areas,
    scoped_totals,
    spend_series,
    spend_tables,
    theme_comparisons,
    whole_place_estimates,
)
from warehouse.publication.profiles.sections import (
    budget_section,
    like_for_like_section,
    outcome_section,
    spend_section,
    spend_trend_section,
)

HEXMAPS = Path(__file__).with_name("hexmaps")
# the maps are of places (upper-tier areas: counties among them), on the upper-tier layout brought
# up to the places' vintage (hexmap.upper_tier_hexes)
UPPER_TIER_HEXMAP = HEXMAPS / "uk-upper-tier-local-authorities.hexjson"
UPPER_TIER_SUCCESSORS = HEXMAPS / "uk-upper-tier-local-authorities.successors.json"
LAYOUT = (
    "One hexagon per upper-tier area (Open Innovations' 2020 upper-tier layout, with the unitary "
    "authorities created since in their predecessor county's cell or the nearest free one"
)

log = logging.getLogger(__name__)


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
            f"<title>{esc(title)} · wholeplace {esc(version)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<header>",
            f'<p><a href="{up}index.html">wholeplace</a> · release <span data-testid="release-version">'
            f"{esc(version)}</span>" + (f" (created {esc(created)})" if created else "") + "</p>",
            f'<h1 data-testid="page-title">{esc(title)}</h1>',
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


@dataclass
class MapData:
    hexes: list[Hex]
    year: str | None
    values: dict[str, float]
    names: dict[str, str]
    councils: set[str]  # the region's councils
    layout: str = LAYOUT
    members: dict[str, set[str]] = field(default_factory=dict)  # combined authority area -> its places
    profiled: set[str] = field(default_factory=set)  # the places with a profile page (a hexagon links to it)
    share_year: str | None = None  # the counted share of the estimated whole, by place (the index's second map)
    shares: dict[str, float] = field(default_factory=dict)


def _profile_page(con: Any, area: Area, release: dict, region_code: str | None, maps: MapData, charts: ChartSet) -> str:
    spend = spend_tables(con, area, region_code)
    budgets = budget_vs_outturn(con, area)
    outcomes = outcome_series(con, area)
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
            + (f" ({esc(', '.join(synthetic_sources))})" if synthetic_sources else "")
            + ". Rows and charts built from them are marked “synthetic sample”.</section>"
        )
    # headlines: each with the scope it covers; figures of different scope are never set side by side
    totals = scoped_totals(con, area, region_code)
    items = [("Area code", esc(area.code)), *headline_items(area, totals)]
    population = next((t for t in spend if t.population), None)
    if population is not None:
        items.append(
            (
                f"Population {population.financial_year}",
                f'<span data-testid="headline-population" data-value="{esc(data_value(population.population))}">'
                f"{int(population.population):,}</span> ({esc(population.population_source)})",
            )
        )
    body.append('<section data-testid="headlines"><h2>Headlines</h2><dl class="headlines">')
    body += [f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in items]
    body.append("</dl>")
    body.append(
        '<p class="note" data-testid="headline-scope-difference">The headlines differ in scope: the budget '
        "includes the NHS (ICB allocations shared by need-weighted population), the outturn does not, because no "
        "held source publishes NHS outturn by place. Compare outturn with outturn: the like-for-like series below. "
        "Each pound is counted once; per head divides by the ONS mid-year estimate named. A total is not "
        "available when any part of it is. All identifiable public money is an ESTIMATE, not a published figure: "
        "how much of it is counted, and how the rest is estimated, is in the next section.</p></section>"
    )
    body += estimate_section(area, whole_place_estimates(con, area), "estimate", charts)
    body += like_for_like_section(area, totals, region_code, "like-for-like", charts)
    body += neighbours_section(area, nearest_neighbours(con, area))
    body += place_comparison_section(area, place_comparisons(con, area))
    body += theme_comparison_section(area, theme_comparisons(con, area))
    councils = {area.code} if area.area_type != "combined_authority" else maps.members.get(area.code, set())
    regions = {h.region for h in maps.hexes if h.code in councils}
    body += map_section(
        [h for h in maps.hexes if h.region in regions],
        maps.year,
        maps.values,
        maps.names,
        highlight=councils,
        labels=True,
        uid="map",
        up="../",
        heading=area.title,
        charts=charts,
        layout=maps.layout,
        links={code: f"{code}.html" for code in maps.profiled},
    )
    body.append("<section><h2>Spend per head by service theme and agency</h2>")
    if not spend:
        body.append('<p class="note">No spend figures for this area.</p>')
    for i, t in enumerate(spend):
        body += spend_section(area, t, f"spend-{i}", charts)
    for i, (measure, rows) in enumerate(spend_series(con, area).items()):
        body += spend_trend_section(area, measure, rows, f"spend-trend-{i}", charts)
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
        body += budget_section(area, year, rows, f"bvo-{i}", charts)
    body.append("</section>")
    body.append("<section><h2>Outcomes against England</h2>")
    if not outcomes:
        body.append('<p class="note">No outcome indicators for this area.</p>')
    for i, g in enumerate(outcomes):
        body += outcome_section(area, g, f"outcome-{i}", charts)
    body.append("</section>")
    return _page(area.title, body, release=release, up="../")


def _index_page(release_dir: Path, areas: list[Area], release: dict, maps: MapData, charts: ChartSet) -> str:
    from core.marts import MARTS

    resources = {r["name"]: r for r in release.get("resources", []) if r.get("format") == "csv"}
    marts = [m for m in MARTS if m in resources or (release_dir / f"{m}.csv").exists()] or list(MARTS)
    body = []
    if release.get("contains_synthetic_data"):
        body.append(
            '<section class="synthetic-note" data-testid="synthetic-note" role="note"><strong>Contains synthetic '
            "data.</strong> These sources are samples, not real publications: "
            + esc(", ".join(release.get("synthetic_sources") or []))
            + ". Rows built from them have is_synthetic = true.</section>"
        )
    links = {code: f"profiles/{code}.html" for code in maps.profiled}
    hexes = [h for h in maps.hexes if h.code.startswith("E")]
    # the build's places outlined, unless they are every place on the map (England)
    outlined = maps.councils if len(maps.councils) < len(maps.hexes) else set()

    def england_map(year: str | None, values: dict[str, float], uid: str, **measure: MapMeasure) -> list[str]:
        return map_section(
            hexes,
            year,
            values,
            maps.names,
            highlight=outlined,
            labels=False,
            uid=uid,
            up="",
            heading="England",
            charts=charts,
            layout=maps.layout,
            links=links,
            **measure,
        )

    spend_map = england_map(maps.year, maps.values, "map-england")
    share_map = england_map(maps.share_year, maps.shares, "map-england-counted-share", measure=COUNTED_SHARE)
    if share_map:
        body += [
            '<section class="map-switch" data-testid="map-switch">',
            '<input type="radio" name="map" id="map-spend" checked>'
            '<label for="map-spend">Local government outturn per head</label>',
            '<input type="radio" name="map" id="map-share">'
            '<label for="map-share">Share of the ESTIMATED public money counted</label>',
            '<div class="map-panel map-spend">',
            *spend_map,
            '</div><div class="map-panel map-share">',
            *share_map,
            "</div></section>",
        ]
    else:
        body += spend_map
    body.append(
        '<section data-testid="profiles"><h2>Place profiles</h2>'
        '<p><label for="place-search">Find a place: </label><input type="search" id="place-search" '
        'data-testid="place-search" placeholder="name or code" autocomplete="off"></p><ul>'
    )
    for a in areas:
        kind = (
            "combined authority area"
            if a.area_type == "combined_authority"
            else (a.place_type or "council").replace("_", " ")
        )
        body.append(
            f'<li><a data-testid="profile-link" data-area-code="{esc(a.code)}" href="profiles/{esc(a.code)}.html">'
            f"{esc(a.title)}</a> ({esc(a.code)}, {kind})</li>"
        )
    body.append("</ul>")
    body.append(
        "<script>document.getElementById('place-search').addEventListener('input',function(e){"
        "var q=e.target.value.trim().toLowerCase();"
        "document.querySelectorAll('[data-testid=profiles] li').forEach(function(li){"
        "li.hidden=q!==''&&li.textContent.toLowerCase().indexOf(q)<0;});});</script></section>"
    )
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
    body += [f"<li>{link}: {esc(text)}</li>" for link, text in docs]
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
            f'<tr data-mart="{esc(m)}"><th scope="row">{esc(m)}</th>'
            + cell(rows, f"{rows:,}" if isinstance(rows, int) else "", "rows")
            + f'<td><a data-testid="csv-link" href="../{esc(m)}.csv">CSV</a> · '
            f'<a data-testid="parquet-link" href="../{esc(m)}.parquet">Parquet</a></td>'
            + f"<td>{esc(r.get('description', ''))}</td></tr>"
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
    for generated in (site / "charts", site / TABLES_DIR):
        if generated.exists():
            shutil.rmtree(generated)
    pages: list[tuple[Path, str, ChartSet]] = []
    with connect(Path(duckdb_path)) as con:
        areas = profiled_areas(con)
        year, values, names = map_values(con)
        places = {a.code for a in areas if a.area_type == "local_authority"}
        members: dict[str, set[str]] = {}
        for a in areas:
            if a.area_type == "local_authority" and a.combined_authority_code:
                members.setdefault(a.combined_authority_code, set()).add(a.code)
        # every build holds every English place (its own, and the others as comparators: place_comparisons),
        # so its maps are of places: one hexagon per upper-tier area
        hexes = upper_tier_hexes(UPPER_TIER_HEXMAP, UPPER_TIER_SUCCESSORS, names | {a.code: a.name for a in areas})
        regions = place_regions(con)  # the layout has no regions: a place's map shows its ONS region
        hexes = [replace(h, region=regions.get(h.code, h.region)) for h in hexes]
        maps = MapData(hexes, year, values, names, places, LAYOUT, members)
        maps.profiled = {a.code for a in areas}
        # a place without this year's outturn still has a name (the counted share map shows it)
        maps.names = {a.code: a.name for a in areas} | maps.names
        maps.share_year, maps.shares = counted_shares(con)
        for area in areas:
            charts = ChartSet(area.code)
            pages.append(
                (
                    profiles_dir / f"{area.code}.html",
                    _profile_page(con, area, release, area.comparator_code, maps, charts),
                    charts,
                )
            )
    charts = ChartSet("index")
    index = site / "index.html"
    pages.append((index, _index_page(release_dir, areas, release, maps, charts), charts))
    render([c for _, _, chart_set in pages for c in chart_set.charts])
    for path, html, chart_set in pages:
        chart_set.write_specs(site)
        # every table with its CSV under it, the page's sections listed at its top
        finished, tables = finish_page(chart_set.fill(html), path.stem, "" if path == index else "../")
        for name, text in tables.items():
            _write(site / name, text)
        _write(path, finished)
    log.info(
        "wrote the site for release %s: %s (%d profiles, %d charts)",
        release.get("version"),
        index,
        len(areas),
        sum(len(c.charts) for _, _, c in pages),
    )
    return index
