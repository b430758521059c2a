"""Raw suite for the district -> upper-tier area lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lad_utla_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_utla_lookup",
            description="Per edition, one row per district of England and Wales, each in one upper-tier area.",
            query="select * from raw.ons_lad_utla_lookup",
            expectations=lambda: [
                rows_between(300, 800),
                matches("utla_code", r"^([EW]0[6-9]|E10)\d{6}$"),
                unique("vintage_year", "lad_code"),
            ],
        ),
        Batch(
            name="raw_ons_lad_utla_lookup__upper_tier",
            description="An upper-tier area has 1 to 15 districts; only a county (E10) has more than one.",
            query=(
                "select vintage_year, utla_code, count(*) as districts, "
                "count(*) filter (where utla_code not like 'E10%' and lad_code <> utla_code) as others "
                "from raw.ons_lad_utla_lookup group by vintage_year, utla_code"
            ),
            expectations=lambda: [rows_between(100, 500), between("districts", 1, 15), between("others", 0, 0)],
        ),
    ),
)
