-- Local government money per head by service theme (council, combined authority, police and fire)
-- for each place of the build and every other English place as a comparator (is_in_build false),
-- by financial year and measure: against England (the publisher's England total for the theme per
-- resident), the ONS region, the medians of the Oflog nearest neighbours and of places of the same
-- type (each n of N), and the rank among the type (macro peer_comparisons, as place_comparisons).
-- A place of the build has whole_place_budget's money for those bodies; every other place
-- int_place_theme_totals' (the same rule over the national returns, held to it by a test). NHS
-- money is not compared: no held source places it for places the build does not hold.
with

budget as (

    select * from {{ ref('whole_place_budget') }}
    where area_type = 'local_authority'

),

areas as (

    select * from {{ ref('dim_area') }}

),

themes as (

    select * from {{ ref('dim_service_theme') }}

),

-- the build's places: the local government bodies' money on each theme they spend on
built as (

    select
        budget.area_code,
        budget.area_name,
        budget.area_type,
        areas.area_key,
        areas.place_type,
        budget.financial_year,
        budget.measure,
        budget.theme_code,
        case
            when
                budget.council_status <> 'not_available'
                and budget.combined_authority_status <> 'not_available'
                and budget.police_status <> 'not_available'
                and budget.fire_status <> 'not_available'
                then
                    coalesce(budget.council_gbp, 0) + coalesce(budget.combined_authority_gbp, 0)
                    + coalesce(budget.police_gbp, 0) + coalesce(budget.fire_gbp, 0)
        end as total_gbp,
        budget.population_count,
        true as is_in_build,
        budget.is_synthetic

    from budget
    inner join areas
        on budget.area_code = areas.area_code
    where
        areas.is_in_region
        and (
            budget.council_status <> 'not_applicable' or budget.combined_authority_status <> 'not_applicable'
            or budget.police_status <> 'not_applicable' or budget.fire_status <> 'not_applicable'
        )

),

places as (

    select
        built.area_code,
        built.area_name,
        built.area_type,
        built.area_key,
        built.place_type,
        comparators.ons_region_code,
        built.financial_year,
        built.measure,
        built.theme_code,
        built.total_gbp,
        built.population_count,
        case
            when built.population_count > 0
                then cast(round(cast(built.total_gbp as double) / built.population_count, 2) as decimal(14, 2))
        end as per_head_gbp,
        built.is_in_build,
        built.is_synthetic

    from built
    left join {{ ref('int_place_local_government_totals') }} as comparators
        on
            built.area_code = comparators.area_code
            and built.financial_year = comparators.financial_year
            and built.measure = comparators.measure

    union all

    select
        comparators.area_code,
        comparators.area_name,
        'local_authority' as area_type,
        cast(null as varchar) as area_key,
        {{ place_type('comparators.area_code') }} as place_type,
        comparators.ons_region_code,
        comparators.financial_year,
        comparators.measure,
        comparators.theme_code,
        comparators.total_gbp,
        comparators.population_count,
        comparators.per_head_gbp,
        false as is_in_build,
        false as is_synthetic

    from {{ ref('int_place_theme_totals') }} as comparators
    anti join built
        on comparators.area_code = built.area_code

),

england as (

    select
        financial_year,
        theme_code,
        'budget' as measure,
        cast(round(budget_gbp / population_count, 2) as decimal(14, 2)) as per_head_gbp

    from {{ ref('regional_benchmarks') }}
    where area_type = 'country'

    union all

    select
        financial_year,
        theme_code,
        'outturn' as measure,
        cast(round(outturn_gbp / population_count, 2) as decimal(14, 2)) as per_head_gbp

    from {{ ref('regional_benchmarks') }}
    where area_type = 'country'

),

{{ peer_comparisons('places', ['financial_year', 'measure', 'theme_code']) }}

final as (

    select
        {{ surrogate_key([
            'places.area_code', 'places.financial_year', 'places.measure', 'places.theme_code'
        ]) }} as theme_comparison_key,
        places.area_key,
        places.area_code,
        places.area_name,
        places.place_type,
        places.ons_region_code,
        places.financial_year,
        places.measure,
        places.theme_code,
        themes.theme_name,
        places.per_head_gbp,
        places.is_in_build,
        england.per_head_gbp as england_per_head_gbp,
        peers.region_per_head_gbp,
        peers.neighbours_median_per_head_gbp,
        peers.neighbours_count,
        peers.neighbours_named_count,
        peers.same_type_median_per_head_gbp,
        peers.same_type_count,
        peers.same_type_england_count,
        peers.same_type_rank,
        places.is_synthetic

    from places
    inner join themes
        on places.theme_code = themes.theme_code
    left join england
        on
            places.financial_year = england.financial_year
            and places.measure = england.measure
            and places.theme_code = england.theme_code
    inner join peers
        on
            places.area_code = peers.area_code
            and places.financial_year = peers.financial_year
            and places.measure = peers.measure
            and places.theme_code = peers.theme_code

)

{{ select_with_real_terms('final', [
    'per_head_gbp',
    'england_per_head_gbp',
    'region_per_head_gbp',
    'neighbours_median_per_head_gbp',
    'same_type_median_per_head_gbp',
]) }}
