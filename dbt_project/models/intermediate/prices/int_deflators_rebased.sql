-- The GDP deflator of each financial year at the prices of the base year (var prices_base_year),
-- from the latest edition of HM Treasury's deflators held: real = cash x real_terms_factor. A year
-- whose index the edition forecasts (chained from the OBR's growth rates) says so.
with

deflators as (

    select * from {{ ref('stg_hmt_gdp_deflators__indices') }}

),

latest as (

    select * from deflators
    qualify edition = max(edition) over ()

),

base as (

    select deflator_index as base_index
    from latest
    where financial_year = '{{ var("prices_base_year") }}'

),

final as (

    select
        latest.financial_year,
        latest.edition as deflator_edition,
        latest.outturn_as_at_date as deflator_outturn_as_at_date,
        '{{ var("prices_base_year") }}' as prices_base_year,
        cast(round(latest.deflator_index * 100 / base.base_index, 6) as decimal(12, 6)) as deflator_index,
        cast(base.base_index as double) / cast(latest.deflator_index as double) as real_terms_factor,
        latest.is_forecast as deflator_is_forecast,
        latest.index_basis,
        latest.source_file,
        latest.source_row

    from latest
    cross join base

)

select * from final
