-- The ONS region of every English authority whose money a build places in its places, from the
-- national lookups (so the same in every build): a district, unitary or London borough by the
-- district to region lookup; a county council, a police and crime commissioner, a fire and rescue
-- authority and a combined authority by the region of their districts; the Greater London
-- Authority, which MHCLG files under London's region code, is that region. body_type is the kind
-- of body the marts count it as (seed spend_body_types).
with

regions as (

    select * from {{ ref('stg_ons_lad_region_lookup__memberships') }}

),

counties as (

    select * from {{ ref('stg_ons_lad_utla_lookup__memberships') }}
    qualify vintage_year = max(vintage_year) over ()

),

police as (

    select * from {{ ref('stg_ons_lad_pfa_lookup__memberships') }}

),

fire as (

    select * from {{ ref('stg_ons_lad_fra_lookup__memberships') }}

),

combined_authorities as (

    select * from {{ ref('stg_ons_lad_cauth_lookup__memberships') }}

),

bodies as (

    select
        regions.area_code as authority_code,
        regions.area_code as district_code,
        'council' as body_type,
        coalesce(counties.upper_tier_area_code, regions.area_code) as place_code
    from regions
    left join counties
        on regions.area_code = counties.area_code

    union all

    select
        upper_tier_area_code as authority_code,
        area_code as district_code,
        'council' as body_type,
        upper_tier_area_code as place_code
    from counties
    where upper_tier_area_code like 'E10%'

    union all

    select
        police_force_area_code as authority_code,
        area_code as district_code,
        'police' as body_type,
        null as place_code
    from police

    union all

    select
        fire_authority_area_code as authority_code,
        area_code as district_code,
        'fire' as body_type,
        null as place_code
    from fire

    union all

    select
        combined_authority_code as authority_code,
        area_code as district_code,
        'combined_authority' as body_type,
        null as place_code
    from combined_authorities

),

mapped as (

    select
        bodies.authority_code,
        bodies.body_type,
        min(bodies.place_code) as place_code,
        min(regions.ons_region_code) as ons_region_code,
        count(distinct regions.ons_region_code) as region_count

    from bodies
    inner join regions
        on bodies.district_code = regions.area_code
    group by bodies.authority_code, bodies.body_type

),

region_bodies as (

    -- a strategic authority files its returns under its region's code (the Greater London Authority)
    select
        returns_code as authority_code,
        'combined_authority' as body_type,
        null as place_code,
        parent_area_code as ons_region_code,
        1 as region_count

    from {{ ref('reference_areas') }}
    where area_type = 'strategic_authority' and returns_code is not null

),

final as (

    select * from mapped

    union all

    select * from region_bodies

)

select * from final
