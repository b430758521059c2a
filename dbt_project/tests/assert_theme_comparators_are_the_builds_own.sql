-- Fails when a place the build holds has local government money by service theme (council,
-- combined authority, police and fire, budget or outturn) in whole_place_budget other than
-- int_place_theme_totals gives it: the theme comparators follow the rule of the build's own money,
-- to the pound, and are missing where they are.
with

budget as (

    select
        area_code,
        financial_year,
        measure,
        theme_code,
        case
            when
                council_status <> 'not_available'
                and combined_authority_status <> 'not_available'
                and police_status <> 'not_available'
                and fire_status <> 'not_available'
                then
                    coalesce(council_gbp, 0) + coalesce(combined_authority_gbp, 0) + coalesce(police_gbp, 0)
                    + coalesce(fire_gbp, 0)
        end as total_gbp

    from {{ ref('whole_place_budget') }}
    where
        area_type = 'local_authority'
        and (
            council_status <> 'not_applicable' or combined_authority_status <> 'not_applicable'
            or police_status <> 'not_applicable' or fire_status <> 'not_applicable'
        )

),

comparators as (

    select * from {{ ref('int_place_theme_totals') }}

)

select
    budget.area_code,
    budget.financial_year,
    budget.measure,
    budget.theme_code,
    budget.total_gbp,
    comparators.total_gbp as comparator_total_gbp

from budget
left join comparators
    on
        budget.area_code = comparators.area_code
        and budget.financial_year = comparators.financial_year
        and budget.measure = comparators.measure
        and budget.theme_code = comparators.theme_code
where comparators.area_code is null or budget.total_gbp is distinct from comparators.total_gbp
