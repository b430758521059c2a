with

source as (

    select * from {{ source('ons_lsoa_ward_lad_lookup', 'ons_lsoa_ward_lad_lookup') }}

),

renamed as (

    select
        lsoa_code,
        ward_code,
        ward_name,
        lad_code as area_code,
        lad_name as area_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
