with

source as (

    select * from {{ source('wmca_spend', 'wmca_spend') }}

),

renamed as (

    select
        body_code as area_code,
        body_code,
        body_name,
        'combined_authority' as body_type,
        'Disclosure' as layout,
        'invoice' as payment_kind,
        payment_date,
        cast(date_trunc('month', payment_date) as date) as period_month,
        service as service_label,
        cast(null as varchar) as directorate,
        expense_code,
        expense_type,
        reference,
        supplier_id,
        supplier_name,
        false as is_redacted,  -- the WMCA names every payee it publishes
        net_amount_gbp,
        cast(null as decimal(18, 2)) as gross_amount_gbp,
        cast(null as decimal(18, 2)) as vat_gbp,
        {{ payment_lineage_columns('wmca_spend') }}

    from source

),

dated as (

    select
        *,
        {{ financial_year_of('period_month') }} as financial_year
    from renamed

)

select * from dated
