{#- The kind of an upper-tier place, from its GSS code's entity prefix (ONS Code History Database):
    E06 unitary authority, E08 metropolitan district, E09 London borough (and the City of London),
    E10 county (its shire districts, E07, count in it). -#}
{% macro place_type(code) -%}
    case left({{ code }}, 3)
        when 'E06' then 'unitary_authority'
        when 'E08' then 'metropolitan_district'
        when 'E09' then 'london_borough'
        when 'E10' then 'county'
        when 'E07' then 'shire_district'
    end
{%- endmacro %}
