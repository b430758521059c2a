{#- Financial year label ('2023-24') of a date: UK financial years run 1 April to 31 March. -#}
{% macro financial_year_of(date_expr) -%}
    (
        cast(year({{ date_expr }}) - case when month({{ date_expr }}) < 4 then 1 else 0 end as varchar)
        || '-'
        || right(cast(year({{ date_expr }}) - case when month({{ date_expr }}) < 4 then 0 else -1 end as varchar), 2)
    )
{%- endmacro %}

{#- Start date of a financial year label ('2023-24' -> 2023-04-01). -#}
{% macro financial_year_start(label_expr) -%}
    make_date(cast(left({{ label_expr }}, 4) as integer), 4, 1)
{%- endmacro %}
