-- Local government money per head for every English place, by financial year and measure: what
-- whole_place_totals' local_government scope gives a place the build holds, for every place the
-- national returns cover, so that any build compares its places with all their neighbours and all
-- places of their type (place_comparisons). Each body's part is the sum of its lines placed there
-- (int_place_local_government_lines_placed); a part is missing when the body has no line for the
-- year and measure or any not available, and the total is then NULL. A council's or combined
-- authority's own police (pol) or fire (frs) line stands for that body; a place no combined
-- authority covers needs none. The population is the sum of the place's districts'. The dbt test
-- assert_comparators_are_the_builds_own_totals holds this to whole_place_totals.
with

districts as (

    select * from {{ ref('int_english_districts_mapped') }}

),

placed_in_years as (

    select * from {{ ref('int_place_local_government_lines_placed') }}

),

council_years as (

    select distinct
        financial_year,
        measure

    from placed_in_years
    where body_type = 'council'

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

-- a body is present with a figure and none not available; a council's or combined authority's own
-- police (pol) or fire (frs) line stands for that body
presence as (

    select
        place_code,
        financial_year,
        measure,
        body_type,
        count(*) as figure_count,
        count(*) filter (where amount_gbp is null) as missing_count

    from placed_in_years
    group by 1, 2, 3, 4

    union all

    select
        place_code,
        financial_year,
        measure,
        case service_code when 'pol' then 'police' else 'fire' end as body_type,
        count(*) as figure_count,
        count(*) filter (where amount_gbp is null) as missing_count

    from placed_in_years
    where body_type in ('combined_authority', 'council') and service_code in ('pol', 'frs') and amount_gbp <> 0
    group by 1, 2, 3, 4

),

district_places as (

    select
        place_code,
        max(place_name) as place_name,
        max(ons_region_code) as ons_region_code,
        bool_or(combined_authority_code is not null) as has_combined_authority,
        count(*) as district_count

    from districts
    group by 1

),

-- each body's part: whether it is there (a figure, none not available)
parts as (

    select
        presence.place_code,
        presence.financial_year,
        presence.measure,
        coalesce(bool_or(
            presence.body_type = 'council' and presence.figure_count > 0 and presence.missing_count = 0
        ), false) as has_council,
        coalesce(bool_or(
            presence.body_type = 'combined_authority' and presence.figure_count > 0 and presence.missing_count = 0
        ), false) as has_combined_authority,
        coalesce(bool_or(
            presence.body_type = 'police' and presence.figure_count > 0 and presence.missing_count = 0
        ), false) as has_police,
        coalesce(bool_or(
            presence.body_type = 'fire' and presence.figure_count > 0 and presence.missing_count = 0
        ), false) as has_fire

    from presence
    group by 1, 2, 3

),

sums as (

    select
        place_code,
        financial_year,
        measure,
        sum(amount_gbp) filter (where body_type = 'council') as council_gbp,
        sum(amount_gbp) filter (where body_type = 'combined_authority') as combined_authority_gbp,
        sum(amount_gbp) filter (where body_type = 'police') as police_gbp,
        sum(amount_gbp) filter (where body_type = 'fire') as fire_gbp

    from placed_in_years
    group by 1, 2, 3

),

place_populations as (

    select
        districts.place_code,
        populations.financial_year,
        sum(populations.population_count) as population_count,
        count(*) as district_count

    from districts
    inner join populations
        on districts.area_code = populations.area_code
    group by 1, 2

),

final as (

    select
        district_places.place_code as area_code,
        district_places.place_name as area_name,
        district_places.ons_region_code,
        council_years.financial_year,
        council_years.measure,
        coalesce(sums.council_gbp, 0) as council_gbp,
        coalesce(sums.combined_authority_gbp, 0) as combined_authority_gbp,
        coalesce(sums.police_gbp, 0) as police_gbp,
        coalesce(sums.fire_gbp, 0) as fire_gbp,
        case
            when place_populations.district_count = district_places.district_count
                then place_populations.population_count
        end as population_count,
        coalesce(parts.has_council, false)
        and (coalesce(parts.has_combined_authority, false) or not district_places.has_combined_authority)
        and coalesce(parts.has_police and parts.has_fire, false) as is_complete

    from district_places
    cross join council_years
    left join parts
        on
            district_places.place_code = parts.place_code
            and council_years.financial_year = parts.financial_year
            and council_years.measure = parts.measure
    left join sums
        on
            district_places.place_code = sums.place_code
            and council_years.financial_year = sums.financial_year
            and council_years.measure = sums.measure
    left join place_populations
        on
            district_places.place_code = place_populations.place_code
            and council_years.financial_year = place_populations.financial_year

)

select
    *,
    case when is_complete then council_gbp + combined_authority_gbp + police_gbp + fire_gbp end as total_gbp,
    case
        when is_complete and population_count > 0
            then cast(round(
                (council_gbp + combined_authority_gbp + police_gbp + fire_gbp) / population_count, 2
            ) as decimal(14, 2))
    end as per_head_gbp

from final
