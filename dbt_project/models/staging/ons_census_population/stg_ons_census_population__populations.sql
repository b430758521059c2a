with

source as (

    select * from {{ source('ons_census_population', 'ons_census_population') }}

),

renamed as (

    select
        lad_code as area_code,
        lad_name as area_name,
        region_name,
        cast(census2011_usual_residents as bigint) as census2011_usual_residents_count,
        cast(census2021_usual_residents_rounded as bigint) as census2021_usual_residents_count,
        {{ lineage_columns() }}

    from source

)

select * from renamed
