"""Raw suite for the ASC-FR activity data: codes, ranges, councils against the England rows."""

from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

SUITE = Suite(
    name="raw_ascfr_activity",
    batches=(
        Batch(
            name="raw_ascfr_activity",
            description="One row per council (or region / England total) per data item.",
            query="select * from raw.ascfr_activity",
            expectations=lambda: [
                rows_between(5_000, 1_000_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("area_code", GSS),
                in_set("geography_level", ["council", "region", "england"]),
                in_set("value_status", STATUSES),
                between("item_value", 0, 10_000_000),
            ],
        ),
    ),
)
