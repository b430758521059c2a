-- The districts of the region this warehouse builds, each with the place its money counts in, the
-- combined authority it belongs to, its ONS region, its main integrated care board (the ICB with
-- most of the district's registered patients in NHS England's practice-level populations, latest
-- year; its GSS code from ONS's LSOA to ICB lookup), and the police force area and fire and rescue
-- authority area it lies in (ONS lookups).
--
-- A region lists its councils (regions/<name>.yml, loaded as raw.region_definitions): each is a
-- place of its own, in the region file's combined authority and ONS region. A region whose places
-- are derived (England) takes every English district with its place and combined authority as
-- int_english_districts_mapped maps them.
with

regions as (

    select * from {{ ref('stg_meta__regions') }}
    where is_current_region

),

listed as (

    select * from {{ ref('stg_meta__region_councils') }}
    where is_current_region

),

practice_weights as (

    select * from {{ ref('int_practice_weights_remapped') }}
    where component_code = 'registered'

),

icb_lookup as (

    select * from {{ ref('stg_ons_lsoa_icb_lookup__lsoas') }}

),

police_lookup as (

    select * from {{ ref('stg_ons_lad_pfa_lookup__memberships') }}

),

fire_lookup as (

    select * from {{ ref('stg_ons_lad_fra_lookup__memberships') }}

),

cauth_lookup as (

    select * from {{ ref('stg_ons_lad_cauth_lookup__memberships') }}

),

-- a listed council is a place of its own
listed_members as (

    select
        listed.area_code,
        listed.area_name,
        listed.area_code as place_code,
        listed.area_name as place_name,
        listed.combined_authority_code,
        listed.combined_authority_name,
        listed.combined_authority_code as combined_authority_agency_code,
        listed.ons_region_code,
        listed.ons_region_name,
        cauth_lookup.vintage_year,
        listed.locality_source

    from listed
    left join cauth_lookup
        on listed.area_code = cauth_lookup.area_code

),

derived_members as (

    select
        english.area_code,
        english.area_name,
        english.place_code,
        english.place_name,
        english.combined_authority_code,
        english.combined_authority_name,
        english.combined_authority_agency_code,
        english.ons_region_code,
        english.ons_region_name,
        english.vintage_year,
        null as locality_source

    from {{ ref('int_english_districts_mapped') }} as english
    inner join regions
        on regions.places = 'derived'

),

members as (

    select * from listed_members
    union all
    select * from derived_members

),

district_icbs as (

    select
        area_code,
        icb_ods_code,
        max(icb_name) as icb_name,
        sum(weighted_population) as registered_patients

    from practice_weights
    where financial_year = (select max(latest.financial_year) from practice_weights as latest)
    group by 1, 2

),

main_icb as (

    select *
    from district_icbs
    qualify row_number() over (partition by area_code order by registered_patients desc, icb_ods_code asc) = 1

),

icb_codes as (

    select distinct
        icb_ods_code,
        icb_code

    from icb_lookup

),

final as (

    select
        members.area_code,
        members.area_name,
        members.place_code,
        members.place_name,
        members.combined_authority_code,
        members.combined_authority_name,
        members.combined_authority_agency_code,
        members.ons_region_code,
        members.ons_region_name,
        icb_codes.icb_code,
        main_icb.icb_ods_code,
        main_icb.icb_name,
        police_lookup.police_force_area_code,
        police_lookup.police_force_area_name,
        fire_lookup.fire_authority_area_code,
        fire_lookup.fire_authority_area_name,
        members.vintage_year,
        members.locality_source

    from members
    left join main_icb
        on members.area_code = main_icb.area_code
    left join icb_codes
        on main_icb.icb_ods_code = icb_codes.icb_ods_code
    left join police_lookup
        on members.area_code = police_lookup.area_code
    left join fire_lookup
        on members.area_code = fire_lookup.area_code

)

select * from final
