-- The districts of the region this warehouse builds, each with the place its money counts in, the
-- combined authority it belongs to, its ONS region, its main integrated care board (the ICB with
-- most of the district's registered patients in NHS England's practice-level populations, latest
-- year; its GSS code from ONS's LSOA to ICB lookup), and the police force area and fire and rescue
-- authority area it lies in (ONS lookups).
--
-- A region lists its councils (regions/<name>.yml, loaded as raw.region_definitions): each is a
-- place of its own, in the region file's combined authority and ONS region. A region whose places
-- are derived (England) takes every English district of ONS's lower to upper tier lookup (April
-- 2023 boundaries): its place is its upper-tier area (a shire district's is its county), its
-- combined authority is ONS's district to combined authority lookup (May 2023), or the strategic
-- authority of its ONS region (seed reference_areas: the Greater London Authority for London, whose
-- spend MHCLG's returns file under the London region's code, E12000007: combined_authority_agency_code).
with

regions as (

    select * from {{ ref('stg_meta__regions') }}
    where is_current_region

),

listed as (

    select * from {{ ref('stg_meta__region_councils') }}
    where is_current_region

),

upper_tier_editions as (

    select * from {{ ref('stg_ons_lad_utla_lookup__memberships') }}

),

-- the current edition (April 2023): one boundary vintage for every place
upper_tier as (

    select * from upper_tier_editions
    where
        area_code like 'E%'
        and vintage_year = (select max(editions.vintage_year) from upper_tier_editions as editions)

),

ons_regions as (

    select * from {{ ref('stg_ons_lad_region_lookup__memberships') }}

),

strategic_authorities as (

    select * from {{ ref('reference_areas') }}
    where area_type = 'strategic_authority'

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

-- a combined authority's name for people: as a region file names it (so a region's rows read the
-- same whether it is built alone or in England), else ONS's name of its area and "Combined Authority"
authority_names as (

    select
        combined_authority_code,
        max(combined_authority_name) as combined_authority_name

    from {{ ref('stg_meta__region_councils') }}
    group by 1

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
        upper_tier.area_code,
        upper_tier.area_name,
        upper_tier.upper_tier_area_code as place_code,
        upper_tier.upper_tier_area_name as place_name,
        coalesce(cauth_lookup.combined_authority_code, strategic_authorities.area_code) as combined_authority_code,
        coalesce(
            authority_names.combined_authority_name,
            cauth_lookup.combined_authority_name || ' Combined Authority',
            strategic_authorities.area_name
        ) as combined_authority_name,
        coalesce(
            cauth_lookup.combined_authority_code, strategic_authorities.returns_code, strategic_authorities.area_code
        ) as combined_authority_agency_code,
        ons_regions.ons_region_code,
        ons_regions.ons_region_name,
        upper_tier.vintage_year,
        null as locality_source

    from upper_tier
    inner join regions
        on regions.places = 'derived'
    left join ons_regions
        on upper_tier.area_code = ons_regions.area_code
    left join cauth_lookup
        on upper_tier.area_code = cauth_lookup.area_code
    left join strategic_authorities
        on ons_regions.ons_region_code = strategic_authorities.parent_area_code
    left join authority_names
        on cauth_lookup.combined_authority_code = authority_names.combined_authority_code

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
