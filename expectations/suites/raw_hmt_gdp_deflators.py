"""Raw suite for HM Treasury's GDP deflators: one base year per edition with an index of 100,
forecast years after every outturn year, plausible indices and growth rates."""

from expectations.checks import FINANCIAL_YEAR, Batch, Suite, between, in_set, matches, rows_between, unique

SUITE = Suite(
    name="raw_hmt_gdp_deflators",
    batches=(
        Batch(
            name="raw_hmt_gdp_deflators",
            description="One row per edition and financial year: the index (published or chained) and its growth.",
            query="select * from raw.hmt_gdp_deflators",
            expectations=lambda: [
                rows_between(20, 1_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("base_year", FINANCIAL_YEAR),
                matches("edition", r"^\d{4}-\d{2}$"),
                in_set("index_basis", ["published", "chained"]),
                unique("edition", "financial_year"),
                between("deflator_index", 0.1, 1_000),
                between("growth_pct", -20, 30),
            ],
        ),
        Batch(
            name="raw_hmt_gdp_deflators__editions",
            description="Each edition has one base year, indexed 100, and its forecasts follow its outturn.",
            query="""
                select edition,
                    count(distinct base_year) as base_years,
                    max(deflator_index) filter (where financial_year = base_year) as base_index,
                    coalesce(min(financial_year) filter (where is_forecast), '9999')
                        > max(financial_year) filter (where not is_forecast) as forecasts_follow_outturn
                from raw.hmt_gdp_deflators
                group by edition
            """,
            expectations=lambda: [
                between("base_years", 1, 1),
                between("base_index", 100, 100),
                in_set("forecasts_follow_outturn", [True]),
            ],
        ),
    ),
)
