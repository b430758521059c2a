with

source as (

    select * from {{ source('meta', 'source_catalogue') }}

),

renamed as (

    select
        source_id,
        family as source_family,
        publisher,
        title as source_title,
        landing_page,
        licence,
        attribution,
        synthetic as is_synthetic,
        provenance

    from source

)

select * from renamed
