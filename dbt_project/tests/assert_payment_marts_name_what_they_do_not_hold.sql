-- The payment marts never turn what is not held into a zero, and never name a redacted payee:
-- a row of spend_over_500_monthly has figures exactly when it is published; a month not held in
-- payment_coverage has no payments; top_suppliers' redacted payees' rows carry no name or rank;
-- suppliers_across_bodies holds only suppliers paid by two or more bodies.
select
    'spend_over_500_monthly' as mart,
    spend_month_key as row_key
from {{ ref('spend_over_500_monthly') }}
where (value_status = 'published') != (net_amount_gbp is not null and source_file_sha256s is not null)

union all

select
    'payment_coverage' as mart,
    payment_coverage_key as row_key
from {{ ref('payment_coverage') }}
where (coverage_status = 'not_held') != (payment_count is null and not_held_reason is not null)

union all

select
    'top_suppliers' as mart,
    top_supplier_key as row_key
from {{ ref('top_suppliers') }}
where is_redacted_payees and (supplier_name_normalised is not null or supplier_rank is not null)

union all

select
    'suppliers_across_bodies' as mart,
    supplier_year_key as row_key
from {{ ref('suppliers_across_bodies') }}
where body_count < 2
