with

source as (

    select * from {{ source('oflog_asc', 'oflog_asc') }}

),

renamed as (

    select
        financial_year,
        la_code as area_code,
        la_name as area_name,
        entity_name as authority_class_name,
        region as region_name,
        measure_code,
        measure_name,
        cast(value as double) as value,
        value_status,
        value_text,
        cast(median_value as double) as national_median_value,
        cast(mads_from_median as double) as mads_from_median,
        lower(rank_order) as rank_order,
        {{ lineage_columns() }}

    from source

)

select * from renamed
