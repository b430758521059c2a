"""Raw suite for RO3 outturn (social care and public health lines): shape, codes, the form's own
identity (net = total expenditure - total income) and the England row."""

from core.codes import MHCLG_MEASURES, statuses
from expectations.checks import (
    FINANCIAL_YEAR,
    GSS,
    Batch,
    Suite,
    between,
    england_reconciles,
    in_set,
    matches,
    rows_between,
)

MEASURE = r"^([a-z]+-)*(" + "|".join(MHCLG_MEASURES) + ")$"  # seed mhclg_measures

SUITE = Suite(
    name="raw_mhclg_ro3",
    batches=(
        Batch(
            name="raw_mhclg_ro3",
            description=(
                "Every published cell of the RO3 by-authority sheet (about 200,000 a year), checked per year, "
                "item code and status (the cells' range, first file and row kept): codes, statuses, ranges; a "
                "stray text in a value cell is kept as 'unreadable' (a handful a year at most)."
            ),
            query="""
                select _period, item_code, measure_code, value_status,
                    min(_source_file) as _source_file, min(_source_row) as _source_row, count(*) as cells,
                    min(value_gbp_thousands) as lowest_gbp_thousands,
                    max(value_gbp_thousands) as highest_gbp_thousands
                from raw.mhclg_ro3
                group by all
            """,
            expectations=lambda: [
                rows_between(1_000, 100_000),
                matches("_period", FINANCIAL_YEAR),
                matches("item_code", r"^RO3-[a-z0-9]+-[a-z0-9-]+$"),
                matches("measure_code", MEASURE),
                in_set("value_status", statuses("publisher", "reader")),
                between("cells", 1, 500),
                between("lowest_gbp_thousands", -20_000_000, 200_000_000),
                between("highest_gbp_thousands", -20_000_000, 200_000_000),
            ],
        ),
        Batch(
            name="raw_mhclg_ro3__authorities",
            description=(
                "Each year holds the authorities' rows under their ONS codes (the England row included), "
                "each with every item once, and at most 10 unreadable cells."
            ),
            query="""
                select _period, ons_code, min(_source_file) as _source_file, min(_source_row) as _source_row,
                    count(*) - count(distinct item_code) as repeated_items,
                    count(*) filter (where value_status = 'unreadable') as unreadable_cells
                from raw.mhclg_ro3
                group by all
            """,
            expectations=lambda: [
                rows_between(300, 100_000),
                matches("ons_code", GSS, mostly=0.99),
                between("repeated_items", 0, 0),
                between("unreadable_cells", 0, 10),
            ],
        ),
        Batch(
            name="raw_mhclg_ro3__net_is_expenditure_less_income",
            description=(
                "For each authority and line, net current expenditure (C7) equals total expenditure (C3) "
                "less total income (C6), to within £2 thousand, as the form defines it. The publisher's "
                "files breach it in about 0.3% of lines (2022-23 to 2024-25: 208 of 81,529), hence "
                "at most 1% a year: a misread or mis-keyed column breaks it everywhere."
            ),
            query="""
                with lines as (
                    select _period, ons_code, service_code, _source_file, min(_source_row) as _source_row,
                        max(value_gbp_thousands) filter (where measure_code = 'tot-exp') as expenditure,
                        max(value_gbp_thousands) filter (where measure_code = 'tot-inc') as income,
                        max(value_gbp_thousands) filter (where measure_code = 'net-cur-exp') as net
                    from raw.mhclg_ro3
                    where value_status = 'published' and row_kind = 'authority'
                    group by all
                ),
                compared as (
                    select *, abs(net - (expenditure - income)) > 2 as breached
                    from lines where expenditure is not null and income is not null and net is not null
                )
                select _period, _source_file, min(_source_row) filter (where breached) as _source_row,
                    count(*) as lines, round(100.0 * count(*) filter (where breached) / count(*), 3) as breached_pct
                from compared
                group by all
            """,
            expectations=lambda: [between("breached_pct", 0, 1)],
        ),
        england_reconciles(
            "mhclg_ro3",
            "item_code = 'RO3-asctot-net-cur-exp'",
            max_gap_pct=10.0,
            description=(
                "The England row's adult social care total is at least the sum of the authorities that "
                "submitted, and not more than 10% above it (the publisher grosses up returns not submitted: "
                "7.4% in the 2023-24 first release, when 43 authorities had not submitted)."
            ),
        ),
    ),
)
