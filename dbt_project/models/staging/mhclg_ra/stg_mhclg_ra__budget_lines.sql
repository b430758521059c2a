with

source as (

    select * from {{ source('mhclg_ra', 'mhclg_ra') }}

),

renamed as (

    select
        {{ mhclg_identity_columns() }},
        row_kind,
        line_number,
        asset_id as published_asset_id,
        section as section_name,
        line_title,
        value_gbp_thousands,
        value_status,
        value_text,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
