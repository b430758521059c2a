-- Which of the region's bodies' payment disclosures are held, month by month: every council and
-- the combined authority for every month of each financial year any of them is held for. A month
-- not held is a row with coverage_status 'not_held' and the reason (seed spend500_not_held, else
-- "no file held"), never a zero.
with

bodies as (

    select * from {{ ref('int_region_payment_bodies') }}

),

not_held_reasons as (

    select * from {{ ref('spend500_not_held') }}

),

payments as (

    select * from {{ ref('fct_spend500_payment') }}

),

years as (

    select distinct {{ financial_year_of('file_month') }} as financial_year
    from bodies
    where file_month is not null

),

months as (

    select
        years.financial_year,
        cast(series.month_start as date) as payment_month
    from years,
        generate_series(
            {{ financial_year_start('years.financial_year') }},
            {{ financial_year_start('years.financial_year') }} + interval 11 month,
            interval 1 month
        ) as series (month_start)

),

body_list as (

    select distinct
        body_code,
        body_name,
        body_type
    from bodies

),

grid as (

    select
        body_list.*,
        months.financial_year,
        months.payment_month
    from body_list
    cross join months

),

month_payments as (

    select
        body_code,
        period_month,
        count(*) as payment_count,
        sum(net_amount_gbp) filter (where is_over_500) as net_amount_over_500_gbp
    from payments
    group by body_code, period_month

),

final as (

    select
        grid.body_code as area_code,
        grid.body_name as area_name,
        grid.body_type,
        grid.financial_year,
        grid.payment_month,
        case when bodies.files_held is not null then 'held' else 'not_held' end as coverage_status,
        coalesce(bodies.files_held, 0) as files_held,
        bodies.source_files,
        month_payments.payment_count,
        month_payments.net_amount_over_500_gbp,
        case
            when bodies.files_held is null
                then coalesce(
                    (
                        select any_value(reasons.reason)
                        from not_held_reasons as reasons
                        where
                            reasons.body_code = grid.body_code
                            and (reasons.from_month is null or grid.payment_month >= reasons.from_month)
                            and (reasons.to_month is null or grid.payment_month <= reasons.to_month)
                    ),
                    'No file held for this month'
                )
        end as not_held_reason
    from grid
    left join bodies
        on grid.body_code = bodies.body_code and grid.payment_month = bodies.file_month
    left join month_payments
        on
            grid.body_code = month_payments.body_code
            and grid.payment_month = month_payments.period_month
            and bodies.files_held is not null

)

select
    {{ surrogate_key(['area_code', 'payment_month']) }} as payment_coverage_key,
    *
from final
