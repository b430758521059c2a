"""Raw suite for the district -> fire and rescue authority lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lad_fra_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_fra_lookup",
            description="One row per district of England and Wales, each in one fire and rescue authority area.",
            query="select * from raw.ons_lad_fra_lookup",
            expectations=lambda: [
                rows_between(300, 400),
                matches("fra_code", r"^(E31|W25)\d{6}$"),
                unique("lad_code"),
            ],
        ),
        Batch(
            name="raw_ons_lad_fra_lookup__authorities",
            description="Each fire and rescue authority area has 1 to 40 districts.",
            query="select fra_code, count(*) as districts from raw.ons_lad_fra_lookup group by 1",
            expectations=lambda: [rows_between(40, 60), between("districts", 1, 40)],
        ),
    ),
)
