-- Every line of local government money counted in an English place (int_english_districts_mapped),
-- by the rule whole_place_budget places a build's own (the comparators every build sets its places
-- beside: int_place_local_government_totals):
--   council             every line but the service total (totsx) of each council whose money
--                       counts in the place (its districts' councils, its county council); a council
--                       with no line at all for a year and measure the returns cover is one line
--                       with no amount (not available)
--   combined_authority  the authority's lines shared to its districts by population, each line's
--                       share rounded to the pound (as int_combined_authority_spend_apportioned)
--   police, fire        the bodies' lines shared to the districts they serve by population, each
--                       district's share rounded to the pound (int_police_fire_spend_apportioned)
-- Only the years and measures the councils' returns cover. district_code: the district a share was
-- made for (a council's line: the council's own code).
with

districts as (

    select * from {{ ref('int_english_districts_mapped') }}

),

-- the councils whose money counts in each place: each district's (a unitary's is the place's own)
-- and the county council of a place of several districts
place_councils as (

    select
        area_code as agency_code,
        place_code

    from districts

    union

    select
        place_code as agency_code,
        place_code

    from districts

),

lines as (

    select
        area_code as agency_code,
        financial_year,
        measure,
        service_code,
        cast(value_gbp_thousands * 1000 as decimal(18, 0)) as amount_gbp

    from {{ ref('int_council_spend_lines_remapped') }}
    where row_kind = 'authority' and service_code <> 'totsx'

),

-- the years and measures the councils' returns cover
council_years as (

    select distinct
        lines.financial_year,
        lines.measure

    from lines
    inner join place_councils
        on lines.agency_code = place_councils.agency_code

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

-- the combined authority's lines shared to its districts by population
authority_shares as (

    select
        populations.financial_year,
        districts.combined_authority_agency_code,
        districts.place_code,
        districts.area_code as district_code,
        populations.population_count
        / sum(populations.population_count) over (
            partition by populations.financial_year, districts.combined_authority_agency_code
        ) as population_share

    from districts
    inner join populations
        on districts.area_code = populations.area_code
    where districts.combined_authority_agency_code is not null

),

placed as (

    select
        place_councils.place_code,
        'council' as body_type,
        lines.agency_code,
        lines.agency_code as district_code,
        lines.financial_year,
        lines.measure,
        lines.service_code,
        lines.amount_gbp

    from lines
    inner join place_councils
        on lines.agency_code = place_councils.agency_code

    union all

    select
        authority_shares.place_code,
        'combined_authority' as body_type,
        lines.agency_code,
        authority_shares.district_code,
        lines.financial_year,
        lines.measure,
        lines.service_code,
        cast(round(lines.amount_gbp * authority_shares.population_share) as decimal(18, 0)) as amount_gbp

    from lines
    inner join authority_shares
        on
            lines.agency_code = authority_shares.combined_authority_agency_code
            and lines.financial_year = authority_shares.financial_year

    union all

    select
        districts.place_code,
        police_fire.agency_type as body_type,
        police_fire.agency_code,
        police_fire.area_code as district_code,
        police_fire.financial_year,
        police_fire.measure,
        police_fire.publisher_line_code as service_code,
        cast(round(police_fire.amount_gbp) as decimal(18, 0)) as amount_gbp

    from {{ ref('int_police_fire_spend_apportioned') }} as police_fire
    inner join districts
        on police_fire.area_code = districts.area_code

),

placed_in_years as (

    select placed.*
    from placed
    inner join council_years
        on placed.financial_year = council_years.financial_year and placed.measure = council_years.measure

),

-- a council with no figure at all for a year and measure the returns cover: its place's council
-- part is not available
absent_councils as (

    select
        place_councils.place_code,
        place_councils.agency_code,
        council_years.financial_year,
        council_years.measure

    from place_councils
    cross join council_years
    anti join lines
        on
            place_councils.agency_code = lines.agency_code
            and council_years.financial_year = lines.financial_year
            and council_years.measure = lines.measure

),

final as (

    select * from placed_in_years

    union all

    select
        place_code,
        'council' as body_type,
        agency_code,
        agency_code as district_code,
        financial_year,
        measure,
        cast(null as varchar) as service_code,
        cast(null as decimal(18, 0)) as amount_gbp

    from absent_councils

)

select * from final
