"""Raw suite for the RA budget: shape, codes, ranges, and the publisher's own totals."""

from expectations.checks import (
    FINANCIAL_YEAR,
    GSS,
    STATUSES,
    Batch,
    Suite,
    between,
    in_set,
    matches,
    not_null,
    rows_between,
)

SERVICE_TOTAL_LINES = "190, 290, 330, 360, 390, 490, 509, 590, 599, 601, 602, 690, 698"

SUITE = Suite(
    name="raw_mhclg_ra",
    batches=(
        Batch(
            name="raw_mhclg_ra",
            description="Every published cell of the RA data sheet, one row per authority per line.",
            query="select * from raw.mhclg_ra",
            expectations=lambda: [
                rows_between(50_000, 2_000_000),
                matches("_period", FINANCIAL_YEAR),
                matches("ons_code", GSS, mostly=0.99),  # Lee Valley Regional Park is published as E6803
                not_null("line_number"),
                between("line_number", 100, 5000),
                in_set("value_status", STATUSES),
                in_set("row_kind", ["authority", "england"]),
                between("value_gbp_thousands", -60_000_000, 200_000_000),
            ],
        ),
        Batch(
            name="raw_mhclg_ra__rows_per_period",
            description="Authorities per year: every English authority files an RA return.",
            query="select _period, count(distinct ons_code) as authorities from raw.mhclg_ra group by 1",
            expectations=lambda: [between("authorities", 350, 500)],
        ),
        Batch(
            name="raw_mhclg_ra__service_lines_reconcile",
            description=(
                "For each authority, the service totals (lines 190 ... 698) add up to the published "
                "TOTAL SERVICE EXPENDITURE (line 799), to within rounding (£ thousand)."
            ),
            query=f"""
                with lines as (
                    select _period, ons_code, _source_file, min(_source_row) as _source_row,
                        sum(value_gbp_thousands) filter (where line_number in ({SERVICE_TOTAL_LINES})) as services,
                        max(value_gbp_thousands) filter (where line_number = 799) as published_total
                    from raw.mhclg_ra
                    where value_status = 'published'
                    group by 1, 2, 3
                )
                select *, services - published_total as difference_gbp_thousands
                from lines where published_total is not null
            """,
            expectations=lambda: [between("difference_gbp_thousands", -20, 20)],
        ),
    ),
)
