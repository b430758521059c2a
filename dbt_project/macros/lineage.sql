{#- The lineage columns every raw row carries, renamed for staging models. Marts keep
    source_file_sha256 / source_url so any figure can be traced to the file it came from. -#}
{% macro lineage_columns(relation_alias=none) -%}
    {%- set p = (relation_alias ~ '.') if relation_alias else '' -%}
    {{ p }}_source_id as source_id,
    {{ p }}_period as source_period,
    {{ p }}_source_file as source_file,
    {{ p }}_source_file_sha256 as source_file_sha256,
    {{ p }}_source_url as source_url,
    {{ p }}_source_row as source_row,
    {{ p }}_loaded_at as loaded_at
{%- endmacro %}
