with

source as (

    select * from {{ source('meta', 'region_definitions') }}

),

renamed as (

    select distinct
        region_name,
        region_title,
        is_current as is_current_region,
        coalesce(places, 'listed') as places

    from source

)

select * from renamed
