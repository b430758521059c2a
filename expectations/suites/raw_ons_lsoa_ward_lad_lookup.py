"""Raw suite for the LSOA -> ward -> district lookup."""

from expectations.checks import Batch, Suite, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lsoa_ward_lad_lookup",
    batches=(
        Batch(
            name="raw_ons_lsoa_ward_lad_lookup",
            description="One row per LSOA (2021) of England and Wales, in one ward and one district.",
            query="select * from raw.ons_lsoa_ward_lad_lookup",
            expectations=lambda: [
                rows_between(30_000, 40_000),
                matches("lsoa_code", r"^[EW]01\d{6}$"),
                matches("ward_code", r"^[EW]05\d{6}$"),
                matches("lad_code", r"^[EW]0[6-9]\d{6}$"),
                unique("lsoa_code"),
            ],
        ),
    ),
)
