with

source as (

    select * from {{ source('nhs_gp_weighted_population', 'nhs_gp_weighted_population') }}

),

renamed as (

    select
        _period as financial_year,
        practice_code,
        practice_name,
        icb_ods_code,
        icb_name,
        nhs_region_code,
        lad_code as area_code,
        lad_name as area_name,
        component_code,
        component_label,
        population as weighted_population,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
