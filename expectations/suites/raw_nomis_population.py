"""Raw suite for ONS mid-year estimates via Nomis (live mode; empty in the bundled run)."""

from expectations.checks import GSS, Batch, Suite, between, matches, rows_between

SUITE = Suite(
    name="raw_nomis_population",
    batches=(
        Batch(
            name="raw_nomis_population",
            description="One row per geography per mid-year.",
            query="select * from raw.nomis_population",
            skip_if_empty=True,
            expectations=lambda: [
                rows_between(1, 100_000),
                matches("geography_code", GSS),
                between("mid_year", 2001, 2100),
                between("population", 1_000, 70_000_000),
            ],
        ),
    ),
)
