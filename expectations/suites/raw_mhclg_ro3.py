"""Raw suite for RO3 outturn (social care and public health lines): shape, codes, the form's own
identity (net = total expenditure - total income) and the England row."""

from expectations.checks import FINANCIAL_YEAR, GSS, STATUSES, Batch, Suite, between, in_set, matches, rows_between

MEASURE = r"^([a-z]+-)*(empl|run-exp|tot-exp|sfc|oth-inc|tot-inc|net-cur-exp)$"

SUITE = Suite(
    name="raw_mhclg_ro3",
    batches=(
        Batch(
            name="raw_mhclg_ro3",
            description=(
                "Every published cell of the RO3 by-authority sheet, one row per authority per line per "
                "measure; a stray text in a value cell is kept as 'unreadable' (at most a few a year)."
            ),
            query="select * from raw.mhclg_ro3",
            expectations=lambda: [
                rows_between(100_000, 2_000_000),
                matches("_period", FINANCIAL_YEAR),
                matches("ons_code", GSS, mostly=0.99),
                matches("item_code", r"^RO3-[a-z0-9]+-[a-z0-9-]+$"),
                matches("measure_code", MEASURE),
                in_set("value_status", (*STATUSES, "unreadable")),
                in_set("value_status", STATUSES, mostly=0.9999),
                between("value_gbp_thousands", -20_000_000, 200_000_000),
            ],
        ),
        Batch(
            name="raw_mhclg_ro3__net_is_expenditure_less_income",
            description=(
                "For each authority and line, net current expenditure (C7) equals total expenditure (C3) "
                "less total income (C6), to within £2 thousand, as the form defines it. The publisher's "
                "files breach it in about 0.3% of lines (2022-23 to 2024-25: 208 of 81,529), hence 'mostly' "
                "99%: a misread or mis-keyed column breaks it everywhere."
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
                )
                select *, net - (expenditure - income) as difference_gbp_thousands
                from lines where expenditure is not null and income is not null and net is not null
            """,
            expectations=lambda: [between("difference_gbp_thousands", -2, 2, mostly=0.99)],
        ),
        Batch(
            name="raw_mhclg_ro3__england_reconciles",
            description=(
                "The England row's adult social care total is at least the sum of the authorities that "
                "submitted, and not more than 10% above it (the publisher grosses up returns not submitted: "
                "7.4% in the 2023-24 first release, when 43 authorities had not submitted)."
            ),
            query="""
                with totals as (
                    select _period, _source_file,
                        max(_source_row) filter (where row_kind = 'england') as _source_row,
                        sum(value_gbp_thousands) filter (where row_kind = 'england') as england,
                        sum(value_gbp_thousands) filter (where row_kind = 'authority') as authorities
                    from raw.mhclg_ro3
                    where item_code = 'RO3-asctot-net-cur-exp'
                    group by 1, 2
                )
                select *, round(100 * (england - authorities) / england, 3) as gap_pct from totals
            """,
            expectations=lambda: [between("gap_pct", -0.5, 10.0)],
        ),
    ),
)
