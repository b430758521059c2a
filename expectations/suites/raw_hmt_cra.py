"""Raw suite for HM Treasury's Country and Regional Analysis: codes, ranges, and the tables' own
arithmetic: the English regions add up to England, and the ten functions to each region's
identifiable total (the parser refuses a workbook that fails these, naming the cell; the suite
checks the loaded table too, so nothing that disagrees reaches the marts)."""

from core.codes import seed
from expectations.checks import FINANCIAL_YEAR, STATUSES, Batch, Suite, between, in_set, matches, rows_between, unique

FUNCTIONS = [r["function_code"] for r in seed("hmt_cra_functions")]
REGIONS = sorted({r["region_code"] for r in seed("hmt_cra_regions")})
ENGLISH = ", ".join(f"'{r['region_code']}'" for r in seed("hmt_cra_regions") if r["region_level"] == "english_region")
TOP_LEVEL = ", ".join(
    f"'{r['function_code']}'" for r in seed("hmt_cra_functions") if r["parent_function_code"] == "total"
)
# each figure is rounded to £1m: a sum of n parts may differ from its published total by n / 2
REGIONS_SLACK_GBP_M = 5
FUNCTIONS_SLACK_GBP_M = 6

SUITE = Suite(
    name="raw_hmt_cra",
    batches=(
        Batch(
            name="raw_hmt_cra",
            description="One row per table, region, function, spending type and year (£ million or £ per head).",
            query="select * from raw.hmt_cra",
            expectations=lambda: [
                rows_between(1_000, 20_000),
                matches("financial_year", FINANCIAL_YEAR),
                in_set("function_code", FUNCTIONS),
                in_set("region_code", REGIONS),
                in_set("measure", ["cash_gbp_m", "real_gbp_m", "per_head_gbp", "real_per_head_gbp"]),
                in_set("spending_scope", ["all", "local_government", "excluding_local_government"]),
                in_set("spending_type", ["total", "current", "capital"]),
                in_set("value_status", STATUSES),
                unique("_period", "table_code", "region_code", "spending_type", "financial_year"),
                # the UK's identifiable spending is under £1 trillion; a capital line can be negative
                between("value", -5_000, 1_000_000),
            ],
        ),
        Batch(
            name="raw_hmt_cra__regions_add_to_england",
            description="In every £ million table, block and year the nine English regions add up to England.",
            query=f"""
                select table_code, spending_type, financial_year, _period,
                    sum(value) filter (where region_code in ({ENGLISH}))
                    - max(value) filter (where region_code = 'E92000001') as gap_gbp_m
                from raw.hmt_cra
                where measure in ('cash_gbp_m', 'real_gbp_m')
                group by all
            """,
            expectations=lambda: [between("gap_gbp_m", -REGIONS_SLACK_GBP_M, REGIONS_SLACK_GBP_M)],
        ),
        Batch(
            name="raw_hmt_cra__functions_add_to_region_totals",
            description="For every region and year the ten functions add up to the identifiable total (table 9.1a).",
            query=f"""
                select region_code, financial_year, _period,
                    sum(value) filter (where function_code in ({TOP_LEVEL}))
                    - max(value) filter (where function_code = 'total') as gap_gbp_m
                from raw.hmt_cra
                where measure = 'cash_gbp_m' and spending_scope = 'all' and spending_type = 'total'
                group by all
            """,
            expectations=lambda: [between("gap_gbp_m", -FUNCTIONS_SLACK_GBP_M, FUNCTIONS_SLACK_GBP_M)],
        ),
    ),
)
