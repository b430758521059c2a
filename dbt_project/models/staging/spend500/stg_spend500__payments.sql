with

source as (

    select * from {{ source('spend500', 'spend500') }}

),

renamed as (

    select
        council_code as area_code,
        council_name,
        layout,
        payment_kind,
        payment_date,
        {{ financial_year_of('payment_date') }} as financial_year,
        cast(date_trunc('month', payment_date) as date) as payment_month,
        service as service_label,
        expense_code,
        expense_type,
        reference,
        supplier_id,
        supplier_name,
        supplier_name_normalised,
        is_redacted,
        net_amount_gbp,
        gross_amount_gbp,
        vat_gbp,
        'spend500' as source_id,
        _source_file as source_file,
        _source_file_sha256 as source_file_sha256,
        _source_row as source_row

    from source

)

select * from renamed
