"""Raw suite for the district -> combined authority lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lad_cauth_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_cauth_lookup",
            query="select * from raw.ons_lad_cauth_lookup",
            expectations=lambda: [
                rows_between(1, 500),
                matches("lad_code", r"^E0[6-9]\d{6}$"),
                matches("cauth_code", r"^E47\d{6}$"),
                unique("lad_code"),
            ],
        ),
        Batch(
            name="raw_ons_lad_cauth_lookup__members",
            description="A combined authority has two to fifteen member districts.",
            query="select cauth_code, count(*) as districts from raw.ons_lad_cauth_lookup group by 1",
            expectations=lambda: [between("districts", 2, 15)],
        ),
    ),
)
