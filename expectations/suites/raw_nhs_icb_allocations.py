"""Raw suite for ICB allocations: codes, streams and ranges (the workbook's own region and England
totals are checked against its ICB rows by the parser, which names the cell that disagrees)."""

from core.codes import NHS_STREAM_CODES
from expectations.checks import FINANCIAL_YEAR, STATUSES, Batch, Suite, between, in_set, matches, rows_between, unique

SUITE = Suite(
    name="raw_nhs_icb_allocations",
    batches=(
        Batch(
            name="raw_nhs_icb_allocations",
            description="One row per ICB per funding stream per financial year (£ thousand).",
            query="select * from raw.nhs_icb_allocations",
            expectations=lambda: [
                rows_between(42, 5_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("icb_ods_code", r"^Q[A-Z0-9]{2}$"),
                in_set("stream_code", list(NHS_STREAM_CODES)),
                in_set("value_status", STATUSES),
                unique("_period", "stream_code", "financial_year", "icb_ods_code"),
                # an ICB's core allocation is hundreds of millions to a few billion pounds (in £k)
                between("allocation_gbp_thousands", 0, 10_000_000),
                matches("sheet_name", r"Allocations?|Other Primary Care|running cost"),
            ],
        ),
        Batch(
            name="raw_nhs_icb_allocations__icbs_per_year",
            description="England has 42 ICBs: each stream and year lists every one of them.",
            query="""
                select stream_code, financial_year, count(distinct icb_ods_code) as icbs
                from raw.nhs_icb_allocations group by 1, 2
            """,
            expectations=lambda: [between("icbs", 42, 42)],
        ),
    ),
)
