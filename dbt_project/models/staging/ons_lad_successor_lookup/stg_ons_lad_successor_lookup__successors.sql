with

source as (

    select * from {{ source('ons_lad_successor_lookup', 'ons_lad_successor_lookup') }}

),

renamed as (

    select
        predecessor_code as predecessor_area_code,
        predecessor_name as predecessor_area_name,
        lad_code as area_code,
        lad_name as area_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
