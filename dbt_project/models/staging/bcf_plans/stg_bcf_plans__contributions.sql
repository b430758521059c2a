with

source as (

    select * from {{ source('bcf_plans', 'bcf_plans') }}

),

renamed as (

    select
        financial_year,
        hwb_code as area_code,
        hwb_name as area_name,
        contribution_code,
        contribution_label,
        amount_gbp,
        value_status,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source
    where contribution_code <> 'total_pooled_budget'  -- the publisher's row total (checked in the raw suite)

)

select * from renamed
