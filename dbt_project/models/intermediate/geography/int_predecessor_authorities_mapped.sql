-- The authorities the April 2023 reorganisations abolished, and the 2023 councils that succeeded
-- them: how an earlier year's return of a predecessor counts in today's places (one boundary
-- vintage, April 2023, for every year).
--   district  a December 2022 district merged into a new unitary authority (ONS's LAD22 to LAD23
--             lookup): all its money goes to that unitary (share 1);
--   county    a county council abolished in 2023 (ONS's 2021 lower to upper tier lookup names its
--             districts): its money is shared between the unitaries its districts became, by their
--             population (the mid-year estimate int_populations_by_year names for the year), so
--             Cumbria's goes to Cumberland and to Westmorland and Furness; North Yorkshire's and
--             Somerset's go whole to their one successor.
-- Only predecessors no longer in the current lookups; the parts of each predecessor add up to 1.
with

successors as (

    select * from {{ ref('stg_ons_lad_successor_lookup__successors') }}
    where predecessor_area_code like 'E%' and predecessor_area_code <> area_code

),

editions as (

    select * from {{ ref('stg_ons_lad_utla_lookup__memberships') }}
    where area_code like 'E%'

),

current_upper_tier as (

    select distinct upper_tier_area_code
    from editions
    where vintage_year = (select max(latest.vintage_year) from editions as latest)

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

years as (

    select distinct financial_year
    from populations

),

-- counties of an earlier edition that are gone, with the 2023 districts their districts became
abolished_counties as (

    select distinct
        editions.upper_tier_area_code as predecessor_area_code,
        editions.upper_tier_area_name as predecessor_area_name,
        coalesce(successors.area_code, editions.area_code) as area_code,
        coalesce(successors.area_name, editions.area_name) as area_name

    from editions
    left join successors
        on editions.area_code = successors.predecessor_area_code
    where
        editions.upper_tier_area_code like 'E10%'
        and editions.upper_tier_area_code not in (
            select current_upper_tier.upper_tier_area_code from current_upper_tier
        )

),

county_shares as (

    select
        years.financial_year,
        abolished_counties.predecessor_area_code,
        abolished_counties.predecessor_area_name,
        abolished_counties.area_code,
        abolished_counties.area_name,
        'county' as predecessor_kind,
        populations.population_count / sum(populations.population_count) over (
            partition by years.financial_year, abolished_counties.predecessor_area_code
        ) as share,
        'By population: ' || populations.population_source || ', over the '
        || count(*) over (partition by years.financial_year, abolished_counties.predecessor_area_code)
        || ' unitary authorities the county became (ONS lookups)' as basis

    from abolished_counties
    cross join years
    inner join populations
        on abolished_counties.area_code = populations.area_code and years.financial_year = populations.financial_year

),

district_shares as (

    select
        years.financial_year,
        successors.predecessor_area_code,
        successors.predecessor_area_name,
        successors.area_code,
        successors.area_name,
        'district' as predecessor_kind,
        1.0 as share,
        'Merged into ' || successors.area_name || ' in April 2023 (ONS LAD22 to LAD23 lookup)' as basis

    from successors
    cross join years

)

select * from county_shares
union all
select * from district_shares
