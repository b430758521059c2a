-- The payment marts add up the same payments: for each of the region's bodies and years, the
-- payments of £500 or more in spend_over_500_monthly, the total row (totsx) of payments_vs_outturn,
-- the sum of its lines (mapped and unmapped), and fct_spend500_payment itself agree to the penny.
with

monthly as (

    select
        area_code,
        financial_year,
        sum(net_amount_gbp) as monthly_gbp
    from {{ ref('spend_over_500_monthly') }}
    where value_status = 'published'
    group by 1, 2

),

reconciled as (

    select
        area_code,
        financial_year,
        sum(payments_over_500_gbp) filter (where service_code = 'totsx') as total_row_gbp,
        sum(payments_over_500_gbp) filter (where service_code is distinct from 'totsx') as lines_gbp
    from {{ ref('payments_vs_outturn') }}
    group by 1, 2

),

payments as (

    select
        area_code,
        financial_year,
        sum(net_amount_gbp) filter (where is_over_500) as payments_gbp
    from {{ ref('fct_spend500_payment') }}
    group by 1, 2

)

select
    monthly.*,
    reconciled.total_row_gbp,
    reconciled.lines_gbp,
    payments.payments_gbp
from monthly
inner join reconciled on monthly.area_code = reconciled.area_code and monthly.financial_year = reconciled.financial_year
inner join payments on monthly.area_code = payments.area_code and monthly.financial_year = payments.financial_year
where
    monthly.monthly_gbp != reconciled.total_row_gbp
    or reconciled.total_row_gbp != reconciled.lines_gbp
    or reconciled.total_row_gbp != coalesce(payments.payments_gbp, 0)
