with

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

-- the areas the build reports on: its places, their districts and its combined authority areas
region as (

    select area_code as region_area_code from {{ ref('int_region_councils_filtered') }}
    union
    select place_code from {{ ref('int_region_councils_filtered') }}
    union
    select combined_authority_code from {{ ref('int_region_councils_filtered') }}
    where combined_authority_code is not null

),

lookup_vintage as (

    select cast(max(councils.vintage_year) as varchar) as vintage_year
    from {{ ref('int_region_councils_filtered') }} as councils

),

with_unknown as (

    select
        areas.area_code,
        areas.area_name,
        areas.area_type,
        areas.parent_area_code,
        areas.icb_code,
        areas.combined_authority_code,
        case when areas.area_type in ('local_authority', 'district') then {{ place_type('areas.area_code') }} end
            as place_type,
        areas.defined_by,
        case
            when areas.area_type in ('local_authority', 'combined_authority', 'district')
                then lookup_vintage.vintage_year
            when areas.area_type in ('locality', 'ward') then '2022'
        end as vintage

    from areas
    cross join lookup_vintage

    union all

    {{ unknown_member([
        ['area_code', "'UNKNOWN'"],
        ['area_name', "'Unknown area'"],
        ['area_type', "'unknown'"],
        ['parent_area_code', 'null'],
        ['icb_code', 'null'],
        ['combined_authority_code', 'null'],
        ['place_type', 'null'],
        ['defined_by', "'unknown member'"],
        ['vintage', 'null'],
    ]) }}

),

final as (

    select
        {{ surrogate_key(['area_code']) }} as area_key,
        area_code,
        area_name,
        area_type,
        parent_area_code,
        case when parent_area_code is not null then {{ surrogate_key(['parent_area_code']) }} end as parent_area_key,
        icb_code,
        combined_authority_code,
        place_type,
        area_code in (select region.region_area_code from region)
        or (
            area_type in ('locality', 'ward')
            and combined_authority_code in (select region.region_area_code from region)
        ) as is_in_region,
        vintage,
        defined_by

    from with_unknown

)

select * from final
