"""The marts suite's batches for the benchmark marts: how each place compares (regional_benchmarks,
place_comparisons, theme_comparisons, nearest_neighbours) and whether the money adds back to England's row
(england_reconciliation). Part of the marts suite (expectations/suites/marts.py)."""

from expectations.checks import (
    FINANCIAL_YEAR,
    MAX_PER_HEAD_GBP,
    MIN_PER_HEAD_GBP,
    MIN_PLACE_POPULATION,
    Batch,
    between,
    in_set,
    matches,
    rows_between,
    unique,
)

# a place's rank lies within the places of its type with a figure, and each median is over no more
# places than there are (macro peer_comparisons' columns, in place_comparisons and theme_comparisons)
PEER_CHECKS = (
    "same_type_rank <= same_type_count as rank_within_type, "
    "neighbours_count <= neighbours_named_count and same_type_count <= same_type_england_count as counted_within_named"
)

BENCHMARK_BATCHES = (
    Batch(
        name="mart_place_comparisons",
        description=(
            "Every place of the build against England, its region, its neighbours and its type: per head "
            "in range, and a rank within the count of places of the same type."
        ),
        query=f"select *, {PEER_CHECKS} from marts.place_comparisons",
        expectations=lambda: [
            rows_between(1, 1_000_000),
            unique("area_code", "financial_year", "measure"),
            between("per_head_gbp", MIN_PER_HEAD_GBP, MAX_PER_HEAD_GBP),
            between("england_per_head_gbp", 100, MAX_PER_HEAD_GBP),
            between("same_type_rank", 1, 500),
            in_set("rank_within_type", [True]),
            in_set("counted_within_named", [True]),
        ],
    ),
    Batch(
        name="mart_theme_comparisons",
        description=(
            "Every English place's local government money per head on each service theme against England, "
            "its region, its neighbours and its type: per head in range, each median over no more places than "
            "there are, and a rank within the count of places of the same type."
        ),
        query=f"select *, {PEER_CHECKS} from marts.theme_comparisons",
        expectations=lambda: [
            rows_between(1, 1_000_000),
            unique("area_code", "financial_year", "measure", "theme_code"),
            between("per_head_gbp", MIN_PER_HEAD_GBP, MAX_PER_HEAD_GBP),
            between("same_type_rank", 1, 500),
            in_set("rank_within_type", [True]),
            in_set("counted_within_named", [True]),
        ],
    ),
    Batch(
        name="mart_england_reconciliation",
        description=(
            "Local government money adds back: what the build places plus what it cannot place equals the "
            "authority rows of the publisher's file, to the rounding of each apportioned part (£1,000)."
        ),
        query="select * from marts.england_reconciliation",
        expectations=lambda: [
            rows_between(1, 100),
            unique("financial_year", "measure"),
            between("unexplained_gbp", -1_000, 1_000),
            between("placed_gbp", 0, None),
        ],
    ),
    Batch(
        name="mart_nearest_neighbours",
        description="Every council of the region has an Oflog nearest-neighbour group of 10 to 20 councils.",
        query="""
                select area_code, count(*) as neighbours from marts.nearest_neighbours
                where area_type = 'local_authority' group by area_code
            """,
        expectations=lambda: [rows_between(1, 1_000), between("neighbours", 10, 20)],
    ),
    Batch(
        name="mart_regional_benchmarks",
        description="Every configured region's councils, combined authority areas and England, by year and theme.",
        query="select * from marts.regional_benchmarks",
        expectations=lambda: [
            rows_between(50, 1_000_000),
            matches("financial_year", FINANCIAL_YEAR),
            in_set("area_type", ["local_authority", "combined_authority", "country"]),
            unique("region_name", "area_code", "financial_year", "theme_code"),
            between("budget_per_head_gbp", MIN_PER_HEAD_GBP, MAX_PER_HEAD_GBP),
            between("outturn_per_head_gbp", MIN_PER_HEAD_GBP, MAX_PER_HEAD_GBP),
            between("population_count", MIN_PLACE_POPULATION, 70_000_000),
        ],
    ),
    Batch(
        name="mart_regional_benchmarks__coverage_gap",
        description=(
            "Every council of every configured region (regions/*.yml), and every place of the "
            "release's own region (England's derived ones too), is benchmarked in every year the "
            "marts cover (gap = places expected - places present)."
        ),
        query="""
                with members as (
                    select region_name, council_code from raw.region_definitions where council_code is not null
                    union
                    select region_name, area_code from marts.dim_area
                    cross join (select region_name from raw.region_definitions where is_current limit 1)
                    where area_type = 'local_authority' and is_in_region
                ),
                years as (select distinct financial_year from marts.regional_benchmarks),
                present as (
                    select distinct region_name, area_code, financial_year
                    from marts.regional_benchmarks where area_type = 'local_authority'
                )
                select members.region_name, years.financial_year,
                    count(*) - count(present.area_code) as missing_councils
                from members
                cross join years
                left join present
                    on members.region_name = present.region_name
                    and members.council_code = present.area_code
                    and years.financial_year = present.financial_year
                group by 1, 2
            """,
        expectations=lambda: [rows_between(1, 100_000), between("missing_councils", 0, 0)],
    ),
    Batch(
        name="mart_regional_benchmarks__matches_whole_place_budget",
        description=(
            "The release's own region in the benchmarks carries the same figures as "
            "whole_place_budget: a council's own spend with its police and fire shares; for the "
            "combined authority area, its councils', police and fire plus the combined authority's "
            "(difference in pounds)."
        ),
        query="""
                with bench as (
                    unpivot (
                        select area_type, area_code, financial_year, theme_code,
                            budget_gbp as budget, outturn_gbp as outturn
                        from marts.regional_benchmarks
                        where is_current_region and area_type in ('local_authority', 'combined_authority')
                    ) on budget, outturn into name measure value amount_gbp
                )
                select bench.area_code, bench.financial_year, bench.measure, bench.theme_code,
                    coalesce(bench.amount_gbp, 0) - coalesce(w.council_gbp, 0) - coalesce(w.police_gbp, 0)
                        - coalesce(w.fire_gbp, 0) - case
                        when bench.area_type = 'combined_authority' then coalesce(w.combined_authority_gbp, 0)
                        else 0 end as difference_gbp
                from bench
                join marts.whole_place_budget as w
                    on bench.area_code = w.area_code and bench.financial_year = w.financial_year
                    and bench.measure = w.measure and bench.theme_code = w.theme_code
            """,
        expectations=lambda: [rows_between(1, 1_000_000), between("difference_gbp", 0, 0)],
    ),
)
