{#- Use the configured schema name as is (staging, intermediate, marts, reference), not
    <target schema>_<custom schema>: the warehouse has one environment per DuckDB file. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
