{#- A stable surrogate key: the first 16 hex digits of md5 over the natural key's parts. -#}
{% macro surrogate_key(columns) -%}
    left(md5(concat_ws('|', {% for c in columns %}coalesce(cast({{ c }} as varchar), '~'){% if not loop.last %}, {% endif %}{% endfor %})), 16)
{%- endmacro %}
