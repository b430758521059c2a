"""Raw suite for Census 2021 populations by district."""

from expectations.checks import GSS, Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_census_population",
    batches=(
        Batch(
            name="raw_ons_census_population",
            description="One row per district of England and Wales.",
            query="select * from raw.ons_census_population",
            expectations=lambda: [
                rows_between(300, 400),
                matches("lad_code", GSS),
                unique("lad_code"),
                between("census2021_usual_residents_rounded", 1_000, 2_000_000),
            ],
        ),
    ),
)
