{#- The 'unknown' row every dimension carries so facts never drop rows silently.
    values: a list of [column, SQL expression] pairs, in the dimension's column order. -#}
{% macro unknown_member(values) -%}
    select
        {%- for column, expression in values %}
        {{ expression }} as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}
