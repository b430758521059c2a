"""Raw suite for ICB allocations: codes, ranges, and England's total against the sum of ICBs."""

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
                in_set("stream_code", ["core_services", "primary_medical_care", "running_costs"]),
                in_set("value_status", STATUSES),
                unique("_period", "stream_code", "financial_year", "icb_ods_code"),
                # an ICB's core allocation is hundreds of millions to a few billion pounds
                between("allocation_gbp_thousands", 0, 10_000_000),
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
