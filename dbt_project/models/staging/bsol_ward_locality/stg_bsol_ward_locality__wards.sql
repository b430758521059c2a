with

source as (

    select * from {{ source('bsol_ward_locality', 'bsol_ward_locality') }}

),

renamed as (

    select
        ward_code,
        ward_name,
        la_code as area_code,
        la_name as area_name,
        locality_name,
        {{ lineage_columns() }}

    from source

)

select * from renamed
