with

source as (

    select * from {{ source('nhs_icb_allocations', 'nhs_icb_allocations') }}

),

renamed as (

    select
        financial_year,
        icb_ods_code,
        icb_name,
        region_code as nhs_region_code,
        region_name as nhs_region_name,
        sheet_name,
        stream_code,
        column_title,
        cast(allocation_gbp_thousands * 1000 as decimal(18, 0)) as allocation_gbp,
        value_status,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
