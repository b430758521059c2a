-- Fails when a headline total is not the sum of its scope's bodies over every theme of
-- whole_place_budget, or when a total is shown although a body of its scope is missing. The
-- estimated scope is not a sum of published figures: its own test is
-- assert_estimated_totals_are_the_estimates.
with

totals as (

    select * from {{ ref('whole_place_totals') }}

),

themes as (

    select
        area_code,
        financial_year,
        measure,
        sum(
            coalesce(council_gbp, 0) + coalesce(combined_authority_gbp, 0) + coalesce(police_gbp, 0)
            + coalesce(fire_gbp, 0)
        ) as local_government_gbp,
        sum(coalesce(nhs_gbp, 0)) as nhs_gbp

    from {{ ref('whole_place_budget') }}
    group by 1, 2, 3

)

select
    totals.*,
    themes.local_government_gbp,
    themes.nhs_gbp as theme_nhs_gbp

from totals
inner join themes
    on
        totals.area_code = themes.area_code
        and totals.financial_year = themes.financial_year
        and totals.measure = themes.measure
where
    totals.scope_code <> 'all_identifiable_estimated'
    and (
        (totals.total_gbp is not null and totals.missing_body_types is not null)
        or (
            totals.total_gbp is not null
            and totals.total_gbp <> themes.local_government_gbp
            + case when totals.scope_code = 'whole_place' then themes.nhs_gbp else 0 end
        )
    )
