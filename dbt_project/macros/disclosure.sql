{#- Disclosure control for person counts the warehouse derives and publishes below England level
    (the rules of warehouse/disclosure.py, which also proves suppressed cells cannot be recovered):
    0 stays 0; 1 to 7 is suppressed (NULL, status [c]); others round to the nearest 5. -#}
{% macro disclosed_count(expression) -%}
    case
        when ({{ expression }}) is null then null
        when ({{ expression }}) = 0 then 0
        when ({{ expression }}) between 1 and 7 then null
        else cast(round(({{ expression }}) / 5.0) * 5 as bigint)
    end
{%- endmacro %}

{% macro disclosure_status(expressions) -%}
    case
        {%- for expression in expressions %}
        when ({{ expression }}) between 1 and 7 then '[c]'
        {%- endfor %}
        when {% for expression in expressions %}({{ expression }}) is null{{ ' or ' if not loop.last }}{% endfor %}
            then 'not_available'
        else 'rounded'
    end
{%- endmacro %}
