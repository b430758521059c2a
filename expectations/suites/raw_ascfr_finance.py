"""Raw suite for the ASC-FR finance data: codes, ranges, and councils against the publisher's totals."""

from core.codes import ENGLAND_CODE
from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

SUITE = Suite(
    name="raw_ascfr_finance",
    batches=(
        Batch(
            name="raw_ascfr_finance",
            description="One row per council (or region / England total) per key combination per measure.",
            query="select * from raw.ascfr_finance",
            expectations=lambda: [
                rows_between(50_000, 2_000_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("area_code", GSS),
                in_set("geography_level", ["council", "region", "england"]),
                in_set("value_status", STATUSES),
                # one council's line is at most a few hundred million pounds (£ thousand)
                between("value_gbp_thousands", -2_000_000, 20_000_000),
            ],
        ),
        Batch(
            name="raw_ascfr_finance__councils_sum_to_published_totals",
            description=(
                "For every key combination and measure, the councils add up to the publisher's England "
                "row, and each region's councils to its region row (£ thousand, to rounding)."
            ),
            query=f"""
                with cells as (
                    select *, concat_ws('|', care_type_key, age_band_key, primary_support_reason_key,
                        support_setting_key, purpose_key, carer_support_type_key, data_type_key) as cell
                    from raw.ascfr_finance where value_status = 'published'
                ),
                england as (
                    select financial_year, cell, measure_code, '{ENGLAND_CODE}' as total_area,
                        sum(value_gbp_thousands) filter (where geography_level = 'council') as parts,
                        max(value_gbp_thousands) filter (where geography_level = 'england') as published_total,
                        max(_source_row) filter (where geography_level = 'england') as _source_row,
                        max(_source_file) as _source_file
                    from cells group by 1, 2, 3
                ),
                regions as (
                    select financial_year, cell, measure_code, region_code as total_area,
                        sum(value_gbp_thousands) filter (where geography_level = 'council') as parts,
                        max(value_gbp_thousands) filter (where geography_level = 'region') as published_total,
                        max(_source_row) filter (where geography_level = 'region') as _source_row,
                        max(_source_file) as _source_file
                    from cells where region_code <> '{ENGLAND_CODE}' group by 1, 2, 3, 4
                )
                select *, parts - published_total as difference_gbp_thousands
                from (select * from england union all select * from regions)
                where published_total is not null
            """,
            expectations=lambda: [rows_between(1, 10_000_000), between("difference_gbp_thousands", -1, 1)],
        ),
    ),
)
