with

source as (

    select * from {{ source('meta', 'region_definitions') }}

),

renamed as (

    select
        region_name,
        region_title,
        is_current as is_current_region,
        combined_authority_code,
        combined_authority_name,
        ons_region_code,
        ons_region_name,
        council_code as area_code,
        council_name as area_name,
        locality_source

    from source
    where council_code is not null  -- a region whose places are derived (England) lists none

)

select * from renamed
