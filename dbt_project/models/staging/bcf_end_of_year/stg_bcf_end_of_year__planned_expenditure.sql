with

source as (

    select * from {{ source('bcf_end_of_year', 'bcf_end_of_year') }}

),

renamed as (

    select
        _period as financial_year,
        case when row_kind = 'total' then '{{ var("england_code") }}' else hwb_code end as area_code,
        case when row_kind = 'total' then 'England' else hwb_name end as hwb_name,
        row_kind,
        scheme_type,
        scheme_heading,
        planned_spend_gbp,
        value_status,
        value_text,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
