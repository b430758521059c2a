-- Police and fire money shared to the districts they serve. MHCLG's returns (RA budget, RSX
-- outturn) have a row for each police and crime commissioner (E23...) and fire and rescue authority
-- (E31...); ONS's lookups say which districts each serves. A district's part = the body's spend on
-- each publisher line x (the district's population / the population of every district the body
-- serves), with the mid-year estimate int_populations_by_year names for the year. Every district
-- of the body's area is apportioned, so the parts add back up to the body's spend (tested); the
-- region's districts are kept by fct_spend. A body whose figure is not available ([x]) gives
-- NULL parts, so a place total that needs it is NULL too.
with

spend_lines as (

    select * from {{ ref('int_council_spend_lines_unioned') }}
    where row_kind = 'authority' and service_code <> 'totsx'

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

police_areas as (

    select
        area_code,
        police_force_area_code as body_code,
        'police' as agency_type,
        source_file_sha256 as lookup_source_file_sha256

    from {{ ref('stg_ons_lad_pfa_lookup__memberships') }}

),

fire_areas as (

    select
        area_code,
        fire_authority_area_code as body_code,
        'fire' as agency_type,
        source_file_sha256 as lookup_source_file_sha256

    from {{ ref('stg_ons_lad_fra_lookup__memberships') }}

),

served as (

    select * from police_areas
    union all
    select * from fire_areas

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

shares as (

    select
        populations.financial_year,
        served.agency_type,
        served.body_code,
        served.area_code,
        served.lookup_source_file_sha256,
        populations.population_source,
        populations.population_source_file_sha256,
        populations.population_count
        / sum(populations.population_count) over (
            partition by populations.financial_year, served.body_code
        ) as population_share,
        count(*) over (partition by populations.financial_year, served.body_code) as district_count

    from served
    inner join populations
        on served.area_code = populations.area_code

),

apportioned as (

    select
        spend_lines.area_code as agency_code,
        shares.agency_type,
        spend_lines.authority_name as agency_name,
        shares.area_code,
        coalesce(service_lines.theme_code, 'unknown') as theme_code,
        spend_lines.financial_year,
        spend_lines.measure,
        spend_lines.service_code as publisher_line_code,
        spend_lines.publication,
        cast(spend_lines.value_gbp_thousands * 1000 as decimal(18, 0)) as body_amount_gbp,
        shares.population_share,
        shares.district_count,
        spend_lines.value_gbp_thousands * 1000 * shares.population_share as amount_gbp,
        spend_lines.value_status,
        'population_share' as apportionment_method,
        'By population: ' || shares.population_source || ', over the ' || shares.district_count
        || ' districts the body serves (ONS lookup)' as apportionment_basis,
        shares.population_source_file_sha256 as apportionment_source_file_sha256,
        spend_lines.source_id,
        spend_lines.source_file,
        spend_lines.source_file_sha256,
        spend_lines.source_url,
        spend_lines.source_row,
        spend_lines.source_column

    from spend_lines
    inner join shares
        on
            spend_lines.area_code = shares.body_code
            and spend_lines.financial_year = shares.financial_year
    left join service_lines
        on spend_lines.service_code = service_lines.service_code

)

select * from apportioned
