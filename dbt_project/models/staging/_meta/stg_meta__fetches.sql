with

source as (

    select * from {{ source('meta', 'fetch_manifest') }}

),

renamed as (

    select
        source_id,
        period as source_period,
        url as source_url,
        origin_url,
        mirror_url,
        mode as fetch_mode,
        file_name as source_file,
        cast(retrieved_at as timestamp) as retrieved_at,
        sha256 as source_file_sha256,
        bytes as file_bytes_count,
        etag,
        last_modified,
        outcome as fetch_outcome

    from source

)

select * from renamed
