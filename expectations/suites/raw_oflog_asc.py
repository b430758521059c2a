"""Raw suite for the Oflog adult social care measures."""

from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

SUITE = Suite(
    name="raw_oflog_asc",
    batches=(
        Batch(
            name="raw_oflog_asc",
            description="One row per council per year per measure.",
            query="select * from raw.oflog_asc",
            expectations=lambda: [
                rows_between(3_000, 20_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("la_code", GSS),
                in_set("measure_code", ["ASC1", "ASC2", "ASC3", "ASC4", "ASC5", "ASC6", "ASC7"]),
                in_set("value_status", STATUSES),
            ],
        ),
        Batch(
            name="raw_oflog_asc__percentages",
            description="Measures published as percentages lie between 0 and 100.",
            query="select * from raw.oflog_asc where measure_code in ('ASC3', 'ASC4', 'ASC5', 'ASC7')",
            expectations=lambda: [between("value", 0, 100)],
        ),
        Batch(
            name="raw_oflog_asc__scores",
            description="Quality-of-life scores lie on their scales (ASC1 0-12, ASC2 0-1).",
            query="""
                select *, case measure_code when 'ASC1' then value / 12 else value end as value_on_unit_scale
                from raw.oflog_asc where measure_code in ('ASC1', 'ASC2')
            """,
            expectations=lambda: [between("value_on_unit_scale", 0, 1)],
        ),
    ),
)
