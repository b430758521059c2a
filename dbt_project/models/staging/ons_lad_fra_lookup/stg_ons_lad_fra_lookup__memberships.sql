with

source as (

    select * from {{ source('ons_lad_fra_lookup', 'ons_lad_fra_lookup') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        fra_code as fire_authority_area_code,
        fra_name as fire_authority_area_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
