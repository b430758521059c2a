with

source as (

    select * from {{ source('ons_lad_region_lookup', 'ons_lad_region_lookup') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        region_code as ons_region_code,
        region_name as ons_region_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
