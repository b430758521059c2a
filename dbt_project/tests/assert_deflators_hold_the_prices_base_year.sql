-- The edition of the GDP deflators used must hold the base year of the real-terms columns with a
-- published (not forecast) index; otherwise every real-terms column would be empty.
select '{{ var("prices_base_year") }}' as prices_base_year
where not exists (
    select 1
    from {{ ref('int_deflators_rebased') }}
    where financial_year = '{{ var("prices_base_year") }}' and not deflator_is_forecast and deflator_index = 100
)
