{#- A money mart's final select with its money in real terms beside the cash: for each column
    <name>_gbp a column <name>_real_gbp at the prices of var prices_base_year (pounds rounded to
    the pound; per head figures to the penny), and the deflator's edition, base year and whether
    the year's deflator is a forecast. Years the deflator edition does not cover have none. -#}
{% macro select_with_real_terms(relation, money_columns) -%}
select
    {{ relation }}.*,
    {% for column in money_columns -%}
    {%- set places = 2 if 'per_head' in column else 0 -%}
    cast(
        round({{ relation }}.{{ column }} * deflators.real_terms_factor, {{ places }})
        as decimal(18, {{ places }})
    ) as {{ column[:-4] }}_real_gbp,
    {% endfor -%}
    deflators.prices_base_year,
    deflators.deflator_edition,
    deflators.deflator_is_forecast

from {{ relation }}
left join {{ ref('int_deflators_rebased') }} as deflators
    on {{ relation }}.financial_year = deflators.financial_year
{%- endmacro %}
