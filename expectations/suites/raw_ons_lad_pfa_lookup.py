"""Raw suite for the district -> police force area lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lad_pfa_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_pfa_lookup",
            description="One row per district of England and Wales, each in one police force area.",
            query="select * from raw.ons_lad_pfa_lookup",
            expectations=lambda: [
                rows_between(300, 400),
                matches("pfa_code", r"^(E23|W15)\d{6}$"),
                unique("lad_code"),
            ],
        ),
        Batch(
            name="raw_ons_lad_pfa_lookup__forces",
            description="England and Wales have 43 police force areas, each of 1 to 40 districts.",
            query="select pfa_code, count(*) as districts from raw.ons_lad_pfa_lookup group by 1",
            expectations=lambda: [rows_between(43, 43), between("districts", 1, 40)],
        ),
    ),
)
