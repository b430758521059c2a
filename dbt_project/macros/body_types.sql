{#- The kinds of body whose money a place total adds up, in the order the marts show them (their
    names and scopes are in seeds spend_body_types and spend_scopes). -#}
{% macro body_types() -%}
    {{ return(['council', 'combined_authority', 'police', 'fire', 'nhs']) }}
{%- endmacro %}
