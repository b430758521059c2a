"""Raw suite for the Birmingham and Solihull ward -> care locality lookup."""

from expectations.checks import Batch, Suite, between, in_set, matches, rows_between, unique

SUITE = Suite(
    name="raw_bsol_ward_locality",
    batches=(
        Batch(
            name="raw_bsol_ward_locality",
            query="select * from raw.bsol_ward_locality",
            expectations=lambda: [
                rows_between(60, 120),
                matches("ward_code", r"^E05\d{6}$"),
                unique("ward_code"),
                in_set("la_code", ["E08000025", "E08000029"]),
            ],
        ),
        Batch(
            name="raw_bsol_ward_locality__localities",
            description="Birmingham has five care localities of 12 to 15 wards each.",
            query="""
                select locality_name, count(*) as wards from raw.bsol_ward_locality
                where la_code = 'E08000025' group by 1
            """,
            expectations=lambda: [
                rows_between(5, 5),
                in_set("locality_name", ["Central", "East", "North", "South", "West"]),
                between("wards", 10, 20),
            ],
        ),
    ),
)
