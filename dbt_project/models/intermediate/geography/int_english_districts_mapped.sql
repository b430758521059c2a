-- Every English district of ONS's lower to upper tier lookup (the current edition: April 2023
-- boundaries) with the place its money counts in (its upper-tier area: a shire district's is its
-- county), its combined authority (ONS's district to combined authority lookup, May 2023, or the
-- strategic authority of its ONS region from seed reference_areas: the Greater London Authority for
-- London, whose spend MHCLG's returns file under the London region's code: combined_authority_
-- agency_code) and its ONS region. A region whose places are derived (England) is these districts;
-- every build compares its places with England's through them (int_place_local_government_totals).
with

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

final as (

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
        upper_tier.vintage_year

    from upper_tier
    left join ons_regions
        on upper_tier.area_code = ons_regions.area_code
    left join cauth_lookup
        on upper_tier.area_code = cauth_lookup.area_code
    left join strategic_authorities
        on ons_regions.ons_region_code = strategic_authorities.parent_area_code
    left join authority_names
        on cauth_lookup.combined_authority_code = authority_names.combined_authority_code

)

select * from final
