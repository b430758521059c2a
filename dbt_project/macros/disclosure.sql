{#- Disclosure control for person counts the warehouse derives and publishes below England level:
    0 stays 0 (status published); 1 to 7 is suppressed (NULL, status [c]); any other count rounds to
    the nearest 5 (status rounded). A count is first rounded to a whole person (halves up).
    The same rules as warehouse/publication/disclosure.py (which also proves suppressed cells cannot
    be recovered); tests/unit/warehouse/publication/test_disclosure_rules_agree.py runs both. -#}
{% macro disclosed_count(expression) -%}
    case
        when ({{ expression }}) is null then null
        when round({{ expression }}) = 0 then 0
        when round({{ expression }}) between 1 and 7 then null
        else cast(round(round({{ expression }}) / 5.0) * 5 as bigint)
    end
{%- endmacro %}

{% macro disclosure_status(expressions) -%}
    case
        {%- for expression in expressions %}
        when round({{ expression }}) between 1 and 7 then '[c]'
        {%- endfor %}
        when {% for expression in expressions %}({{ expression }}) is null{{ ' or ' if not loop.last }}{% endfor %}
            then 'not_available'
        when {% for expression in expressions %}round({{ expression }}) = 0{{ ' and ' if not loop.last }}{% endfor %}
            then 'published'
        else 'rounded'
    end
{%- endmacro %}
