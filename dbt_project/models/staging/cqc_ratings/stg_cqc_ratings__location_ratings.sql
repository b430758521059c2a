with

source as (

    select * from {{ source('cqc_ratings', 'cqc_ratings') }}

),

renamed as (

    select
        _period as ratings_month,
        location_id,
        location_name,
        is_care_home,
        location_type,
        primary_inspection_category,
        local_authority_name,
        service_population_group,
        domain as rating_domain,
        latest_rating,
        publication_date,
        provider_id,
        provider_name,
        {{ lineage_columns() }}

    from source

)

select * from renamed
