"""Other city regions by configuration: `make run REGION=greater-manchester` and
`REGION=west-yorkshire` build their own warehouse and release through the same Airflow job, with
every member council, and every release benchmarks all configured regions and England alike."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import Pipeline, Run

pytestmark = pytest.mark.integration

REGIONS = {
    "greater-manchester": ("E47000001", "Greater Manchester", {f"E080000{n:02d}" for n in range(1, 11)}),
    "west-yorkshire": ("E47000003", "West Yorkshire", {f"E080000{n}" for n in range(32, 37)}),
}
WEST_MIDLANDS = {f"E080000{n}" for n in range(25, 32)}


# the region built here: West Yorkshire (five councils, two with payments files). Greater Manchester's
# file is checked against the ONS lookup at every run (every region is), and its councils are built
# in the England build (test_england_end_to_end); building it too cost six minutes of the suite.
BUILT = ["west-yorkshire"]


@pytest.fixture(scope="module", params=BUILT)
def region_run(request, tmp_path_factory) -> tuple[str, Pipeline, Run]:
    name = request.param
    pipeline = Pipeline(tmp_path_factory.mktemp(name))
    run = pipeline.run(WHOLEPLACE_REGION=name)
    assert run.code == 0, run.output
    return name, pipeline, run


def test_the_run_names_the_region_and_publishes_a_release_for_it(region_run):
    name, pipeline, run = region_run
    code, title, councils = REGIONS[name]
    assert f"{title} ({code}, {len(councils)} councils)" in run.output
    assert "published new release" in run.output
    region = json.loads((pipeline.latest / "datapackage.json").read_text())["region"]
    assert (region["name"], region["combined_authority_code"], region["council_count"]) == (name, code, len(councils))


def test_every_member_council_is_in_the_marts_for_every_year_and_measure_and_no_other(region_run):
    name, pipeline, _ = region_run
    code, _, councils = REGIONS[name]
    in_region = pipeline.query(
        "select area_code from marts.dim_area where is_in_region and area_type = 'local_authority'"
    )
    assert {a for (a,) in in_region} == councils
    rows = pipeline.query(
        "select financial_year, measure, list(distinct area_code) from marts.whole_place_budget "
        "where area_type = 'local_authority' group by 1, 2"
    )
    assert {(y, m) for y, m, _ in rows} == {(y, "budget") for y in ("2021-22", "2023-24")} | {
        (y, "outturn") for y in ("2021-22", "2022-23", "2023-24", "2024-25")
    }
    for year, measure, areas in rows:
        assert set(areas) == councils, (year, measure)
    # the combined authority area adds up its councils and the combined authority itself
    ca = pipeline.query(
        "select count(*) from marts.whole_place_budget where area_code = ? and area_type = 'combined_authority'",
        [code],
    )
    assert ca[0][0] > 0


def test_the_region_gets_its_own_nhs_bodies_derived_from_practice_populations(region_run):
    name, pipeline, _ = region_run
    icbs = pipeline.query("select agency_code, agency_name from marts.dim_agency where agency_type = 'icb'")
    assert icbs, "every English district has GP practices, so an ICB serves each region"
    assert all(agency_name.startswith("NHS ") for _, agency_name in icbs)
    assert not pipeline.query(
        "select 1 from marts.dim_agency where agency_code in (select unnest(?::varchar[]))",
        [sorted(WEST_MIDLANDS)],
    ), "no West Midlands council leaks into another region's warehouse"


def test_the_release_benchmarks_every_configured_region_and_england(region_run):
    name, pipeline, _ = region_run
    rows = pipeline.query(
        "select region_name, bool_or(is_current_region), "
        "list(distinct area_code) filter (where area_type = 'local_authority') "
        "from marts.regional_benchmarks group by 1"
    )
    by_region = {r: (current, set(areas or [])) for r, current, areas in rows}
    assert set(by_region) == {"west-midlands", *REGIONS, "england"}
    assert by_region["west-midlands"][1] == WEST_MIDLANDS
    for other, (_, _, councils) in REGIONS.items():
        assert by_region[other][1] == councils
    assert [r for r, (current, _) in by_region.items() if current] == [name]
    published = (pipeline.latest / "regional_benchmarks.csv").read_text(encoding="utf-8")
    assert "west-midlands" in published and "england" in published


def test_the_benchmarks_are_the_same_whichever_region_built_the_release(region_run, first_run, pipeline):
    """Like with like: another region's release and the default one carry identical budget and
    outturn for every council and combined authority area."""
    _, other, _ = region_run
    sql = (
        "select region_name, area_code, financial_year, theme_code, budget_gbp, outturn_gbp "
        "from marts.regional_benchmarks order by all"
    )
    assert other.query(sql) == pipeline.query(sql)
    per_head = (
        "select area_code, financial_year, theme_code, outturn_per_head_gbp from marts.regional_benchmarks "
        "where area_type = 'local_authority' order by all"
    )
    assert other.query(per_head) == pipeline.query(per_head)


def test_the_default_region_is_unchanged_and_kept_apart(first_run, pipeline):
    assert "West Midlands (E47000007, 7 councils)" in first_run.output
    region = json.loads((pipeline.latest / "datapackage.json").read_text())["region"]
    assert region["name"] == "west-midlands"


SPENDING_COUNCILS = {"greater-manchester": {"E08000003", "E08000006"}, "west-yorkshire": {"E08000032", "E08000033"}}


def test_spending_over_500_is_published_for_the_regions_councils_with_files_and_adds_up(region_run):
    name, pipeline, _ = region_run
    published = pipeline.query(
        "select area_code, sum(payment_count + below_500_payment_count), sum(net_amount_gbp) "
        "from marts.spend_over_500_monthly where value_status = 'published' group by 1"
    )
    assert {a for a, _, _ in published} == SPENDING_COUNCILS[name]
    payments = pipeline.query(
        "select area_code, count(*), sum(net_amount_gbp) filter (where is_over_500) from marts.fct_spend500_payment "
        "where area_code in (select unnest(?::varchar[])) group by 1",
        [sorted(SPENDING_COUNCILS[name])],
    )
    assert sorted(published) == sorted(payments)
    # the region's other councils and its combined authority hold no file: every month of the year is a
    # row named as not held, never a zero (the councils with files hold April 2019 only: their later
    # months are not held either)
    not_held = dict(
        pipeline.query(
            "select area_code, count(*) from marts.spend_over_500_monthly where value_status = 'not_loaded' "
            "and net_amount_gbp is null group by 1"
        )
    )
    members = {b for (b,) in pipeline.query("select distinct body_code from intermediate.int_region_payment_bodies")}
    ((months,),) = pipeline.query("select count(distinct payment_month) from marts.payment_coverage")
    assert months % 12 == 0  # whole financial years (a card file's late payments can add the year before)
    assert {a: not_held.get(a) for a in members - SPENDING_COUNCILS[name]} == dict.fromkeys(
        members - SPENDING_COUNCILS[name], months
    )
    # the file's one malformed row (real Salford May 2019, row 2) is quarantined, not dropped silently
    rejects = pipeline.query("select source_file, source_row, source_column from staging.stg_spend500__rejects")
    assert [r for r in rejects if r[0].startswith("salford")] == [("salford_2019-05.csv", 2, "Gross")]
    csv_header = (pipeline.latest / "spend_over_500_monthly.csv").read_text(encoding="utf-8").splitlines()[0]
    assert csv_header.startswith("spend_month_key,area_code,area_name,body_type,financial_year,payment_month")
