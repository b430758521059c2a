with

source as (

    select * from {{ source('ascof', 'ascof') }}

),

renamed as (

    select
        financial_year,
        area_code,
        geographical_description as area_name,
        geographical_code,
        geographical_level,
        case lower(geographical_level)
            when 'national' then 'national'
            when 'england' then 'national'
            when 'regional' then 'regional'
            when 'region' then 'regional'
            when 'council type' then 'council_type'
            when 'local authority' then 'local_authority'
            when 'council' then 'local_authority'
        end as area_level,
        measure_code,
        measure_description,
        disaggregation_level,
        measure_type,
        value,
        value_status,
        value_text,
        {{ lineage_columns() }}

    from source

)

select * from renamed
