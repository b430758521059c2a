"""Raw suite for OHID Fingertips indicator values."""

from expectations.checks import GSS, Batch, Suite, between, in_set, matches, not_null, rows_between

SUITE = Suite(
    name="raw_fingertips",
    batches=(
        Batch(
            name="raw_fingertips",
            description="One row per indicator per area per period per sex/age/category.",
            query="select * from raw.fingertips",
            expectations=lambda: [
                rows_between(10, 500_000),
                matches("area_code", GSS),
                in_set("indicator_id", [90366, 90362, 93721]),
                in_set("sex", ["Male", "Female", "Persons"]),
                not_null("period_end_date"),
            ],
        ),
        Batch(
            name="raw_fingertips__life_expectancy",
            description="Life expectancy and healthy life expectancy at birth are plausible ages.",
            query="select * from raw.fingertips where indicator_id in (90366, 90362) and value is not null",
            expectations=lambda: [between("value", 40, 95)],
        ),
        Batch(
            name="raw_fingertips__confidence_intervals",
            description="Each value lies inside its 95% confidence interval.",
            query="""
                select *, value >= lower_ci_95 and value <= upper_ci_95 as value_within_ci
                from raw.fingertips where value is not null and lower_ci_95 is not null and upper_ci_95 is not null
            """,
            expectations=lambda: [in_set("value_within_ci", [True])],
        ),
    ),
)
