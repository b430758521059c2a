with

source as (

    select * from {{ source('ons_lsoa_icb_lookup', 'ons_lsoa_icb_lookup') }}

),

renamed as (

    select
        lsoa_code,
        sicbl_code as sub_icb_location_code,
        sicbl_ods_code as sub_icb_location_ods_code,
        icb_code,
        icb_ods_code,
        icb_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
