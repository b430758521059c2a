-- The councils of the region this warehouse builds (regions/<name>.yml, loaded as
-- raw.region_definitions), with the combined authority they belong to, their main integrated
-- care board (the ICB with most of the district's registered patients in NHS England's
-- practice-level populations, latest year; its GSS code from ONS's LSOA to ICB lookup), and the
-- police force area and fire and rescue authority area they lie in (ONS lookups).
with

members as (

    select * from {{ ref('stg_meta__region_councils') }}
    where is_current_region

),

practice_weights as (

    select * from {{ ref('stg_nhs_gp_weighted_population__practice_weights') }}
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
        members.combined_authority_code,
        members.combined_authority_name,
        members.ons_region_code,
        members.ons_region_name,
        icb_codes.icb_code,
        main_icb.icb_ods_code,
        main_icb.icb_name,
        police_lookup.police_force_area_code,
        police_lookup.police_force_area_name,
        fire_lookup.fire_authority_area_code,
        fire_lookup.fire_authority_area_name,
        cauth_lookup.vintage_year,
        members.locality_source

    from members
    left join main_icb
        on members.area_code = main_icb.area_code
    left join icb_codes
        on main_icb.icb_ods_code = icb_codes.icb_ods_code
    left join cauth_lookup
        on members.area_code = cauth_lookup.area_code
    left join police_lookup
        on members.area_code = police_lookup.area_code
    left join fire_lookup
        on members.area_code = fire_lookup.area_code

)

select * from final
