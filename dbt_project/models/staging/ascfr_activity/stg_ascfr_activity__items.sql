with

source as (

    select * from {{ source('ascfr_activity', 'ascfr_activity') }}

),

renamed as (

    select
        uuid as data_item_id,
        financial_year,
        geography_level,
        cassr_code,
        area_code,
        region_code,
        data_type_key,
        age_band_key,
        primary_support_reason_key,
        care_type_key,
        support_setting_key,
        purpose_key,
        activity_provision_key,
        item_value,
        value_status,
        value_text,
        {{ lineage_columns() }}

    from source

)

select * from renamed
