-- What the warehouse counts from published place-level figures in each English region (and England,
-- their sum), by CRA function and financial year: the outturn (MHCLG RSX / RO net current
-- expenditure on the service lines) of every council, combined authority, police and crime
-- commissioner and fire and rescue authority of the region, on April 2023 boundaries, each service
-- theme in its CRA function (seed cra_function_themes). Computed from the national returns, so a
-- city region's build has the same region totals as the England build. An authority whose figure
-- is not available counts nothing and is named (its share of the money is then in the region's
-- remainder); as in whole_place_budget, where one council of a place has no figure the place's
-- councils count nothing (a county's total is never a partial sum), so the region's places add
-- back to this.
with

lines as (

    select * from {{ ref('int_council_spend_lines_remapped') }}
    where row_kind = 'authority' and measure = 'outturn' and service_code <> 'totsx'

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}
    where theme_code is not null

),

function_themes as (

    select * from {{ ref('cra_function_themes') }}

),

authority_regions as (

    select * from {{ ref('int_authority_regions_mapped') }}

),

authorities as (

    -- one body type per authority: a combined authority's code is never a council's
    select
        authority_code,
        min(ons_region_code) as ons_region_code,
        min(place_code) as place_code

    from authority_regions
    group by authority_code

),

themed as (

    select
        lines.financial_year,
        authorities.ons_region_code,
        function_themes.function_code,
        lines.area_code,
        lines.authority_name,
        authorities.place_code,
        sum(lines.value_gbp_thousands) * 1000 as amount_gbp,
        bool_or(lines.value_gbp_thousands is null) as is_missing

    from lines
    inner join authorities
        on lines.area_code = authorities.authority_code
    inner join service_lines
        on lines.service_code = service_lines.service_code
    inner join function_themes
        on service_lines.theme_code = function_themes.theme_code
    group by
        lines.financial_year,
        authorities.ons_region_code,
        function_themes.function_code,
        lines.area_code,
        lines.authority_name,
        authorities.place_code

),

-- a place's councils count nothing in a year when one of them has no figure
place_missing as (

    select
        financial_year,
        place_code,
        bool_or(is_missing) as place_is_missing

    from themed
    where place_code is not null
    group by financial_year, place_code

),

counted as (

    select
        themed.*,
        themed.is_missing or coalesce(place_missing.place_is_missing, false) as is_left_out

    from themed
    left join place_missing
        on themed.financial_year = place_missing.financial_year and themed.place_code = place_missing.place_code

),

by_region as (

    select
        financial_year,
        ons_region_code,
        function_code,
        cast(round(coalesce(sum(amount_gbp) filter (where not is_left_out), 0)) as decimal(18, 0)) as counted_gbp,
        count(distinct area_code) as authority_count,
        count(distinct area_code) filter (where is_missing) as not_available_count,
        string_agg(distinct authority_name, '; ' order by authority_name) filter (where is_missing)
            as not_available_authorities

    from counted
    group by financial_year, ons_region_code, function_code

),

final as (

    select * from by_region

    union all

    select
        financial_year,
        '{{ var("england_code") }}' as ons_region_code,
        function_code,
        sum(counted_gbp) as counted_gbp,
        sum(authority_count) as authority_count,
        sum(not_available_count) as not_available_count,
        string_agg(not_available_authorities, '; ' order by not_available_authorities) as not_available_authorities

    from by_region
    group by financial_year, function_code

)

select * from final
