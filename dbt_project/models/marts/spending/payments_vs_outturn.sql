-- Payments set against outturn: for each of the region's bodies, financial year and RSX service
-- line, the payments of £500 or more it published (mapped to the line through its service labels)
-- beside the RSX revenue outturn for that line: gross (total) expenditure, running expenses and
-- employees. It tells an analyst how far the transaction data can be trusted for a service.
--
-- What the payments should show: supplier payments are running expenses (RSX C2); pay (C1) is not
-- paid to suppliers. The £500 threshold hides the small payments, whose share of value is measured
-- where a body publishes them too (its own share; else the share measured across the region's
-- bodies that do). So the allowance for the threshold is running expenses × that share, and:
--   within_threshold           payments differ from running expenses by no more than the allowance
--   short_of_running_expenses  payments fall short by more (spending not paid through the published
--                              ledger: internal recharges, grants and transfers paid another way,
--                              or labels mapped elsewhere)
--   above_running_expenses     payments exceed running expenses by more (payments that are not this
--                              line's revenue spending: capital, pass-through, or labels mapped here)
--   above_total_expenditure    payments exceed the line's gross expenditure outright
--   not_comparable             no outturn figure (value_status), a year not fully held, or labels
--                              that map to no line (service_code null: shown so the totals add up)
-- The total row (service_code totsx) sets every payment, mapped or not, against total service
-- expenditure. Payments include capital where a body's file does; RSX is revenue only.
with

bodies as (

    select * from {{ ref('int_region_payment_bodies') }}

),

payments as (

    select * from {{ ref('fct_spend500_payment') }}

),

themes as (

    select * from {{ ref('int_payment_services_themed') }}

),

rsx as (

    select * from {{ ref('stg_mhclg_rsx__outturn_items') }}
    where measure_code in ('tot-exp', 'run-exp', 'empl')

),

region as (

    select distinct body_code from bodies

),

months_held as (

    select
        body_code,
        {{ financial_year_of('file_month') }} as financial_year,
        count(distinct file_month) as months_held
    from bodies
    where file_month is not null
    group by all

),

body_years as (

    select
        payments.body_code,
        any_value(payments.body_name) as body_name,
        any_value(payments.body_type) as body_type,
        payments.financial_year,
        count(*) filter (where not payments.is_over_500) as below_500_payments,
        sum(abs(payments.net_amount_gbp)) filter (where not payments.is_over_500) as below_500_gbp,
        sum(abs(payments.net_amount_gbp)) as all_gbp
    from payments
    inner join region on payments.body_code = region.body_code
    group by all

),

threshold_shares as (

    select
        body_years.*,
        -- region: the value share below £500 across the bodies that publish small payments
        sum(body_years.below_500_gbp) filter (where body_years.below_500_payments > 0)
            over (partition by body_years.financial_year)
        / nullif(
            sum(body_years.all_gbp) filter (where body_years.below_500_payments > 0)
                over (partition by body_years.financial_year),
            0
        )
            as region_below_500_share
    from body_years

),

lines as (

    select
        payments.body_code,
        payments.financial_year,
        themes.service_code,
        count(*) filter (where payments.is_over_500) as payment_count,
        coalesce(sum(payments.net_amount_gbp) filter (where payments.is_over_500), 0) as payments_over_500_gbp
    from payments
    left join themes
        on
            payments.body_code = themes.body_code
            and payments.service_label is not distinct from themes.service_label
    group by all

    union all

    select
        body_code,
        financial_year,
        'totsx' as service_code,
        count(*) filter (where is_over_500) as payment_count,
        coalesce(sum(net_amount_gbp) filter (where is_over_500), 0) as payments_over_500_gbp
    from payments
    group by all

),

outturn as (

    select
        area_code as body_code,
        financial_year,
        service_code,
        max(value_gbp_thousands) filter (where measure_code = 'tot-exp') * 1000 as total_expenditure_gbp,
        max(value_gbp_thousands) filter (where measure_code = 'run-exp') * 1000 as running_expenses_gbp,
        max(value_gbp_thousands) filter (where measure_code = 'empl') * 1000 as employees_gbp,
        min(value_status) filter (where measure_code = 'tot-exp') as outturn_value_status
    from rsx
    group by all

),

compared as (

    select
        lines.body_code as area_code,
        shares.body_name as area_name,
        shares.body_type,
        lines.financial_year,
        lines.service_code,
        service_lines.theme_code,
        coalesce(months_held.months_held, 0) as months_held,
        lines.payment_count,
        lines.payments_over_500_gbp,
        outturn.total_expenditure_gbp,
        outturn.running_expenses_gbp,
        outturn.employees_gbp,
        coalesce(outturn.outturn_value_status, 'not_loaded') as outturn_value_status,
        case when shares.below_500_payments > 0 then 'own' else 'region' end as below_500_share_basis,
        case
            when shares.below_500_payments > 0 then shares.below_500_gbp / nullif(shares.all_gbp, 0)
            else shares.region_below_500_share
        end as below_500_share
    from lines
    inner join threshold_shares as shares
        on lines.body_code = shares.body_code and lines.financial_year = shares.financial_year
    left join months_held
        on lines.body_code = months_held.body_code and lines.financial_year = months_held.financial_year
    left join outturn
        on
            lines.body_code = outturn.body_code
            and lines.financial_year = outturn.financial_year
            and lines.service_code = outturn.service_code
    left join {{ ref('mhclg_service_lines') }} as service_lines
        on lines.service_code = service_lines.service_code

),

flagged as (

    select
        *,
        round(payments_over_500_gbp / nullif(total_expenditure_gbp, 0), 4) as share_of_gross_expenditure,
        round(payments_over_500_gbp / nullif(running_expenses_gbp, 0), 4) as share_of_running_expenses,
        round(running_expenses_gbp * coalesce(below_500_share, 0), 2) as threshold_allowance_gbp,
        case
            when
                service_code is null
                or outturn_value_status <> 'published'
                or months_held < 12
                or total_expenditure_gbp is null
                then 'not_comparable'
            when payments_over_500_gbp > total_expenditure_gbp then 'above_total_expenditure'
            when
                abs(running_expenses_gbp - payments_over_500_gbp)
                <= running_expenses_gbp * coalesce(below_500_share, 0)
                then 'within_threshold'
            when payments_over_500_gbp > running_expenses_gbp then 'above_running_expenses'
            else 'short_of_running_expenses'
        end as reconciliation_status
    from compared

)

select
    {{ surrogate_key(['area_code', 'financial_year', 'service_code']) }} as payments_vs_outturn_key,
    *
from flagged
