with

source as (

    select * from {{ source('mhclg_ro_timeseries', 'mhclg_ro_timeseries') }}

),

renamed as (

    select
        financial_year,
        ons_code as area_code,
        lgf_code as mhclg_lgf_code,
        la_name as authority_name,
        la_class as authority_class,
        la_subclass as authority_subclass,
        submission_status,
        year_ending,
        item_code,
        form as form_code,
        asset_id,
        measure as measure_code,
        value_gbp_thousands,
        value_status,
        value_text,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
