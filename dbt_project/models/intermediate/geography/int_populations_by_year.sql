-- Population denominators by area and financial year, each naming its source.
-- Preference: the ONS mid-year estimate for the year (Nomis; loaded in live mode), else the
-- Census 2021 count (rounded to 100, as ONS first published it). The combined authority is the
-- sum of its councils; England is the sum of English districts when no estimate is loaded.
with

census as (

    select * from {{ ref('stg_ons_census_population__populations') }}

),

mid_year as (

    select * from {{ ref('stg_nomis_population__populations') }}

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

years as (

    select distinct financial_year
    from {{ ref('int_council_spend_lines_unioned') }}

),

census_districts as (

    select
        area_code,
        census2021_usual_residents_count as population_count,
        'ONS Census 2021 usual residents (rounded to 100)' as population_source

    from census

),

census_england as (

    select
        'E92000001' as area_code,
        sum(census2021_usual_residents_count) as population_count,
        'ONS Census 2021 usual residents, sum of English districts (rounded to 100 each)' as population_source

    from census
    where area_code like 'E0%'

),

census_all as (

    select * from census_districts
    union all
    select * from census_england

),

census_based as (

    select
        years.financial_year,
        census_all.area_code,
        census_all.population_count,
        census_all.population_source

    from years
    cross join census_all

),

estimates as (

    select
        financial_year,
        area_code,
        population_count,
        'ONS mid-year population estimate, mid-' || mid_year || ' (Nomis NM_2002_1)' as population_source

    from mid_year
    where gender in ('Total', 'All persons', 'Persons') or gender is null

),

districts_and_england as (

    select
        census_based.financial_year,
        census_based.area_code,
        coalesce(estimates.population_count, census_based.population_count) as population_count,
        coalesce(estimates.population_source, census_based.population_source) as population_source

    from census_based
    left join estimates
        on
            census_based.financial_year = estimates.financial_year
            and census_based.area_code = estimates.area_code

),

combined_authority as (

    select
        districts_and_england.financial_year,
        councils.combined_authority_code as area_code,
        sum(districts_and_england.population_count) as population_count,
        'sum of member councils: ' || min(districts_and_england.population_source) as population_source,
        count(*) as member_count

    from councils
    inner join districts_and_england
        on councils.area_code = districts_and_england.area_code
    group by 1, 2

),

final as (

    select
        financial_year,
        area_code,
        population_count,
        population_source
    from districts_and_england
    union all
    select
        financial_year,
        area_code,
        population_count,
        population_source
    from combined_authority
    where member_count = (select count(*) from councils)

)

select * from final
