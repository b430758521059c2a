with

source as (

    select * from {{ source('nomis_population', 'nomis_population') }}

),

renamed as (

    select
        cast(mid_year as integer) as mid_year,
        _period as financial_year,
        geography_code as area_code,
        geography_name as area_name,
        gender,
        age,
        measure,
        cast(population as bigint) as population_count,
        obs_status,
        {{ lineage_columns() }}

    from source

)

select * from renamed
