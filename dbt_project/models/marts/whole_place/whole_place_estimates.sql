-- A stated estimate of all identifiable public money per place, by CRA function and financial
-- year: the place's counted money (published place-level outturn of its council, combined
-- authority, police and fire, in CRA functions by seed cra_function_themes) plus its share of
-- what the warehouse does not count in its region (region_coverage: the CRA's identifiable
-- spending less the region's counted money), shared by the function's driver (seed
-- hmt_cra_functions.estimate_driver: the population).
--
-- Rules: where the region's counted money exceeds the CRA's figure for a function (definitions
-- differ), the CRA's figure is shared in proportion to the counted money instead, so no estimate is
-- negative and the region's places add back to the CRA's total. A body whose figure is not
-- available for the place (a return not submitted) counts nothing: its money is in the region's
-- remainder and shared like it (counted_status partly_not_available names the bodies). Every row
-- is an estimate, never a published figure; a combined authority area sums its places.
with

budget as (

    select * from {{ ref('whole_place_budget') }}
    where measure = 'outturn' and area_type = 'local_authority'

),

top_themes as (

    select theme_code from {{ ref('service_themes') }}
    where parent_theme_code is null

),

function_themes as (

    select * from {{ ref('cra_function_themes') }}

),

functions as (

    select * from {{ ref('hmt_cra_functions') }}
    where parent_function_code = 'total'

),

remainders as (

    select * from {{ ref('int_region_remainders_computed') }}
    where is_counted_year

),

area_regions as (

    select * from {{ ref('int_area_regions_mapped') }}

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

place_counted as (

    select
        budget.area_code,
        budget.financial_year,
        function_themes.function_code,
        sum(
            {% for body in body_types() if body != 'nhs' -%}
                coalesce(budget.{{ body }}_gbp, 0){{ ' + ' if not loop.last }}
            {%- endfor %}
        ) as counted_gbp,
        {% for body in body_types() if body != 'nhs' -%}
            sum(coalesce(budget.{{ body }}_gbp, 0)) as {{ body }}_counted_gbp,
        {% endfor -%}
        max(budget.missing_body_types) as missing_body_types,
        max(budget.population_count) as population_count

    from budget
    inner join top_themes
        on budget.theme_code = top_themes.theme_code
    inner join function_themes
        on budget.theme_code = function_themes.theme_code
    group by 1, 2, 3

),

place_years as (

    select distinct
        area_code,
        financial_year,
        missing_body_types,
        population_count

    from place_counted

),

-- every place has every function, counted or not
place_functions as (

    select
        place_years.area_code,
        place_years.financial_year,
        functions.function_code,
        functions.function_name,
        functions.estimate_driver,
        coalesce(place_counted.counted_gbp, 0) as counted_gbp,
        {% for body in body_types() if body != 'nhs' -%}
            coalesce(place_counted.{{ body }}_counted_gbp, 0) as {{ body }}_counted_gbp,
        {% endfor -%}
        place_years.missing_body_types,
        place_years.population_count,
        area_regions.ons_region_code

    from place_years
    cross join functions
    left join place_counted
        on
            place_years.area_code = place_counted.area_code
            and place_years.financial_year = place_counted.financial_year
            and functions.function_code = place_counted.function_code
    inner join area_regions
        on place_years.area_code = area_regions.area_code

),

estimated as (

    select
        place_functions.*,
        remainders.region_population_count,
        cast(place_functions.population_count as double) / remainders.region_population_count as driver_share,
        remainders.cra_gbp as region_cra_gbp,
        remainders.counted_gbp > remainders.cra_gbp as counted_exceeds_cra,
        case
            when remainders.counted_gbp > remainders.cra_gbp
                then remainders.cra_gbp * place_functions.counted_gbp / remainders.counted_gbp
            else
                place_functions.counted_gbp
                + (remainders.cra_gbp - remainders.counted_gbp) * place_functions.population_count
                / remainders.region_population_count
        end as estimate_raw_gbp

    from place_functions
    inner join remainders
        on
            place_functions.ons_region_code = remainders.region_code
            and place_functions.financial_year = remainders.financial_year
            and place_functions.function_code = remainders.function_code

),

-- each place, and each combined authority area as the sum of its places; the total over functions
rolled_up as (

    select
        coalesce(estimated.area_code, areas.combined_authority_code) as area_code,
        estimated.financial_year,
        coalesce(estimated.function_code, 'total') as function_code,
        case
            when estimated.function_code is null then 'Total identifiable expenditure on services'
            else min(estimated.function_name)
        end as function_name,
        min(estimated.ons_region_code) as ons_region_code,
        min(estimated.region_population_count) as region_population_count,
        case when estimated.function_code is not null then min(estimated.estimate_driver) end as estimate_driver,
        bool_or(estimated.counted_exceeds_cra) as counted_exceeds_cra,
        string_agg(distinct estimated.missing_body_types, ';') as missing_body_types,
        sum(estimated.region_cra_gbp) / count(distinct estimated.area_code) as region_cra_gbp,
        cast(sum(estimated.counted_gbp) as decimal(18, 0)) as counted_gbp,
        {% for body in body_types() if body != 'nhs' -%}
            cast(sum(estimated.{{ body }}_counted_gbp) as decimal(18, 0)) as {{ body }}_counted_gbp,
        {% endfor -%}
        cast(sum(round(estimated.estimate_raw_gbp)) as decimal(18, 0)) as estimate_gbp

    from estimated
    inner join areas
        on estimated.area_code = areas.area_code
    group by grouping sets (  -- noqa: AM06, RF02, PRS
        (estimated.area_code, estimated.financial_year, estimated.function_code),
        (estimated.area_code, estimated.financial_year),
        (areas.combined_authority_code, estimated.financial_year, estimated.function_code),
        (areas.combined_authority_code, estimated.financial_year)
    )
    having coalesce(estimated.area_code, areas.combined_authority_code) is not null

),

final as (

    select
        {{ surrogate_key(['rolled_up.area_code', 'rolled_up.financial_year', 'rolled_up.function_code']) }}
            as whole_place_estimate_key,
        rolled_up.area_code,
        areas.area_name,
        areas.area_type,
        rolled_up.ons_region_code,
        rolled_up.financial_year,
        rolled_up.function_code,
        rolled_up.function_name,
        rolled_up.counted_gbp,
        {% for body in body_types() if body != 'nhs' -%}
            rolled_up.{{ body }}_counted_gbp,
        {% endfor -%}
        case when rolled_up.missing_body_types is null then 'published' else 'partly_not_available' end
            as counted_status,
        rolled_up.missing_body_types,
        rolled_up.estimate_gbp - rolled_up.counted_gbp as estimated_remainder_gbp,
        rolled_up.estimate_gbp,
        'estimated' as estimate_status,
        case
            when rolled_up.function_code = 'total' then 'sum of the functions'' estimates'
            when rolled_up.counted_exceeds_cra
                then 'the CRA''s regional figure shared in proportion to counted money (counted exceeds the CRA)'
            else 'counted money plus the region''s uncounted remainder shared by ' || rolled_up.estimate_driver
        end as estimate_method,
        rolled_up.estimate_driver,
        cast(round(populations.population_count / rolled_up.region_population_count, 6) as decimal(10, 6))
            as driver_share,
        rolled_up.region_cra_gbp,
        populations.population_count,
        rolled_up.region_population_count,
        cast(round(rolled_up.counted_gbp / populations.population_count, 2) as decimal(14, 2)) as counted_per_head_gbp,
        cast(round(rolled_up.estimate_gbp / populations.population_count, 2) as decimal(14, 2))
            as estimate_per_head_gbp,
        case
            when rolled_up.estimate_gbp > 0
                then cast(round(100.0 * rolled_up.counted_gbp / rolled_up.estimate_gbp, 1) as decimal(8, 1))
        end as counted_share_pct,
        false as is_synthetic

    from rolled_up
    inner join areas
        on rolled_up.area_code = areas.area_code
    inner join populations
        on rolled_up.area_code = populations.area_code and rolled_up.financial_year = populations.financial_year

)

{{ select_with_real_terms('final', [
    'counted_gbp', 'estimated_remainder_gbp', 'estimate_gbp', 'estimate_per_head_gbp',
]) }}
