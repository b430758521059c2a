"""Raw suite for the ONS mid-year population estimates."""

from core.codes import ENGLAND_CODE
from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_mid_year_estimates",
    batches=(
        Batch(
            name="raw_ons_mid_year_estimates",
            description="One row per area, mid-year and edition.",
            query="select * from raw.ons_mid_year_estimates",
            expectations=lambda: [
                rows_between(300, 100_000),
                matches("area_code", r"^[EWSNK]\d{8}$"),  # K04000001 England and Wales
                unique("area_code", "mid_year", "edition_year"),
                between("mid_year", 2001, 2100),
                between("population", 1, 70_000_000),
            ],
        ),
        Batch(
            name="raw_ons_mid_year_estimates__districts_sum_to_england",
            description=(
                "In every edition and year the English districts (metropolitan, London, unitary and "
                "non-metropolitan) add up to England's estimate (difference in people)."
            ),
            query=f"""
                select edition_year, mid_year,
                    sum(population) filter (where area_code similar to 'E0[6-9][0-9]{{6}}')
                    - max(population) filter (where area_code = '{ENGLAND_CODE}') as difference_count
                from raw.ons_mid_year_estimates
                group by 1, 2
            """,
            expectations=lambda: [rows_between(1, 1_000), between("difference_count", 0, 0)],
        ),
    ),
)
