"""Raw suite for the district -> ONS region lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lad_region_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_region_lookup",
            description="One row per district of England, each in one of the nine regions.",
            query="select * from raw.ons_lad_region_lookup",
            expectations=lambda: [
                rows_between(250, 350),
                matches("region_code", r"^E12\d{6}$"),
                unique("lad_code"),
            ],
        ),
        Batch(
            name="raw_ons_lad_region_lookup__regions",
            description="Nine regions, each of 10 to 80 districts.",
            query="select region_code, count(*) as districts from raw.ons_lad_region_lookup group by 1",
            expectations=lambda: [rows_between(9, 9), between("districts", 10, 80)],
        ),
    ),
)
