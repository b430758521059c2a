-- The bodies that spend money in the place: each council, the combined authority, the police and
-- crime commissioner and fire and rescue authority serving the region's districts (where MHCLG's
-- returns have a row for them: a combined authority that is the fire authority files its fire
-- spend in its own row), and each ICB with GP practices in the region.
with

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

council_agencies as (

    select
        area_code as agency_code,
        area_name || ' council' as agency_name,
        'council' as agency_type,
        area_code as serves_area_code,
        null as ods_code

    from councils

    union all

    -- a county council serves its county (its shire districts' place)
    select distinct
        place_code as agency_code,
        place_name || ' county council' as agency_name,
        'council' as agency_type,
        place_code as serves_area_code,
        null as ods_code

    from councils
    where place_code <> area_code

),

combined_authority_agency as (

    select
        combined_authority_agency_code as agency_code,
        max(combined_authority_name) as agency_name,
        'combined_authority' as agency_type,
        combined_authority_code as serves_area_code,
        null as ods_code

    from councils
    where combined_authority_code is not null
    group by combined_authority_agency_code, combined_authority_code

),

returns as (

    select
        area_code,
        max(authority_name) as authority_name

    from {{ ref('int_council_spend_lines_unioned') }}
    where row_kind = 'authority'
    group by area_code

),

police_fire_agencies as (

    select distinct
        returns.area_code as agency_code,
        returns.authority_name as agency_name,
        'police' as agency_type,
        councils.police_force_area_code as serves_area_code,
        null as ods_code

    from councils
    inner join returns
        on councils.police_force_area_code = returns.area_code

    union all

    select distinct
        returns.area_code as agency_code,
        returns.authority_name as agency_name,
        'fire' as agency_type,
        councils.fire_authority_area_code as serves_area_code,
        null as ods_code

    from councils
    inner join returns
        on councils.fire_authority_area_code = returns.area_code

),

practice_weights as (

    select * from {{ ref('int_practice_weights_remapped') }}

),

region_icb_codes as (

    select distinct
        icb_code,
        icb_ods_code

    from councils

),

icb_agencies as (

    -- every ICB with GP practices in the region's districts: its money reaches the place even
    -- when the district is not in its main footprint (Birmingham has Black Country and North West
    -- London practices). Agencies are identified by ODS code, as NHS money is published.
    select
        practice_weights.icb_ods_code as agency_code,
        max(practice_weights.icb_name) as agency_name,
        'icb' as agency_type,
        max(region_icb_codes.icb_code) as serves_area_code,
        practice_weights.icb_ods_code as ods_code

    from practice_weights
    inner join councils
        on practice_weights.area_code = councils.area_code
    left join region_icb_codes
        on practice_weights.icb_ods_code = region_icb_codes.icb_ods_code
    group by practice_weights.icb_ods_code

),

unioned as (

    select * from council_agencies
    union all
    select * from combined_authority_agency
    union all
    select * from police_fire_agencies
    union all
    select * from icb_agencies

)

select * from unioned
