-- The bodies that spend money in the place: each council, the combined authority, each ICB.
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

),

combined_authority_agency as (

    select distinct
        combined_authority_code as agency_code,
        combined_authority_name || ' Combined Authority' as agency_name,
        'combined_authority' as agency_type,
        combined_authority_code as serves_area_code,
        null as ods_code

    from councils

),

icb_agencies as (

    select distinct
        icb_code as agency_code,
        icb_name as agency_name,
        'icb' as agency_type,
        icb_code as serves_area_code,
        icb_ods_code as ods_code

    from councils
    where icb_code is not null

),

unioned as (

    select * from council_agencies
    union all
    select * from combined_authority_agency
    union all
    select * from icb_agencies

)

select * from unioned
