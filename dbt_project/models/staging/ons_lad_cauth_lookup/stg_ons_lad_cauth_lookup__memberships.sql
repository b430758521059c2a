with

source as (

    select * from {{ source('ons_lad_cauth_lookup', 'ons_lad_cauth_lookup') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        cauth_code as combined_authority_code,
        cauth_name as combined_authority_name,
        cast(vintage_year as integer) as vintage_year,
        {{ lineage_columns() }}

    from source

)

select * from renamed
