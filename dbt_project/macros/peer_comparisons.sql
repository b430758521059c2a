{#- How a place's money per head compares with its peers, written once for every comparison mart
    (place_comparisons, theme_comparisons). ``places`` names a CTE of every English place (the
    build's own and the comparators) with area_code, area_type, place_type, ons_region_code,
    total_gbp, population_count, per_head_gbp and the ``grain`` columns (e.g. financial_year,
    measure[, theme_code]). The macro writes CTEs (each followed by a comma, so it sits inside a
    WITH before the model's own CTEs), the last of them ``peers``: per area and grain,
      region_per_head_gbp             the ONS region's places summed per resident, when each is complete
      neighbours_median_per_head_gbp  the median of the Oflog nearest neighbours with a figure, and
      neighbours_count / neighbours_named_count  how many it is over, of how many Oflog names
      same_type_median_per_head_gbp   the median of the places of the same type with a figure, and
      same_type_count / same_type_england_count  how many, of how many England has (ONS's current
                                      upper tier)
      same_type_rank                  the area's rank among them, 1 = highest per head -#}
{% macro peer_comparisons(places, grain) -%}
{%- set by = grain | join(', ') -%}
peer_regions as (

    select
        ons_region_code,
        {{ by }},
        case
            when bool_and(total_gbp is not null)
                then cast(round(cast(sum(total_gbp) as double) / sum(population_count), 2) as decimal(14, 2))
        end as per_head_gbp

    from {{ places }}
    where area_type = 'local_authority'
    group by all

),

peer_type_sizes as (

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

peer_neighbours as (

    select * from {{ ref('stg_oflog_nearest_neighbours__group_members') }}

),

peer_neighbour_groups as (

    select
        area_code,
        count(*) as named_count

    from peer_neighbours
    group by 1

),

peer_neighbour_values as (

    select
        peer_neighbours.area_code,
        {% for column in grain -%}
            {{ places }}.{{ column }},
        {% endfor -%}
        median({{ places }}.per_head_gbp) as per_head_gbp,
        count({{ places }}.per_head_gbp) as neighbour_count

    from peer_neighbours
    inner join {{ places }}
        on peer_neighbours.neighbour_area_code = {{ places }}.area_code
    group by all

),

peer_same_type as (

    select
        place_type,
        {{ by }},
        median(per_head_gbp) as per_head_gbp,
        count(per_head_gbp) as place_count

    from {{ places }}
    where place_type is not null
    group by all

),

peers as (

    select
        {{ places }}.area_code,
        {% for column in grain -%}
            {{ places }}.{{ column }},
        {% endfor -%}
        peer_regions.per_head_gbp as region_per_head_gbp,
        cast(round(peer_neighbour_values.per_head_gbp, 2) as decimal(14, 2)) as neighbours_median_per_head_gbp,
        coalesce(peer_neighbour_values.neighbour_count, 0) as neighbours_count,
        coalesce(peer_neighbour_groups.named_count, 0) as neighbours_named_count,
        cast(round(peer_same_type.per_head_gbp, 2) as decimal(14, 2)) as same_type_median_per_head_gbp,
        coalesce(peer_same_type.place_count, 0) as same_type_count,
        peer_type_sizes.place_count as same_type_england_count,
        case
            when {{ places }}.per_head_gbp is not null and {{ places }}.place_type is not null
                then rank() over (
                    partition by {{ places }}.place_type, {% for column in grain %}{{ places }}.{{ column }}, {% endfor %}{{ places }}.per_head_gbp is null
                    order by {{ places }}.per_head_gbp desc
                )
        end as same_type_rank

    from {{ places }}
    left join peer_regions
        on
            {{ places }}.ons_region_code = peer_regions.ons_region_code
            {% for column in grain %}and {{ places }}.{{ column }} = peer_regions.{{ column }}
            {% endfor %}
    left join peer_neighbour_values
        on
            {{ places }}.area_code = peer_neighbour_values.area_code
            {% for column in grain %}and {{ places }}.{{ column }} = peer_neighbour_values.{{ column }}
            {% endfor %}
    left join peer_same_type
        on
            {{ places }}.place_type = peer_same_type.place_type
            {% for column in grain %}and {{ places }}.{{ column }} = peer_same_type.{{ column }}
            {% endfor %}
    left join peer_type_sizes
        on {{ places }}.place_type = peer_type_sizes.place_type
    left join peer_neighbour_groups
        on {{ places }}.area_code = peer_neighbour_groups.area_code

),
{%- endmacro %}
