-- Conservation: for every ICB, funding stream, year and method, the parts apportioned to the
-- districts sum to the ICB's allocation (to within a pound of floating-point rounding).
with

parts as (

    select
        financial_year,
        icb_ods_code,
        stream_code,
        apportionment_method,
        max(icb_allocation_gbp) as icb_allocation_gbp,
        sum(apportioned_gbp) as parts_gbp

    from {{ ref('int_nhs_allocations_apportioned') }}
    group by 1, 2, 3, 4

)

select *
from parts
where abs(parts_gbp - icb_allocation_gbp) > 1
