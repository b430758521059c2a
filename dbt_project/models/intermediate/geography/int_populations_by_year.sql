-- Population denominators by area and financial year, each naming its source.
-- The denominator for financial year N/N+1 is ONS's mid-year estimate for mid-N, from the latest
-- edition that holds it (each edition revises earlier years). A financial year after the latest
-- estimate held uses that latest estimate and says so in population_source. Nomis estimates
-- (live mode) fill a year no edition held covers. A county place and a combined authority area
-- are the sums of their districts.
with

estimates as (

    select * from {{ ref('stg_ons_mid_year_estimates__populations') }}

),

nomis as (

    select * from {{ ref('stg_nomis_population__populations') }}
    where gender in ('Total', 'All persons', 'Persons') or gender is null

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

years as (

    select distinct financial_year
    from {{ ref('int_council_spend_lines_unioned') }}

    union

    select distinct financial_year
    from {{ ref('int_nhs_allocations_apportioned') }}

),

latest_edition as (

    select *
    from estimates
    qualify row_number() over (partition by area_code, mid_year order by edition_year desc) = 1

),

latest_mid_year as (

    select max(mid_year) as mid_year
    from latest_edition

),

wanted as (

    select
        years.financial_year,
        cast(left(years.financial_year, 4) as integer) as mid_year,
        least(cast(left(years.financial_year, 4) as integer), latest_mid_year.mid_year) as used_mid_year

    from years
    cross join latest_mid_year

),

mid_year_based as (

    select
        wanted.financial_year,
        latest_edition.area_code,
        latest_edition.population_count,
        'ONS mid-year population estimate, mid-' || latest_edition.mid_year
        || ' (mid-' || latest_edition.edition_year || ' edition)'
        || case
            when wanted.used_mid_year < wanted.mid_year
                then
                    '; the latest held, used for ' || wanted.financial_year || ' (mid-' || wanted.mid_year
                    || ' not held)'
            else ''
        end as population_source,
        latest_edition.mid_year as population_mid_year,
        latest_edition.source_file_sha256 as population_source_file_sha256

    from wanted
    inner join latest_edition
        on wanted.used_mid_year = latest_edition.mid_year

),

nomis_based as (

    select
        nomis.financial_year,
        nomis.area_code,
        nomis.population_count,
        'ONS mid-year population estimate, mid-' || nomis.mid_year || ' (Nomis NM_2002_1)' as population_source,
        nomis.mid_year as population_mid_year,
        nomis.source_file_sha256 as population_source_file_sha256

    from nomis
    anti join mid_year_based
        on
            nomis.financial_year = mid_year_based.financial_year
            and nomis.area_code = mid_year_based.area_code
            and mid_year_based.population_source not like '%not held%'

),

areas as (

    select * from mid_year_based
    where
        not exists (
            select 1 from nomis_based
            where
                nomis_based.financial_year = mid_year_based.financial_year
                and nomis_based.area_code = mid_year_based.area_code
        )

    union all

    select * from nomis_based

),

-- a county (a place of several districts) and a combined authority area: the sum of their districts,
-- when every district has a figure
groupings as (

    select
        area_code,
        place_code as grouping_code,
        'sum of its districts: ' as label

    from councils
    where place_code <> area_code

    union all

    select
        area_code,
        combined_authority_code as grouping_code,
        'sum of member councils: ' as label

    from councils
    where combined_authority_code is not null

),

grouped as (

    select
        areas.financial_year,
        groupings.grouping_code as area_code,
        sum(areas.population_count) as population_count,
        min(groupings.label) || min(areas.population_source) as population_source,
        min(areas.population_mid_year) as population_mid_year,
        min(areas.population_source_file_sha256) as population_source_file_sha256,
        count(*) as member_count

    from groupings
    inner join areas
        on groupings.area_code = areas.area_code
    group by 1, 2

),

grouping_sizes as (

    select
        grouping_code,
        count(*) as member_count

    from groupings
    group by 1

),

final as (

    select
        areas.financial_year,
        areas.area_code,
        areas.population_count,
        areas.population_source,
        areas.population_mid_year,
        areas.population_source_file_sha256

    from areas
    anti join grouping_sizes
        on areas.area_code = grouping_sizes.grouping_code

    union all

    select
        grouped.financial_year,
        grouped.area_code,
        grouped.population_count,
        grouped.population_source,
        grouped.population_mid_year,
        grouped.population_source_file_sha256

    from grouped
    inner join grouping_sizes
        on grouped.area_code = grouping_sizes.grouping_code
    where grouped.member_count = grouping_sizes.member_count

)

select * from final
