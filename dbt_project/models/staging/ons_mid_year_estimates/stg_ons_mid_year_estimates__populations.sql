with

source as (

    select * from {{ source('ons_mid_year_estimates', 'ons_mid_year_estimates') }}

),

renamed as (

    select
        area_code,
        area_name,
        geography as geography_level,
        cast(mid_year as integer) as mid_year,
        cast(edition_year as integer) as edition_year,
        cast(population as bigint) as population_count,
        sheet_name as source_sheet,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
