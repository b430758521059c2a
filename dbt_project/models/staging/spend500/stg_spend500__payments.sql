with

source as (

    select * from {{ source('spend500', 'spend500') }}

),

renamed as (

    select
        council_code as area_code,
        council_code as body_code,
        council_name as body_name,
        'council' as body_type,
        layout,
        payment_kind,
        payment_date,
        -- the month a payment is accounted in: the council's ledger period where it publishes one
        -- (Coventry), else the payment date's month (rows loaded before period_month existed)
        coalesce(period_month, cast(date_trunc('month', payment_date) as date)) as period_month,
        service as service_label,
        directorate,
        expense_code,
        expense_type,
        reference,
        supplier_id,
        supplier_name,
        is_redacted,
        net_amount_gbp,
        gross_amount_gbp,
        vat_gbp,
        {{ payment_lineage_columns('spend500') }}

    from source

),

dated as (

    select
        *,
        {{ financial_year_of('period_month') }} as financial_year
    from renamed

)

select * from dated
