-- The ONS region each area of the build lies in: its districts, places and combined authority areas,
-- and each region itself: the regional comparator of an area is its own region's value.
with

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

mapped as (

    select
        area_code,
        ons_region_code

    from councils

    union

    select
        place_code as area_code,
        ons_region_code

    from councils

    union

    select
        combined_authority_code as area_code,
        ons_region_code

    from councils
    where combined_authority_code is not null

    union

    select
        ons_region_code as area_code,
        ons_region_code

    from councils

)

select * from mapped
where ons_region_code is not null
