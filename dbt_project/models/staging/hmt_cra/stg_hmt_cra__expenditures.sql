with

source as (

    select * from {{ source('hmt_cra', 'hmt_cra') }}

),

renamed as (

    select
        table_code,
        replace(replace(measure, '_gbp_m', ''), '_gbp', '') as measure,
        spending_scope,
        function_code,
        spending_type,
        region_code,
        published_region_name,
        financial_year,
        case
            when measure like '%_gbp_m' then cast(value * 1000000 as decimal(18, 0))
            else cast(value as decimal(18, 0))
        end as value_gbp,
        value_status,
        value_text,
        sheet_name,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
