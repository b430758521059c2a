-- Fails when an estimated headline total is not whole_place_estimates' total for the area and year,
-- or, where every body is available, its counted part is not the bodies' local government outturn
-- (to the rounding of a combined authority area's parts, summed place by place: £10).
with

totals as (

    select * from {{ ref('whole_place_totals') }}
    where scope_code = 'all_identifiable_estimated'

),

estimates as (

    select * from {{ ref('whole_place_estimates') }}
    where function_code = 'total'

)

select
    totals.area_code,
    totals.financial_year,
    totals.total_gbp,
    estimates.estimate_gbp,
    estimates.counted_gbp

from totals
left join estimates
    on totals.area_code = estimates.area_code and totals.financial_year = estimates.financial_year
where
    totals.total_gbp is distinct from estimates.estimate_gbp
    or (
        estimates.estimate_gbp is not null
        and totals.missing_body_types is null
        and abs(
            estimates.counted_gbp
            - coalesce(totals.council_gbp, 0) - coalesce(totals.combined_authority_gbp, 0)
            - coalesce(totals.police_gbp, 0) - coalesce(totals.fire_gbp, 0)
        ) > 10
    )
