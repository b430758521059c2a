-- The councils of the city region: every district the LAD -> combined authority lookup puts in
-- the configured combined authority (var region_code), with its integrated care board.
with

cauth as (

    select * from {{ ref('stg_ons_lad_cauth_lookup__memberships') }}

),

icb as (

    select * from {{ ref('stg_ons_lad_icb_lookup__memberships') }}

),

members as (

    select
        cauth.area_code,
        cauth.area_name,
        cauth.combined_authority_code,
        cauth.combined_authority_name,
        icb.icb_code,
        icb.icb_ods_code,
        icb.icb_name,
        cauth.vintage_year

    from cauth
    left join icb
        on cauth.area_code = icb.area_code
    where cauth.combined_authority_code = '{{ var("region_code") }}'

)

select * from members
