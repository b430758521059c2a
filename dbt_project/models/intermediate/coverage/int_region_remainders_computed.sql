-- Each English region's (and England's) identifiable public money (HM Treasury's CRA, cash) beside
-- what the warehouse counts there (int_region_counted_spend), by financial year and CRA function (the ten
-- functions and the total), with the region's population for the years the warehouse counts: what
-- region_coverage publishes and whole_place_estimates shares between the region's places.
with

cra as (

    select * from {{ ref('stg_hmt_cra__expenditures') }}
    where measure = 'cash' and spending_type = 'total' and spending_scope = 'all'

),

counted as (

    select * from {{ ref('int_region_counted_spend') }}

),

functions as (

    select * from {{ ref('hmt_cra_functions') }}
    where parent_function_code = 'total' or function_code = 'total'

),

regions as (

    select distinct
        region_code,
        region_name
    from {{ ref('hmt_cra_regions') }}
    where region_level = 'english_region' or region_code = '{{ var("england_code") }}'

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

counted_years as (

    select distinct financial_year from counted

),

-- the total row counts every function
counted_functions as (

    select
        financial_year,
        ons_region_code,
        function_code,
        counted_gbp,
        not_available_count,
        not_available_authorities

    from counted

    union all

    select
        financial_year,
        ons_region_code,
        'total' as function_code,
        sum(counted_gbp) as counted_gbp,
        max(not_available_count) as not_available_count,
        string_agg(distinct not_available_authorities, '; ') as not_available_authorities

    from counted
    group by 1, 2

),

final as (

    select
        regions.region_code,
        regions.region_name,
        cra.financial_year,
        cra.function_code,
        functions.function_name,
        functions.parent_function_code,
        functions.cra_table,
        functions.estimate_driver,
        functions.main_spenders_not_counted,
        cra.value_gbp as cra_gbp,
        cra.source_row as cra_source_row,
        cra.source_column as cra_source_column,
        counted_years.financial_year is not null as is_counted_year,
        case
            when counted_years.financial_year is not null then coalesce(counted_functions.counted_gbp, 0)
        end as counted_gbp,
        coalesce(counted_functions.not_available_count, 0) as not_available_authority_count,
        counted_functions.not_available_authorities,
        populations.population_count as region_population_count

    from cra
    inner join regions
        on cra.region_code = regions.region_code
    inner join functions
        on cra.function_code = functions.function_code
    left join counted_years
        on cra.financial_year = counted_years.financial_year
    left join counted_functions
        on
            cra.region_code = counted_functions.ons_region_code
            and cra.financial_year = counted_functions.financial_year
            and cra.function_code = counted_functions.function_code
    left join populations
        on
            cra.region_code = populations.area_code
            and cra.financial_year = populations.financial_year
            and counted_years.financial_year is not null

)

select * from final
