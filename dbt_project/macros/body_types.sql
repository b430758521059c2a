{#- The kinds of body whose money a place total adds up, in the order the marts show them (their
    names and scopes are in seeds spend_body_types and spend_scopes). -#}
{% macro body_types() -%}
    {{ return(['council', 'combined_authority', 'police', 'fire', 'nhs']) }}
{%- endmacro %}

{#- Whether a combined authority is in an area's scope (dim_area ``areas``): a combined authority
    area, or a place one covers. -#}
{% macro has_combined_authority(areas) -%}
    ({{ areas }}.area_type = 'combined_authority' or {{ areas }}.combined_authority_code is not null)
{%- endmacro %}

{#- The local government bodies a place's scope holds, in words: a place no combined authority
    covers has none. -#}
{% macro local_bodies(areas) -%}
    case
        when {{ has_combined_authority(areas) }}
            then 'council, combined authority, police and fire'
        else 'council, police and fire (no combined authority covers this place)'
    end
{%- endmacro %}
