"""Raw suite for RSX outturn: shape, codes, ranges, and the publisher's own totals."""

from core.codes import MHCLG_MEASURES, MHCLG_SERVICE_CODES
from expectations.checks import (
    FINANCIAL_YEAR,
    GSS,
    STATUSES,
    Batch,
    Suite,
    between,
    england_reconciles,
    in_set,
    matches,
    rows_between,
)

SUITE = Suite(
    name="raw_mhclg_rsx",
    batches=(
        Batch(
            name="raw_mhclg_rsx",
            description="Every published cell of RSX worksheet 2, one row per authority per service per measure.",
            query="select * from raw.mhclg_rsx",
            expectations=lambda: [
                rows_between(20_000, 1_000_000),
                matches("_period", FINANCIAL_YEAR),
                matches("ons_code", GSS, mostly=0.99),
                in_set("service_code", MHCLG_SERVICE_CODES),
                in_set("measure_code", MHCLG_MEASURES),
                in_set("value_status", STATUSES),
                between("value_gbp_thousands", -20_000_000, 200_000_000),
            ],
        ),
        Batch(
            name="raw_mhclg_rsx__service_lines_reconcile",
            description=(
                "For each authority, the 13 service lines' net current expenditure adds up to the "
                "published total service expenditure (totsx), to within rounding (£ thousand)."
            ),
            query="""
                with lines as (
                    select _period, ons_code, _source_file, min(_source_row) as _source_row,
                        sum(value_gbp_thousands) filter (where service_code <> 'totsx') as services,
                        max(value_gbp_thousands) filter (where service_code = 'totsx') as published_total
                    from raw.mhclg_rsx
                    where measure_code = 'net-cur-exp' and value_status = 'published'
                    group by 1, 2, 3
                )
                select *, services - published_total as difference_gbp_thousands
                from lines where published_total is not null
            """,
            expectations=lambda: [between("difference_gbp_thousands", -20, 20)],
        ),
        england_reconciles(
            "mhclg_rsx",
            "measure_code = 'net-cur-exp' and service_code = 'totsx'",
            max_gap_pct=5.0,
            description=(
                "The England row is at least the sum of the authorities that submitted, and not more "
                "than 5% above it (the publisher estimates returns that were not submitted)."
            ),
        ),
    ),
)
