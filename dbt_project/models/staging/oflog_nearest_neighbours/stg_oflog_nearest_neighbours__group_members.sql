with

source as (

    select * from {{ source('oflog_nearest_neighbours', 'oflog_nearest_neighbours') }}

),

renamed as (

    select
        la_code as area_code,
        neighbour_code as neighbour_area_code,
        {{ lineage_columns() }}

    from source
    where not is_self

)

select * from renamed
