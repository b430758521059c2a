-- Fails when a place of the region is missing from the whole-place budget for a year and
-- measure that has data (a missing return must show as a row with a NULL total, not vanish).
with

councils as (

    select distinct place_code as area_code from {{ ref('int_region_councils_filtered') }}

),

years as (

    select distinct
        financial_year,
        measure
    from {{ ref('whole_place_budget') }}

),

present as (

    select distinct
        area_code,
        financial_year,
        measure
    from {{ ref('whole_place_budget') }}

)

select
    councils.area_code,
    years.financial_year,
    years.measure
from councils
cross join years
left join present
    on
        councils.area_code = present.area_code
        and years.financial_year = present.financial_year
        and years.measure = present.measure
where present.area_code is null
