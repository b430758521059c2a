-- The build's places and combined authority areas, and every other English place as a comparator
-- (is_in_build false; int_place_local_government_totals: the rule of whole_place_totals' scope
-- local_government, held to it by a test), on local government money per head by year and measure:
-- the model every surface showing that measure reads. Against England (the publisher's total per
-- resident), the ONS region (its places summed, when each is complete), the medians of the Oflog
-- nearest neighbours and of places of the same type (each n of N), and the rank among the type.
with

totals as (

    select * from {{ ref('whole_place_totals') }}
    where scope_code = 'local_government'

),

areas as (

    select * from {{ ref('dim_area') }}

),

area_regions as (

    select * from {{ ref('int_area_regions_mapped') }}

),

built as (

    select
        totals.area_code,
        totals.area_name,
        totals.area_type,
        areas.area_key,
        areas.place_type,
        area_regions.ons_region_code,
        totals.financial_year,
        totals.measure,
        totals.total_gbp,
        totals.population_count,
        totals.per_head_gbp,
        true as is_in_build,
        totals.is_synthetic

    from totals
    inner join areas
        on totals.area_code = areas.area_code
    left join area_regions
        on totals.area_code = area_regions.area_code
    where areas.is_in_region and areas.area_type in ('local_authority', 'combined_authority')

),

places as (

    select * from built

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
        comparators.total_gbp,
        comparators.population_count,
        comparators.per_head_gbp,
        false as is_in_build,
        false as is_synthetic

    from {{ ref('int_place_local_government_totals') }} as comparators
    anti join built
        on comparators.area_code = built.area_code

),

england as (

    select
        financial_year,
        measure,
        case
            when bool_and(amount_gbp is not null)
                then cast(round(sum(amount_gbp) / max(population_count), 2) as decimal(14, 2))
        end as per_head_gbp

    from (
        select
            financial_year,
            theme_code,
            population_count,
            unnest(['budget', 'outturn']) as measure,
            unnest([budget_gbp, outturn_gbp]) as amount_gbp

        from {{ ref('regional_benchmarks') }}
        where area_type = 'country'
    )
    group by 1, 2

),

{{ peer_comparisons('places', ['financial_year', 'measure']) }}

final as (

    select
        {{ surrogate_key(['places.area_code', 'places.financial_year', 'places.measure']) }} as place_comparison_key,
        places.area_key,
        places.area_code,
        places.area_name,
        places.area_type,
        places.place_type,
        places.ons_region_code,
        places.financial_year,
        places.measure,
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
    left join england
        on places.financial_year = england.financial_year and places.measure = england.measure
    inner join peers
        on
            places.area_code = peers.area_code
            and places.financial_year = peers.financial_year
            and places.measure = peers.measure

)

{{ select_with_real_terms('final', [
    'per_head_gbp',
    'england_per_head_gbp',
    'region_per_head_gbp',
    'neighbours_median_per_head_gbp',
    'same_type_median_per_head_gbp',
]) }}
