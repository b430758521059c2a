with

source as (

    select * from {{ source('ons_lad_utla_lookup', 'ons_lad_utla_lookup') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        utla_code as upper_tier_area_code,
        utla_name as upper_tier_area_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
