with

source as (

    select * from {{ source('ons_lad_icb_lookup', 'ons_lad_icb_lookup') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        icb_code,
        icb_ods_code,
        icb_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
