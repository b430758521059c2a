"""Raw suite for the BCF 2022-23 end-of-year planned expenditure: shape, codes, statuses, ranges."""

from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

SUITE = Suite(
    name="raw_bcf_end_of_year",
    batches=(
        Batch(
            name="raw_bcf_end_of_year",
            description=(
                "One row per health and wellbeing board (and the publisher's Total) per scheme type, in "
                "pounds; the parser has already checked that the Total is the sum of the boards."
            ),
            query="select * from raw.bcf_end_of_year",
            expectations=lambda: [
                rows_between(100, 10_000),
                matches("_period", FINANCIAL_YEAR),
                matches("hwb_code", GSS),
                in_set("row_kind", ["board", "total"]),
                in_set("scheme_type", ["bed_based_intermediate_care", "reablement_at_home"]),
                in_set("value_status", STATUSES),
                between("planned_spend_gbp", 0, 5_000_000_000),
            ],
        ),
    ),
)
