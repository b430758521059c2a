"""Raw suite for the RO multi-year data set (live mode; empty in the bundled run)."""

from expectations.checks import FINANCIAL_YEAR, STATUSES, Batch, Suite, between, in_set, matches, rows_between

SUITE = Suite(
    name="raw_mhclg_ro_timeseries",
    batches=(
        Batch(
            name="raw_mhclg_ro_timeseries",
            description="RS form items, one row per authority per year per item.",
            query="select * from raw.mhclg_ro_timeseries",
            skip_if_empty=True,
            expectations=lambda: [
                rows_between(1, 5_000_000),
                matches("financial_year", FINANCIAL_YEAR),
                matches("item_code", r"^RS_[a-z0-9]+_.+$"),
                in_set("value_status", STATUSES),
                between("value_gbp_thousands", -100_000_000, 300_000_000),
            ],
        ),
        Batch(
            name="raw_mhclg_ro_timeseries__service_lines_reconcile",
            description="Service lines' net expenditure adds up to RS_totsx_net_exp per authority and year.",
            skip_if_empty=True,
            query="""
                with lines as (
                    select financial_year, ons_code, _source_file, min(_source_row) as _source_row,
                        sum(value_gbp_thousands) filter (where item_code in (
                            'RS_edu_net_exp', 'RS_trans_net_exp', 'RS_csc_net_exp', 'RS_asc_net_exp',
                            'RS_phs_net_exp', 'RS_hous_net_exp', 'RS_cul_net_exp', 'RS_env_net_exp',
                            'RS_plan_net_exp', 'RS_pol_net_exp', 'RS_frs_net_exp', 'RS_cen_net_exp',
                            'RS_oth_net_exp')) as services,
                        max(value_gbp_thousands) filter (where item_code = 'RS_totsx_net_exp') as published_total
                    from raw.mhclg_ro_timeseries
                    where value_status = 'published'
                    group by 1, 2, 3
                )
                select *, services - published_total as difference_gbp_thousands
                from lines where published_total is not null and services is not null
            """,
            expectations=lambda: [between("difference_gbp_thousands", -20, 20, mostly=0.99)],
        ),
    ),
)
