-- The ten largest suppliers of each of the region's bodies by financial year and service theme
-- (payments of £500 or more, suppliers by normalised name; theme from the body's service labels,
-- NULL where a label is unmapped). Payments to redacted payees are one row per body, year and
-- theme (is_redacted_payees): counted and summed, never named or ranked.
with

bodies as (

    select distinct body_code
    from {{ ref('int_region_payment_bodies') }}

),

payments as (

    select payments.*
    from {{ ref('fct_spend500_payment') }} as payments
    inner join bodies on payments.body_code = bodies.body_code
    where payments.is_over_500

),

themes as (

    select * from {{ ref('int_payment_services_themed') }}

),

themed as (

    select
        payments.*,
        themes.theme_code
    from payments
    left join themes
        on
            payments.body_code = themes.body_code
            and payments.service_label is not distinct from themes.service_label

),

by_supplier as (

    select
        area_code,
        body_name as area_name,
        body_type,
        financial_year,
        theme_code,
        supplier_name_normalised,
        is_redacted as is_redacted_payees,
        count(*) as payment_count,
        sum(net_amount_gbp) as net_amount_gbp
    from themed
    where supplier_name_normalised is not null or is_redacted
    group by all

),

ranked as (

    select
        *,
        case
            when not is_redacted_payees
                then row_number() over (
                    partition by area_code, financial_year, theme_code, is_redacted_payees
                    order by net_amount_gbp desc, supplier_name_normalised asc
                )
        end as supplier_rank,
        round(
            net_amount_gbp / nullif(sum(net_amount_gbp) over (partition by area_code, financial_year, theme_code), 0),
            4
        ) as share_of_theme
    from by_supplier

)

select
    {{ surrogate_key(['area_code', 'financial_year', 'theme_code', 'supplier_rank', 'is_redacted_payees']) }}
        as top_supplier_key,
    *
from ranked
where is_redacted_payees or supplier_rank <= 10
