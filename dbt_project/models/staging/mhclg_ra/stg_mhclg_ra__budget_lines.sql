with

source as (

    select * from {{ source('mhclg_ra', 'mhclg_ra') }}

),

renamed as (

    select
        _period as financial_year,
        ons_code as area_code,
        e_code as mhclg_e_code,
        la_name as authority_name,
        class as authority_class,
        subclass as authority_subclass,
        notes as note_flag,
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
