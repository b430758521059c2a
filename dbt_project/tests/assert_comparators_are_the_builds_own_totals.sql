-- Fails when a place the build holds has local government money (total or per head, budget or
-- outturn) in whole_place_totals other than int_place_local_government_totals gives it: the
-- comparators every build sets its places beside follow the rule of its own totals, to the pound
-- and the penny, and are missing where they are.
with

totals as (

    select * from {{ ref('whole_place_totals') }}
    where scope_code = 'local_government' and area_type = 'local_authority'

),

comparators as (

    select * from {{ ref('int_place_local_government_totals') }}

)

select
    totals.area_code,
    totals.financial_year,
    totals.measure,
    totals.total_gbp,
    comparators.total_gbp as comparator_total_gbp,
    totals.per_head_gbp,
    comparators.per_head_gbp as comparator_per_head_gbp

from totals
left join comparators
    on
        totals.area_code = comparators.area_code
        and totals.financial_year = comparators.financial_year
        and totals.measure = comparators.measure
where
    comparators.area_code is null
    or totals.total_gbp is distinct from comparators.total_gbp
    or totals.per_head_gbp is distinct from comparators.per_head_gbp
