"""Raw suite for the district -> integrated care board lookup."""

from expectations.checks import Batch, Suite, matches, rows_between

SUITE = Suite(
    name="raw_ons_lad_icb_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_icb_lookup",
            query="select * from raw.ons_lad_icb_lookup",
            expectations=lambda: [
                rows_between(1, 1_000),
                matches("lad_code", r"^E0[6-9]\d{6}$"),
                matches("icb_code", r"^E54\d{6}$"),
                matches("icb_ods_code", r"^Q[A-Z0-9]{2}$"),
            ],
        ),
    ),
)
