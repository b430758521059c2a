with

areas as (

    select * from {{ ref('int_areas_unioned') }}

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

with_unknown as (

    select
        area_code,
        area_name,
        area_type,
        parent_area_code,
        icb_code,
        combined_authority_code,
        defined_by,
        case
            when area_type in ('local_authority', 'combined_authority')
                then cast((select max(vintage_year) from councils) as varchar)
            when area_type in ('locality', 'ward') then '2022'
        end as vintage

    from areas

    union all

    select
        'UNKNOWN' as area_code,
        'Unknown area' as area_name,
        'unknown' as area_type,
        null as parent_area_code,
        null as icb_code,
        null as combined_authority_code,
        'unknown member' as defined_by,
        null as vintage

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
        area_code = '{{ var("region_code") }}'
            or combined_authority_code = '{{ var("region_code") }}' as is_in_region,
        vintage,
        defined_by

    from with_unknown

)

select * from final
