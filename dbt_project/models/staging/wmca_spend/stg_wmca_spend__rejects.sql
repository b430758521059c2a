with

source as (

    select * from {{ source('wmca_spend', 'wmca_spend_rejects') }}

),

renamed as (

    select
        _source_file as source_file,
        _source_file_sha256 as source_file_sha256,
        _source_row as source_row,
        column_name as source_column,
        value as published_value,
        reason

    from source

)

select * from renamed
