-- Each place and combined authority area of the build against England, its ONS region, its Oflog
-- nearest neighbours and the places of the same type, on local government money per head (scope
-- local_government of whole_place_totals), by year and measure: the one model every surface
-- showing that measure reads. England: the publisher's England total over every authority per
-- resident. Region: only when the build holds every place of the region, complete (England's build).
-- Neighbours and same type: medians of the build's complete places, each with how many it is over
-- of how many there are (neighbours Oflog names; places of the type in England), and the rank.
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

neighbours as (

    select * from {{ ref('stg_oflog_nearest_neighbours__group_members') }}

),

places as (

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
        totals.is_synthetic

    from totals
    inner join areas
        on totals.area_code = areas.area_code
    left join area_regions
        on totals.area_code = area_regions.area_code
    where areas.is_in_region and areas.area_type in ('local_authority', 'combined_authority')

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

-- the districts of each region and how many of them the build holds
region_sizes as (

    select
        lookup.ons_region_code,
        count(*) as district_count,
        count(built.area_code) as built_count

    from {{ ref('stg_ons_lad_region_lookup__memberships') }} as lookup
    left join {{ ref('int_region_councils_filtered') }} as built
        on lookup.area_code = built.area_code
    group by 1

),

regions as (

    select
        places.ons_region_code,
        places.financial_year,
        places.measure,
        case
            when
                bool_and(places.total_gbp is not null)
                and max(region_sizes.district_count) = max(region_sizes.built_count)
                then cast(round(
                    cast(sum(places.total_gbp) as double) / sum(places.population_count), 2
                ) as decimal(14, 2))
        end as per_head_gbp

    from places
    inner join region_sizes
        on places.ons_region_code = region_sizes.ons_region_code
    where places.area_type = 'local_authority'
    group by 1, 2, 3

),

-- the N of "n of N": English places of each type (ONS's current upper tier); neighbours Oflog names
english_types as (

    select
        {{ place_type('lookup.upper_tier_area_code') }} as place_type,
        count(distinct lookup.upper_tier_area_code) as place_count

    from {{ ref('stg_ons_lad_utla_lookup__memberships') }} as lookup
    where
        lookup.upper_tier_area_code like 'E%'
        and lookup.vintage_year = (
            select max(editions.vintage_year) from {{ ref('stg_ons_lad_utla_lookup__memberships') }} as editions
        )
    group by 1

),

neighbour_groups as (

    select
        area_code,
        count(*) as named_count

    from neighbours
    group by 1

),

neighbour_values as (

    select
        neighbours.area_code,
        places.financial_year,
        places.measure,
        median(places.per_head_gbp) as per_head_gbp,
        count(places.per_head_gbp) as neighbour_count

    from neighbours
    inner join places
        on neighbours.neighbour_area_code = places.area_code
    group by 1, 2, 3

),

same_type as (

    select
        place_type,
        financial_year,
        measure,
        median(per_head_gbp) as per_head_gbp,
        count(per_head_gbp) as place_count

    from places
    where place_type is not null
    group by 1, 2, 3

),

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
        england.per_head_gbp as england_per_head_gbp,
        regions.per_head_gbp as region_per_head_gbp,
        cast(round(neighbour_values.per_head_gbp, 2) as decimal(14, 2)) as neighbours_median_per_head_gbp,
        coalesce(neighbour_values.neighbour_count, 0) as neighbours_count,
        coalesce(neighbour_groups.named_count, 0) as neighbours_named_count,
        cast(round(same_type.per_head_gbp, 2) as decimal(14, 2)) as same_type_median_per_head_gbp,
        coalesce(same_type.place_count, 0) as same_type_count,
        english_types.place_count as same_type_england_count,
        case
            when places.per_head_gbp is not null and places.place_type is not null
                then rank() over (
                    partition by places.place_type, places.financial_year, places.measure, places.per_head_gbp is null
                    order by places.per_head_gbp desc
                )
        end as same_type_rank,
        places.is_synthetic

    from places
    left join england
        on places.financial_year = england.financial_year and places.measure = england.measure
    left join regions
        on
            places.ons_region_code = regions.ons_region_code
            and places.financial_year = regions.financial_year
            and places.measure = regions.measure
    left join neighbour_values
        on
            places.area_code = neighbour_values.area_code
            and places.financial_year = neighbour_values.financial_year
            and places.measure = neighbour_values.measure
    left join same_type
        on
            places.place_type = same_type.place_type
            and places.financial_year = same_type.financial_year
            and places.measure = same_type.measure
    left join english_types
        on places.place_type = english_types.place_type
    left join neighbour_groups
        on places.area_code = neighbour_groups.area_code

)

{{ select_with_real_terms('final', [
    'per_head_gbp',
    'england_per_head_gbp',
    'region_per_head_gbp',
    'neighbours_median_per_head_gbp',
    'same_type_median_per_head_gbp',
]) }}
