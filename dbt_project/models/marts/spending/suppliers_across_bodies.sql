-- Suppliers paid by more than one of the region's public bodies (its councils and its combined
-- authority) in a financial year: payments of £500 or more, suppliers matched on their normalised
-- name (macro normalised_supplier_name: upper case, punctuation runs to one space, LTD as LIMITED;
-- nothing else merged). Redacted payees are never a supplier, so never here.
with

bodies as (

    select distinct
        body_code,
        body_name,
        body_type
    from {{ ref('int_region_payment_bodies') }}

),

payments as (

    select payments.*
    from {{ ref('fct_spend500_payment') }} as payments
    inner join bodies on payments.body_code = bodies.body_code
    where payments.is_over_500 and payments.supplier_name_normalised is not null

),

by_supplier as (

    select
        supplier_name_normalised,
        financial_year,
        count(distinct body_code) as body_count,
        count(distinct body_code) filter (where body_type = 'council') as council_count,
        bool_or(body_type = 'combined_authority') as is_paid_by_combined_authority,
        string_agg(distinct body_name, '; ' order by body_name) as body_names,
        count(*) as payment_count,
        sum(net_amount_gbp) as net_amount_gbp,
        count(distinct supplier_name) as published_name_count,
        min(supplier_name) as example_published_name
    from payments
    group by supplier_name_normalised, financial_year

)

select
    {{ surrogate_key(['supplier_name_normalised', 'financial_year']) }} as supplier_year_key,
    *
from by_supplier
where body_count > 1
