with

source as (

    select * from {{ source('ons_lad_pfa_lookup', 'ons_lad_pfa_lookup') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        pfa_code as police_force_area_code,
        pfa_name as police_force_area_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
