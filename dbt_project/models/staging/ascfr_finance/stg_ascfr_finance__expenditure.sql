with

source as (

    select * from {{ source('ascfr_finance', 'ascfr_finance') }}

),

renamed as (

    select
        financial_year,
        geography_level,
        cassr_code,
        area_code,
        region_code,
        care_type_key,
        age_band_key,
        primary_support_reason_key,
        support_setting_key,
        purpose_key,
        carer_support_type_key,
        data_type_key,
        measure_code,
        cast(value_gbp_thousands * 1000 as decimal(18, 2)) as amount_gbp,
        value_status,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
