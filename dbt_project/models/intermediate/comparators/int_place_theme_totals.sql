-- Local government money per head by service theme for every English place, by financial year and
-- measure: what whole_place_budget gives a place the build holds for the local government bodies
-- (council, combined authority, police and fire), for every place the national returns cover, so
-- that any build compares its places' services with all their neighbours' (theme_comparisons).
-- A theme's money is the sum of its lines placed there (int_place_local_government_lines_placed,
-- each line's theme from seed mhclg_service_lines, else unknown), NULL when any of them is not
-- available or a council of the place filed nothing for the year and measure (for every theme the
-- councils spend on); per head over the place's population. The dbt test
-- assert_theme_comparators_are_the_builds_own holds this to whole_place_budget.
with

lines as (

    select * from {{ ref('int_place_local_government_lines_placed') }}

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

places as (

    select * from {{ ref('int_place_local_government_totals') }}

),

themed as (

    select
        lines.place_code,
        lines.financial_year,
        lines.measure,
        lines.body_type,
        coalesce(service_lines.theme_code, 'unknown') as theme_code,
        lines.amount_gbp

    from lines
    left join service_lines
        on lines.service_code = service_lines.service_code
    where lines.service_code is not null

),

-- the themes councils spend on in a year and measure: a council that filed nothing leaves each of
-- them not available in its place
council_themes as (

    select distinct
        financial_year,
        measure,
        theme_code

    from themed
    where body_type = 'council'

),

absent as (

    select distinct
        lines.place_code,
        lines.financial_year,
        lines.measure,
        council_themes.theme_code

    from lines
    inner join council_themes
        on lines.financial_year = council_themes.financial_year and lines.measure = council_themes.measure
    where lines.service_code is null

),

sums as (

    select
        themed.place_code,
        themed.financial_year,
        themed.measure,
        themed.theme_code,
        case
            when count(*) filter (where themed.amount_gbp is null) = 0 then sum(themed.amount_gbp)
        end as total_gbp

    from themed
    group by 1, 2, 3, 4

),

final as (

    select
        sums.place_code as area_code,
        places.area_name,
        places.ons_region_code,
        sums.financial_year,
        sums.measure,
        sums.theme_code,
        case when absent.place_code is null then sums.total_gbp end as total_gbp,
        places.population_count

    from sums
    inner join places
        on
            sums.place_code = places.area_code
            and sums.financial_year = places.financial_year
            and sums.measure = places.measure
    left join absent
        on
            sums.place_code = absent.place_code
            and sums.financial_year = absent.financial_year
            and sums.measure = absent.measure
            and sums.theme_code = absent.theme_code

)

select
    *,
    case
        when population_count > 0 then cast(round(total_gbp / population_count, 2) as decimal(14, 2))
    end as per_head_gbp

from final
