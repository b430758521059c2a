"""Every place in England in one run: `make run REGION=england` derives its places from the held ONS
lookups (every upper-tier area, every combined authority area and the Greater London Authority's),
builds them through the same Airflow job, and the West Midlands' rows are the same as in the
default region's own release."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.integration.conftest import Pipeline, Run

pytestmark = pytest.mark.integration

WEST_MIDLANDS = sorted({f"E080000{n}" for n in range(25, 32)} | {"E47000007"})
REORGANISED_2023 = {"E06000063", "E06000064", "E06000065", "E06000066"}


@pytest.fixture(scope="module")
def england(tmp_path_factory) -> tuple[Pipeline, Run]:
    pipeline = Pipeline(tmp_path_factory.mktemp("england"))
    run = pipeline.run(WHOLEPLACE_REGION="england")
    assert run.code == 0, run.output
    return pipeline, run


def lookup(source: str, file: str | None = None) -> list[dict]:
    """A bundled lookup's rows: its one file, or the file named."""
    from tests.paths import SNAPSHOTS_DIR

    path = SNAPSHOTS_DIR / source / file if file else next((SNAPSHOTS_DIR / source).iterdir())
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_the_release_has_every_upper_tier_area_and_every_combined_authority_area(england):
    pipeline, run = england
    assert "England (every upper-tier and combined authority area, from the ONS lookups)" in run.output
    assert "published new release" in run.output
    upper_tier = {
        r["utla23_code"]
        for r in lookup("ons_lad_utla_lookup", "geographr_lookup_ltla23_utla23.csv")
        if r["utla23_code"].startswith("E")
    }
    authorities = {r["cauth23_code"] for r in lookup("ons_lad_cauth_lookup")} | {"E61000001"}
    assert len(upper_tier) == 153 and len(authorities) == 11
    places = dict(
        pipeline.query("select area_code, area_type from marts.dim_area where is_in_region and area_type <> 'district'")
    )
    assert {a for a, t in places.items() if t == "local_authority"} == upper_tier
    assert {a for a, t in places.items() if t == "combined_authority"} == authorities
    assert REORGANISED_2023 <= upper_tier and "E10000006" not in upper_tier  # Cumbria is two unitaries
    published = (pipeline.latest / "whole_place_budget.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(published)))
    assert {r["area_code"] for r in rows} == upper_tier | authorities
    assert all(r["scope_note"] for r in rows), "every row states its scope"
    region = json.loads((pipeline.latest / "datapackage.json").read_text())["region"]
    assert region["name"] == "england"


def test_a_shire_districts_money_counts_in_its_county(england):
    pipeline, _ = england
    # Kent (E10000016): the county council and its 12 districts, as ONS's lookup places them
    districts = {
        r["ltla23_code"]
        for r in lookup("ons_lad_utla_lookup", "geographr_lookup_ltla23_utla23.csv")
        if r["utla23_code"] == "E10000016"
    }
    assert len(districts) == 12
    ((county_and_districts,),) = pipeline.query(
        "select sum(amount_gbp) from marts.fct_spend where agency_type = 'council' and measure = 'outturn' "
        "and financial_year = '2023-24' and not is_inter_agency_transfer "
        "and (agency_code = 'E10000016' or agency_code in (select unnest(?::varchar[])))",
        [sorted(districts)],
    )
    ((place,),) = pipeline.query(
        "select sum(council_gbp) from marts.whole_place_budget where area_code = 'E10000016' "
        "and measure = 'outturn' and financial_year = '2023-24'"
    )
    assert place == county_and_districts and place > 1_000_000_000


def test_nhs_money_adds_back_to_every_icbs_published_total(england):
    pipeline, _ = england
    rows = pipeline.query(
        """
        with placed as (
            select agency_code, financial_year, sum(amount_gbp) as placed_gbp, count(*) as parts
            from marts.fct_spend where agency_type = 'icb' group by 1, 2
        ),
        published as (
            select icb_ods_code, financial_year, sum(allocation_gbp) as published_gbp
            from staging.stg_nhs_icb_allocations__allocations group by 1, 2
        )
        select published.icb_ods_code, published.financial_year, published.published_gbp, placed.placed_gbp,
            placed.parts
        from published left join placed
            on published.icb_ods_code = placed.agency_code and published.financial_year = placed.financial_year
        """
    )
    assert len({icb for icb, *_ in rows}) == 42
    for icb, year, published_gbp, placed_gbp, parts in rows:
        assert placed_gbp is not None, (icb, year)
        # each part is rounded to the pound
        assert abs(placed_gbp - published_gbp) <= parts, (icb, year, published_gbp, placed_gbp)


def test_the_west_midlands_rows_equal_the_default_regions_own_release(england, first_run, pipeline):
    """The same figures whether the West Midlands is built alone or as part of England."""
    english, _ = england
    for sql in (
        "select * exclude (is_in_region) from marts.dim_area where area_code in (select unnest(?::varchar[]))",
        "select * from marts.whole_place_budget where area_code in (select unnest(?::varchar[]))",
        "select * from marts.fct_spend where area_code in (select unnest(?::varchar[]))",
        "select * from marts.fct_outcome where area_code in (select unnest(?::varchar[]))",
        # the release's own places (England's build also benchmarks the West Midlands as a listed region)
        "select * exclude (region_name, region_title, regional_benchmark_key) from marts.regional_benchmarks "
        "where is_current_region and area_code in (select unnest(?::varchar[]))",
        # every build holds every English place, so a place's comparators are the same in both: its
        # neighbours' and its type's medians over all of England's places, its region summed, its rank (a
        # combined authority area's neighbours are the combined authority areas the build holds: n of N)
        "select * from marts.place_comparisons where area_type = 'local_authority' and area_code in "
        "(select unnest(?::varchar[]))",
        "select * from marts.theme_comparisons where area_code in (select unnest(?::varchar[]))",
        # the estimate of all public money: the same driver and the same region totals in both builds
        "select * from marts.whole_place_estimates where area_code in (select unnest(?::varchar[]))",
        "select * from marts.region_coverage where ? is not null",
    ):
        ordered = f"select * from ({sql}) order by all"
        alone = pipeline.query(ordered, [WEST_MIDLANDS])
        assert alone, sql
        assert english.query(ordered, [WEST_MIDLANDS]) == alone, sql


def test_the_2023_reorganisations_count_earlier_years_in_the_new_unitaries(england):
    """Cumbria's six districts and its county council's 2021-22 outturn are Cumberland's and Westmorland
    and Furness's (the county's shared by population); North Yorkshire's and Somerset's go whole to
    their one unitary. Nothing is lost or added."""
    pipeline, _ = england
    predecessors = {
        ("E06000063", "E06000064"): "E10000006",  # Cumbria
        ("E06000065",): "E10000023",  # North Yorkshire
        ("E06000066",): "E10000027",  # Somerset
    }
    county_of = {
        r["ltla21_code"]: r["utla21_code"] for r in lookup("ons_lad_utla_lookup", "geographr_lookup_ltla21_utla21.csv")
    }
    for successors, county in predecessors.items():
        bodies = sorted([county, *(d for d, c in county_of.items() if c == county)])
        ((published,),) = pipeline.query(
            "select sum(value_gbp_thousands) * 1000 from intermediate.int_council_spend_lines_unioned "
            "where financial_year = '2021-22' and measure = 'outturn' and row_kind = 'authority' "
            "and service_code <> 'totsx' and area_code in (select unnest(?::varchar[]))",
            [bodies],
        )
        ((counted, parts, methods),) = pipeline.query(
            "select sum(amount_gbp), count(*), list(distinct apportionment_method) from marts.fct_spend "
            "where financial_year = '2021-22' and measure = 'outturn' and agency_type = 'council' "
            "and agency_code in (select unnest(?::varchar[]))",
            [list(successors)],
        )
        assert methods == ["predecessor_authorities"]
        assert abs(counted - published) <= parts, (successors, counted, published)
        complete = pipeline.query(
            "select bool_and(is_complete) from marts.whole_place_budget where financial_year = '2021-22' "
            "and measure = 'outturn' and area_code in (select unnest(?::varchar[]))",
            [list(successors)],
        )
        assert complete == [(True,)], successors


def test_every_regions_places_add_back_to_hm_treasurys_regional_totals_by_function(england):
    """The estimate of all identifiable public money: every English region's places add back to the
    CRA's figure for each function and year within £1m (to the pound here; the total is the sum of
    the functions, so it differs from table 9.1a's by the CRA's own rounding), every place has an
    estimate in both CRA years the outturn holds, and none is negative."""
    pipeline, _ = england
    gaps = pipeline.query(
        """
        select e.ons_region_code, e.financial_year, e.function_code, sum(e.estimate_gbp) - max(c.cra_gbp)
        from marts.whole_place_estimates as e
        inner join marts.region_coverage as c
            on e.ons_region_code = c.region_code and e.financial_year = c.financial_year
            and e.function_code = c.function_code
        where e.area_type = 'local_authority' and e.function_code <> 'total'
        group by all
        """
    )
    assert len(gaps) == 9 * 2 * 10  # nine regions, two years, ten functions
    assert all(abs(gap) <= 1_000_000 for *_, gap in gaps), [g for g in gaps if abs(g[-1]) > 1_000_000]
    places = pipeline.query(
        "select financial_year, count(distinct area_code), min(estimate_gbp) from marts.whole_place_estimates "
        "where area_type = 'local_authority' group by 1 order by 1"
    )
    assert [(y, n) for y, n, _ in places] == [("2021-22", 153), ("2022-23", 153)]
    assert all(low >= 0 for *_, low in places)
    # England's coverage row is the sum of its regions
    ((england_counted, regions_counted),) = pipeline.query(
        "select sum(counted_gbp) filter (where region_code = 'E92000001'), "
        "sum(counted_gbp) filter (where region_code <> 'E92000001') from marts.region_coverage "
        "where function_code = 'total' and financial_year = '2022-23'"
    )
    assert england_counted == regions_counted


def test_local_government_per_head_is_one_figure_on_every_surface_of_the_england_release(england):
    """The England build's maps, headlines and comparison tables show place_comparisons' figure for
    every place, the one the West Midlands build shows for its own (the cross-surface test there)."""
    from tests.integration.test_answers_without_sql import money, table_cells

    pipeline, _ = england
    with open(pipeline.latest / "place_comparisons.csv", encoding="utf-8") as fh:
        compared = list(csv.DictReader(fh))
    figure = {(r["area_code"], r["financial_year"], r["measure"]): money(r["per_head_gbp"]) for r in compared}
    assert all(r["is_in_build"] == "true" for r in compared)  # England holds every place itself
    site = pipeline.latest / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    year = re.search(r'data-testid="hex-map-section" data-financial-year="([^"]+)"', index)[1]
    mapped = table_cells(index, "hex-map-table", "outturn_per_head_gbp")
    assert len(mapped) >= 100
    for attrs, value in mapped.items():
        assert money(value) == figure[(re.search(r'data-area-code="([^"]+)"', attrs)[1], year, "outturn")]
    shown = 0
    for page in (site / "profiles").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for attrs, value in table_cells(html, "place-comparisons-table", "per_head_gbp").items():
            key = (
                page.stem,
                re.search(r'data-period="([^"]+)"', attrs)[1],
                re.search(r'data-measure="([^"]+)"', attrs)[1],
            )
            assert money(value) == figure[key], key
            shown += 1
    assert shown > 500
