{#- What every payment disclosure's staging shares (spend500, wmca_spend): the quarantined rows
    renamed, and the lineage of a payment row (the file-set loaders' raw columns, which carry no
    period or URL: the file's name and sha256 are its identity, source_files.csv its URL). -#}
{% macro payment_rejects(source_relation) -%}
with

source as (

    select * from {{ source_relation }}

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
{%- endmacro %}

{% macro payment_lineage_columns(source_id) -%}
    '{{ source_id }}' as source_id,
    _source_file as source_file,
    _source_file_sha256 as source_file_sha256,
    _source_row as source_row
{%- endmacro %}
