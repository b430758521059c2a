-- Fails when the consolidation does not add up:
-- per theme:  total = council + combined authority + police + fire + NHS + transfers_in
--             - transfers_out (the sum of the bodies' gross spend minus the money passed between them);
-- per place:  over all themes the transfers cancel: total = the sum of the bodies' money.
with

budget as (

    select * from {{ ref('whole_place_budget') }}

),

by_theme as (

    select
        'theme' as check_level,
        area_code,
        financial_year,
        measure,
        theme_code,
        total_gbp,
        coalesce(council_gbp, 0) + transfers_in_gbp + coalesce(combined_authority_gbp, 0)
        + coalesce(police_gbp, 0) + coalesce(fire_gbp, 0) + coalesce(nhs_gbp, 0) - transfers_out_gbp as expected_gbp

    from budget
    where total_gbp is not null

),

by_place as (

    select
        'place' as check_level,
        area_code,
        financial_year,
        measure,
        'all themes' as theme_code,
        sum(total_gbp) as total_gbp,
        sum(
            coalesce(council_gbp, 0) + coalesce(combined_authority_gbp, 0) + coalesce(police_gbp, 0)
            + coalesce(fire_gbp, 0) + coalesce(nhs_gbp, 0)
        ) as expected_gbp

    from budget
    group by 1, 2, 3, 4, 5
    having bool_and(total_gbp is not null)

)

select * from by_theme
where total_gbp <> expected_gbp
union all
select * from by_place
where total_gbp <> expected_gbp
