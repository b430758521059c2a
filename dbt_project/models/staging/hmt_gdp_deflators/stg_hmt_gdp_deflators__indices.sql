with

source as (

    select * from {{ source('hmt_gdp_deflators', 'hmt_gdp_deflators') }}

),

renamed as (

    select
        edition,
        outturn_as_at_date,
        base_year,
        financial_year,
        deflator_index,
        index_basis,
        growth_pct,
        is_forecast,
        money_gdp_gbp_m,
        value_text,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
