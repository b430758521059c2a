"""Raw suite for the December 2022 to April 2023 district lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lad_successor_lookup",
    batches=(
        Batch(
            name="raw_ons_lad_successor_lookup",
            description="One row per December 2022 district of the UK, each with the April 2023 district it became.",
            query="select * from raw.ons_lad_successor_lookup",
            expectations=lambda: [
                rows_between(300, 450),
                matches("predecessor_code", r"^[EWSN]\d{8}$"),
                matches("lad_code", r"^[EWSN]\d{8}$"),
                unique("predecessor_code"),
            ],
        ),
        Batch(
            name="raw_ons_lad_successor_lookup__merges",
            description="A 2023 district has 1 to 10 predecessors.",
            query="select lad_code, count(*) as predecessors from raw.ons_lad_successor_lookup group by 1",
            expectations=lambda: [between("predecessors", 1, 10)],
        ),
    ),
)
