"""Raw suite for Better Care Fund plans: codes, ranges, and contributions against the plan totals."""

from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

CONTRIBUTIONS = ["minimum_icb", "additional_icb", "icb_discharge", "ibcf", "dfg", "additional_la", "la_discharge"]

SUITE = Suite(
    name="raw_bcf_plans",
    batches=(
        Batch(
            name="raw_bcf_plans",
            description="One row per health and wellbeing board per funding source per year (pounds).",
            query="select * from raw.bcf_plans",
            expectations=lambda: [
                rows_between(7, 100_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("hwb_code", GSS),
                in_set("contribution_code", [*CONTRIBUTIONS, "total_pooled_budget"]),
                in_set("value_status", STATUSES),
                # a single HWB's contribution is at most a few hundred million pounds
                between("amount_gbp", 0, 1_000_000_000),
            ],
        ),
        Batch(
            name="raw_bcf_plans__every_source_each_year",
            description="Every board lists every funding source each year (a gap would understate the pool).",
            query="""
                select financial_year, hwb_code, count(distinct contribution_code) as sources
                from raw.bcf_plans where contribution_code <> 'total_pooled_budget' group by 1, 2
            """,
            expectations=lambda: [between("sources", len(CONTRIBUTIONS), len(CONTRIBUTIONS))],
        ),
        Batch(
            name="raw_bcf_plans__contributions_sum_to_plan_totals",
            description="Each board's funding sources add up to its published total pooled budget (to £1).",
            query="""
                select financial_year, hwb_code, _source_file, max(_source_row) as _source_row,
                    sum(amount_gbp) filter (where contribution_code <> 'total_pooled_budget') as contributions,
                    max(amount_gbp) filter (where contribution_code = 'total_pooled_budget') as published_total,
                    sum(amount_gbp) filter (where contribution_code <> 'total_pooled_budget')
                        - max(amount_gbp) filter (where contribution_code = 'total_pooled_budget') as difference_gbp
                from raw.bcf_plans group by 1, 2, 3
                having max(amount_gbp) filter (where contribution_code = 'total_pooled_budget') is not null
            """,
            expectations=lambda: [rows_between(1, 100_000), between("difference_gbp", -1, 1)],
        ),
    ),
)
