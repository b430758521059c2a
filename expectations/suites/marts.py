"""The publication gate: checks on the marts before a release is written.

dbt tests own keys, nulls and relationships; these own ranges, coverage, and reconciliation of
the marts' totals with the publishers' own total rows.
"""

from core.codes import seed
from expectations.checks import (
    FINANCIAL_YEAR,
    MAX_PER_HEAD_GBP,
    MIN_PER_HEAD_GBP,
    MIN_PLACE_POPULATION,
    Batch,
    Suite,
    between,
    in_set,
    matches,
    not_null,
    rows_between,
    unique,
)
from expectations.suites.marts_benchmarks import BENCHMARK_BATCHES
from expectations.suites.marts_coverage import COVERAGE_BATCHES

SUITE = Suite(
    name="marts",
    batches=(
        Batch(
            name="mart_whole_place_budget",
            description="Consolidated spend by area, year, measure and theme.",
            query="select * from marts.whole_place_budget",
            expectations=lambda: [
                rows_between(50, 1_000_000),
                matches("financial_year", FINANCIAL_YEAR),
                in_set("measure", ["budget", "outturn", "allocation"]),
                unique("area_code", "financial_year", "measure", "theme_code"),
                # per head per service theme: a sanity band, not a target
                between("per_head_gbp", MIN_PER_HEAD_GBP, MAX_PER_HEAD_GBP),
                between("population_count", MIN_PLACE_POPULATION, 70_000_000),
                not_null("population_source"),
            ],
        ),
        Batch(
            name="mart_whole_place_budget__reconciles_with_published_totals",
            description=(
                "Each agency's spend across the themes equals the publisher's own total service "
                "expenditure row (RA line 799 / RSX totsx), to within rounding: 14 lines rounded "
                "to £1,000 each."
            ),
            query="""
                with themes as (
                    select agency_code, financial_year, measure, sum(amount_gbp) as themes_gbp,
                        count(*) filter (where amount_gbp is null) as missing
                    from marts.fct_spend group by 1, 2, 3
                ),
                published as (
                    select agency_code, financial_year,
                        case when service_line_code = 'totsx' then 1 end as is_total,
                        budget_gbp, outturn_gbp, budget_source_file_sha256, outturn_source_file_sha256
                    from marts.budget_vs_outturn
                    where service_line_code = 'totsx'
                )
                select themes.agency_code, themes.financial_year, themes.measure,
                    themes.themes_gbp,
                    case themes.measure when 'budget' then published.budget_gbp else published.outturn_gbp end
                        as published_total_gbp,
                    themes.themes_gbp
                        - case themes.measure when 'budget' then published.budget_gbp else published.outturn_gbp end
                        as difference_gbp
                from themes
                inner join published using (agency_code, financial_year)
                where themes.missing = 0
            """,
            expectations=lambda: [rows_between(1, 100_000), between("difference_gbp", -20_000, 20_000)],
        ),
        Batch(
            name="mart_whole_place_budget__combined_authority_area_adds_up",
            description=(
                "Each combined authority area's total on each theme is its councils' and the ICBs' money "
                "in its districts plus its own, with pooled-fund transfers moved once (money counted once)."
            ),
            query="""
                with ca as (
                    select area_code, financial_year, measure, theme_code,
                        total_gbp - transfers_in_gbp + transfers_out_gbp as agencies_gbp
                    from marts.whole_place_budget where area_type = 'combined_authority' and is_complete
                ),
                parts as (
                    select mapped.reporting_area_code as area_code, spend.financial_year,
                        case when spend.measure = 'allocation' then 'budget' else spend.measure end as measure,
                        spend.theme_code, sum(spend.amount_gbp) as parts_gbp
                    from marts.fct_spend as spend
                    join intermediate.int_reporting_areas_mapped as mapped
                        on spend.area_code = mapped.area_code and mapped.level = 'combined_authority'
                    where not spend.is_inter_agency_transfer group by 1, 2, 3, 4
                )
                select ca.*, parts.parts_gbp, ca.agencies_gbp - parts.parts_gbp as difference_gbp
                from ca inner join parts using (area_code, financial_year, measure, theme_code)
            """,
            expectations=lambda: [rows_between(1, 1_000_000), between("difference_gbp", 0, 0)],
        ),
        Batch(
            name="mart_nhs_apportionment__adds_back_to_published_allocations",
            description=(
                "Apportioning an ICB's allocation to districts loses and invents nothing: for every ICB, "
                "funding stream, year and method, the parts shared to the districts add back to the figure "
                "in the publisher's cell (raw, £ thousand x 1,000), to £1."
            ),
            query="""
                with parts as (
                    select financial_year, icb_ods_code, stream_code, apportionment_method,
                        sum(apportioned_gbp) as parts_gbp
                    from intermediate.int_nhs_allocations_apportioned
                    group by 1, 2, 3, 4
                )
                select published.financial_year, published.icb_ods_code, published.stream_code,
                    parts.apportionment_method,
                    published._source_file as _source_file, published._source_row as _source_row,
                    coalesce(parts.parts_gbp, 0) - published.allocation_gbp_thousands * 1000 as difference_gbp
                from raw.nhs_icb_allocations as published
                left join parts using (financial_year, icb_ods_code, stream_code)
                where published.allocation_gbp_thousands is not null
            """,
            expectations=lambda: [rows_between(1, 1_000_000), between("difference_gbp", -1, 1)],
        ),
        Batch(
            name="mart_police_fire_apportionment__adds_back_to_published_spend",
            description=(
                "Sharing a police or fire body's spend to the districts it serves loses and invents nothing: "
                "for every body, line, year and measure the parts add back to its published figure, to £1."
            ),
            query="""
                select agency_code, financial_year, measure, publisher_line_code,
                    max(source_file) as _source_file, max(source_row) as _source_row,
                    sum(amount_gbp) - max(body_amount_gbp) as difference_gbp
                from intermediate.int_police_fire_spend_apportioned
                where body_amount_gbp is not null
                group by 1, 2, 3, 4
            """,
            skip_if_empty=True,
            expectations=lambda: [between("difference_gbp", -1, 1)],
        ),
        Batch(
            name="mart_whole_place_totals",
            description=(
                "The headline totals: a total is shown only when every body of its scope is there, and no "
                "row flagged complete has a missing body (but an estimate, which estimates a missing body's money)."
            ),
            query="""
                select *, (total_gbp is not null) = is_complete as total_matches_completeness,
                    is_complete = (missing_body_types is null) or scope_code = 'all_identifiable_estimated'
                        as complete_means_nothing_missing
                from marts.whole_place_totals
            """,
            expectations=lambda: [
                rows_between(10, 1_000_000),
                in_set("scope_code", sorted({row["scope_code"] for row in seed("spend_scopes")})),
                unique("area_code", "financial_year", "measure", "scope_code"),
                in_set("total_matches_completeness", [True]),
                in_set("complete_means_nothing_missing", [True]),
                between("per_head_gbp", 100, MAX_PER_HEAD_GBP),
                not_null("population_source"),
            ],
        ),
        Batch(
            name="mart_pooled_budgets",
            description="Each pooled fund's contributions add up to the fund total; shares are percentages.",
            query="""
                select *, sum(contribution_gbp) over (partition by fund_code, financial_year) - fund_total_gbp
                    as difference_gbp
                from marts.pooled_budgets
            """,
            skip_if_empty=True,
            expectations=lambda: [
                between("difference_gbp", 0, 0),
                between("share_of_fund_pct", 0, 100),
                in_set("partner_type", ["icb", "council"]),
            ],
        ),
        Batch(
            name="mart_bcf_planned_spend",
            description=(
                "Each board's planned BCF spend is a figure in pounds no larger than the publisher's England "
                "total for its scheme type; a board with no figure says so."
            ),
            query="""
                select *, england_planned_spend_gbp - planned_spend_gbp as below_england_gbp
                from marts.bcf_planned_spend
            """,
            skip_if_empty=True,
            expectations=lambda: [
                between("planned_spend_gbp", 0, 1e9),
                between("below_england_gbp", 0, None),
                in_set("value_status", ["published", "not_available"]),
                in_set("england_status", ["published"]),
            ],
        ),
        Batch(
            name="mart_whole_place_budget__coverage_gap",
            description="No council is missing from any year and measure (gap = expected - present).",
            query="""
                with councils as (
                    select area_code from marts.dim_area where area_type = 'local_authority' and is_in_region
                ),
                grid as (select distinct financial_year, measure from marts.whole_place_budget)
                select grid.financial_year, grid.measure,
                    (select count(*) from councils) - count(distinct w.area_code) as missing_councils
                from grid
                left join marts.whole_place_budget as w
                    on grid.financial_year = w.financial_year and grid.measure = w.measure
                    and w.area_code in (select area_code from councils)
                group by 1, 2
            """,
            expectations=lambda: [between("missing_councils", 0, 0)],
        ),
        Batch(
            name="mart_budget_vs_outturn",
            description="Budget against outturn by agency, year and publisher service line.",
            query="select * from marts.budget_vs_outturn",
            expectations=lambda: [
                rows_between(10, 1_000_000),
                in_set("budget_status", ["published", "not_available", "blank", "not_loaded"]),
                in_set("outturn_status", ["published", "not_available", "blank", "not_loaded"]),
                between("budget_gbp", -1e9, 2e10),
                between("outturn_gbp", -1e9, 2e10),
            ],
        ),
        Batch(
            name="mart_asc_metrics",
            description="Learning disability residential shares are percentages (councils, region, England).",
            query="select * from marts.asc_metrics",
            skip_if_empty=True,
            expectations=lambda: [
                between("ld_residential_share_pct", 0, 100),
                between("ld_residential_nursing_share_pct", 0, 100),
                in_set("geography_level", ["council", "region", "england"]),
            ],
        ),
        Batch(
            name="mart_fct_outcome",
            description="Outcome values for the region's areas, England and the region.",
            query="select * from marts.fct_outcome",
            expectations=lambda: [
                rows_between(1, 1_000_000),
                matches("financial_year", FINANCIAL_YEAR),
                in_set("value_status", ["published", "not_available", "blank", "rounded", "[c]"]),
            ],
        ),
        Batch(
            name="mart_fct_outcome__england_comparison",
            description=(
                "A comparison the warehouse made from a 95% confidence interval agrees with it: "
                "similar only when the interval holds England's value, different only when it does not."
            ),
            query="""
                select england_comparison,
                    (england_comparison = 'similar') = (lower_ci_95 <= england_value and england_value <= upper_ci_95)
                        as agrees_with_interval
                from marts.fct_outcome
                where england_comparison_method = 'ci95_vs_england_value'
            """,
            skip_if_empty=True,
            expectations=lambda: [in_set("agrees_with_interval", [True])],
        ),
        Batch(
            name="mart_fct_outcome__disclosure_control",
            description=(
                "Person counts the warehouse derived (below England level) are 0, suppressed ([c], no "
                "value) or multiples of 5 of at least 10, and their rate is recomputed from them."
            ),
            query="""
                select o.*, i.rate_multiplier,
                    (o.numerator_count is null or o.numerator_count = 0
                        or (o.numerator_count >= 10 and o.numerator_count % 5 = 0))
                    and (o.denominator_count is null or o.denominator_count = 0
                        or (o.denominator_count >= 10 and o.denominator_count % 5 = 0))
                    and (o.value_status <> '[c]' or o.value is null)
                    and (o.value is null
                        or abs(o.value - round(o.numerator_count / o.denominator_count * i.rate_multiplier, 1)) < 0.05)
                        as is_disclosure_safe
                from marts.fct_outcome o
                join reference.indicators i using (indicator_code)
                where o.has_derived_person_counts
            """,
            skip_if_empty=True,
            expectations=lambda: [in_set("is_disclosure_safe", [True])],
        ),
        Batch(
            name="mart_spend_over_500_monthly",
            description=(
                "Payments of £500 or more by body, month, kind and theme, and the body-months not held "
                "(empty where no payment file of the region is at hand)."
            ),
            query="select * from marts.spend_over_500_monthly",
            skip_if_empty=True,
            expectations=lambda: [
                matches("financial_year", FINANCIAL_YEAR),
                in_set("payment_kind", ["invoice", "card"]),
                in_set("body_type", ["council", "combined_authority"]),
                in_set("value_status", ["published", "not_loaded"]),
                unique("area_code", "payment_month", "payment_kind", "theme_code"),
                between("payment_count", 0, 10_000_000),
                between("net_amount_gbp", -100_000_000, 5_000_000_000),
            ],
        ),
        Batch(
            name="mart_spend_over_500_monthly__matches_payments",
            description=(
                "For each of the region's bodies (councils and combined authority), the monthly mart adds "
                "up to its payments in fct_spend500_payment, to the penny, and counts every payment line "
                "once (those of £500 or more, and those below)."
            ),
            query="""
                with bodies as (
                    select distinct body_code as area_code from intermediate.int_region_payment_bodies
                ),
                payments as (
                    select area_code, count(*) as payment_count,
                        sum(net_amount_gbp) filter (where is_over_500) as net_amount_gbp
                    from marts.fct_spend500_payment
                    where area_code in (select area_code from bodies)
                    group by 1
                ),
                monthly as (
                    select area_code, sum(payment_count + below_500_payment_count) as payment_count,
                        sum(net_amount_gbp) as net_amount_gbp
                    from marts.spend_over_500_monthly where value_status = 'published' group by 1
                )
                select coalesce(p.area_code, m.area_code) as area_code,
                    coalesce(m.payment_count, 0) - coalesce(p.payment_count, 0) as payment_count_difference,
                    coalesce(m.net_amount_gbp, 0) - coalesce(p.net_amount_gbp, 0) as net_amount_difference_gbp
                from payments p full join monthly m using (area_code)
            """,
            skip_if_empty=True,
            expectations=lambda: [
                between("payment_count_difference", 0, 0),
                between("net_amount_difference_gbp", 0, 0),
            ],
        ),
        Batch(
            name="mart_payment_coverage",
            description=(
                "Every council of the region and its combined authority in every month of each year held, "
                "each month held or named as not held with a reason."
            ),
            query="""
                select c.*, (select count(distinct body_code) from intermediate.int_region_payment_bodies)
                    - count(distinct c.area_code) over () as bodies_missing
                from marts.payment_coverage c
            """,
            skip_if_empty=True,
            expectations=lambda: [
                unique("area_code", "payment_month"),
                in_set("coverage_status", ["held", "not_held"]),
                between("bodies_missing", 0, 0),
                between("files_held", 0, 10),
            ],
        ),
        Batch(
            name="mart_payments_vs_outturn",
            description="Payments against RSX outturn: one row per body, year and line, each with a status.",
            query="select * from marts.payments_vs_outturn",
            skip_if_empty=True,
            expectations=lambda: [
                unique("area_code", "financial_year", "service_code"),
                not_null("reconciliation_status"),
                between("months_held", 0, 12),
                between("below_500_share", 0, 1),
                between("share_of_gross_expenditure", -1, 100),
            ],
        ),
        Batch(
            name="mart_suppliers_across_bodies",
            description="Suppliers paid by two or more of the region's bodies, named by normalised name only.",
            query="select * from marts.suppliers_across_bodies",
            skip_if_empty=True,
            expectations=lambda: [
                unique("supplier_name_normalised", "financial_year"),
                not_null("supplier_name_normalised"),
                between("body_count", 2, 20),
                between("payment_count", 1, 10_000_000),
            ],
        ),
        Batch(
            name="mart_top_suppliers",
            description="At most ten ranked suppliers per body, year and theme; redacted payees unnamed and unranked.",
            query="""
                select *, (is_redacted_payees and (supplier_name_normalised is not null or supplier_rank is not null))
                    as names_a_redacted_payee
                from marts.top_suppliers
            """,
            skip_if_empty=True,
            expectations=lambda: [
                between("supplier_rank", 1, 10),
                in_set("names_a_redacted_payee", [False]),
                between("share_of_theme", -1, 1.5),
            ],
        ),
        Batch(
            name="mart_spend_vs_outcomes",
            description="Spend per head beside outcomes.",
            query="select * from marts.spend_vs_outcomes",
            expectations=lambda: [
                rows_between(1, 1_000_000),
                between("outturn_per_head_gbp", MIN_PER_HEAD_GBP, MAX_PER_HEAD_GBP),
                not_null("indicator_code"),
                in_set("is_synthetic", [True, False]),
            ],
        ),
        *BENCHMARK_BATCHES,
        *COVERAGE_BATCHES,
    ),
)
