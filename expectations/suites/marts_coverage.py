"""The marts suite's batches for coverage and the estimate of all public money: how much of each
region's identifiable spending the warehouse counts (region_coverage), the estimate per place
(whole_place_estimates) adding back to HM Treasury's regional totals, the estimate kept out of the
published scopes, and the real-terms deflation reproducing the CRA's own real-terms table. Part of
the marts suite (expectations/suites/marts.py)."""

from expectations.checks import FINANCIAL_YEAR, Batch, between, in_set, matches, rows_between, unique

# HM Treasury publishes each function in £ million: a region's places add back within £1m
ADD_BACK_SLACK_GBP = 1_000_000
# the CRA deflated with its own (September 2023) deflators; the held December 2023 edition differs
REAL_TERMS_SLACK_PCT = 1.0

COVERAGE_BATCHES = (
    Batch(
        name="mart_region_coverage",
        description=(
            "Every English region, CRA year and function: the CRA's figure, and where the warehouse counts, a "
            "share counted between 0 and (where definitions differ) a little over 100 per cent."
        ),
        query="select * from marts.region_coverage",
        expectations=lambda: [
            rows_between(10 * 5 * 11, 10_000),
            unique("region_code", "financial_year", "function_code"),
            matches("financial_year", FINANCIAL_YEAR),
            matches("region_code", r"^E(12|92)\d{6}$"),
            between("cra_gbp", 0, 1_000_000_000_000),
            between("counted_share_pct", 0, 200),
            in_set("counted_status", ["published", "not_loaded"]),
        ],
    ),
    Batch(
        name="mart_whole_place_estimates",
        description="Every estimate is an estimate, non-negative, and at least the money counted where counted fits.",
        query="""
            select *, estimate_gbp >= counted_gbp or counted_exceeds as estimate_holds_counted
            from (
                select e.*, c.counted_exceeds_cra as counted_exceeds
                from marts.whole_place_estimates as e
                left join marts.region_coverage as c
                    on e.ons_region_code = c.region_code and e.financial_year = c.financial_year
                    and e.function_code = c.function_code
            )
        """,
        expectations=lambda: [
            rows_between(1, 1_000_000),
            unique("area_code", "financial_year", "function_code"),
            in_set("estimate_status", ["estimated"]),
            between("estimate_gbp", 0, None),
            in_set("estimate_holds_counted", [True]),
        ],
    ),
    Batch(
        name="mart_whole_place_estimates__add_back",
        description=(
            "Where the build holds every place of a region, the places' estimates add back to HM Treasury's "
            "regional total for each function and year, within £1m (the CRA's rounding)."
        ),
        query="""
            with places as (
                select ons_region_code, financial_year, function_code,
                    sum(estimate_gbp) as places_gbp, sum(population_count) as places_population,
                    max(region_population_count) as region_population, max(region_cra_gbp) as cra_gbp
                from marts.whole_place_estimates
                where area_type = 'local_authority'
                group by all
            )
            select *, places_gbp - cra_gbp as gap_gbp from places
            where places_population = region_population
        """,
        expectations=lambda: [between("gap_gbp", -ADD_BACK_SLACK_GBP, ADD_BACK_SLACK_GBP)],
    ),
    Batch(
        name="mart_whole_place_totals__estimates_apart",
        description="An estimated total only ever in the all_identifiable_estimated scope, and no other total there.",
        query="""
            select scope_code, total_status,
                (scope_code = 'all_identifiable_estimated') = (total_status = 'estimated')
                    or total_status = 'not_available' as is_apart
            from marts.whole_place_totals
        """,
        expectations=lambda: [in_set("is_apart", [True])],
    ),
    Batch(
        name="hmt_cra__real_terms_reproduced",
        description=(
            "Deflating the CRA's cash table 9.1a with the held GDP deflators reproduces the CRA's own real-terms "
            "table 9.2a within 1% for every region and year."
        ),
        query="""
            select cash.region_code, cash.financial_year,
                100.0 * (cash.value_gbp * d.real_terms_factor - real.value_gbp) / real.value_gbp as gap_pct
            from staging.stg_hmt_cra__expenditures as cash
            inner join staging.stg_hmt_cra__expenditures as real
                on cash.region_code = real.region_code and cash.financial_year = real.financial_year
                and real.table_code = '9.2a'
            inner join intermediate.int_deflators_rebased as d on cash.financial_year = d.financial_year
            where cash.table_code = '9.1a'
        """,
        expectations=lambda: [
            rows_between(14 * 5, 1_000),
            between("gap_pct", -REAL_TERMS_SLACK_PCT, REAL_TERMS_SLACK_PCT),
        ],
    ),
)
