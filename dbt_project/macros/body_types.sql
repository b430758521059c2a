{#- The kinds of body whose money a place total adds up, in the order the marts show them (their
    names and scopes are in seeds spend_body_types and spend_scopes). -#}
{% macro body_types() -%}
    {{ return(['council', 'combined_authority', 'police', 'fire', 'nhs']) }}
{%- endmacro %}

{#- The local government bodies a place's scope holds, in words: a place no combined authority
    covers has none (dim_area ``areas``: a combined authority area, or a place with one). -#}
{% macro local_bodies(areas) -%}
    case
        when {{ areas }}.area_type = 'combined_authority' or {{ areas }}.combined_authority_code is not null
            then 'council, combined authority, police and fire'
        else 'council, police and fire (no combined authority covers this place)'
    end
{%- endmacro %}
