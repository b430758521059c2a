"""Raw suite for Oflog's nearest-neighbour groups."""

from expectations.checks import GSS, Batch, Suite, between, matches, not_null, rows_between, unique

SUITE = Suite(
    name="raw_oflog_nearest_neighbours",
    batches=(
        Batch(
            name="raw_oflog_nearest_neighbours",
            description="One row per council and member of its nearest-neighbour group, each member once.",
            query="select * from raw.oflog_nearest_neighbours",
            expectations=lambda: [
                rows_between(4_000, 8_000),
                matches("la_code", GSS),
                matches("neighbour_code", GSS),
                not_null("is_self"),
                unique("la_code", "neighbour_code"),
            ],
        ),
        Batch(
            name="raw_oflog_nearest_neighbours__groups",
            description="Each council's group holds the council itself once and at most 20 members in all.",
            query="""
                select la_code, count(*) as members, count(*) filter (where is_self) as self_entries
                from raw.oflog_nearest_neighbours group by la_code
            """,
            expectations=lambda: [rows_between(300, 400), between("members", 1, 20), between("self_entries", 1, 1)],
        ),
    ),
)
