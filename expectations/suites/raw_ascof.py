"""Raw suite for the ASCOF measures: codes, statuses, ranges, and outcomes against their parts."""

from core.codes import ENGLAND_CODE
from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

MEASURE_TYPES = ["Numerator", "Denominator", "Outcome", "Base", "Margin of Error"]

SUITE = Suite(
    name="raw_ascof",
    batches=(
        Batch(
            name="raw_ascof",
            description="One row per area, measure, disaggregation and measure type for a financial year.",
            query="select * from raw.ascof",
            expectations=lambda: [
                rows_between(10, 200_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("_period", r"^\d{4}-\d{2}(_to_\d{4}-\d{2})?$"),
                matches("area_code", GSS),  # null only on council-type rows (the parser checks)
                matches("measure_code", r"^[1-6][A-Z][0-9A-Z()]*$"),
                in_set("measure_type", MEASURE_TYPES),
                in_set("value_status", STATUSES),
            ],
        ),
        Batch(
            name="raw_ascof__outcomes",
            description="Outcomes lie between 0 and 100,000 (the largest scale is per 100,000 population).",
            query="select * from raw.ascof where measure_type = 'Outcome'",
            expectations=lambda: [between("value", 0, 100_000)],
        ),
        Batch(
            name="raw_ascof__counts",
            description="Numerators and denominators are counts: not negative, and a denominator is never 0.",
            query="select * from raw.ascof where measure_type in ('Numerator', 'Denominator')",
            expectations=lambda: [between("value", 0, None)],
        ),
        Batch(
            name="raw_ascof__outcome_is_numerator_over_denominator",
            description=(
                "For the count-based measures the published outcome is numerator / denominator x 100,000 "
                "(2B, 2C: admissions per 100,000) or x 100 (2D: percentage), to within 0.1, where all "
                "three are published."
            ),
            query="""
                with parts as (
                    select financial_year, _source_file, geographical_code, area_code, measure_code,
                        disaggregation_level,
                        max(value) filter (where measure_type = 'Numerator') as numerator,
                        max(value) filter (where measure_type = 'Denominator') as denominator,
                        max(value) filter (where measure_type = 'Outcome') as outcome,
                        max(_source_row) filter (where measure_type = 'Outcome') as _source_row,
                        case when measure_code = '2D' then 100 else 100000 end as scale
                    from raw.ascof
                    where measure_code in ('2B', '2C', '2D') and value_status = 'published'
                    group by all
                )
                select *, outcome - numerator / denominator * scale as difference
                from parts
                where numerator is not null and denominator > 0 and outcome is not null
            """,
            skip_if_empty=True,  # the republished long table holds outcomes only
            expectations=lambda: [between("difference", -0.1, 0.1)],
        ),
        Batch(
            name="raw_ascof__linked_series_every_year",
            description=(
                "Each linked series (seed ascof_measure_links) has an England value every year the file "
                "covers, across the 2023-24 renumbering, except the 2020-21 survey gap of 1A."
            ),
            query=f"""
                with years as (select distinct financial_year from raw.ascof),
                codes as (
                    select financial_year, measure_code from raw.ascof
                    where area_code = '{ENGLAND_CODE}' and measure_type = 'Outcome' and disaggregation_level = 'Total'
                )
                select years.financial_year,
                    count(*) filter (where codes.measure_code in ('2A2', '2C')) as older_admissions,
                    count(*) filter (where codes.measure_code in ('2B1', '2D1')) as reablement
                from years left join codes using (financial_year)
                group by 1
            """,
            expectations=lambda: [between("older_admissions", 1, 1), between("reablement", 1, 1)],
        ),
    ),
)
