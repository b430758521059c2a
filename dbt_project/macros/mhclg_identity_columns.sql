{#- The identity of an MHCLG by-authority row (RA, RSX, RO3), renamed the same way in each staging
    model; the ingest side's twin is ingest/sources/_mhclg.identity_columns. -#}
{% macro mhclg_identity_columns() -%}
    _period as financial_year,
    ons_code as area_code,
    e_code as mhclg_e_code,
    la_name as authority_name,
    class as authority_class,
    subclass as authority_subclass,
    notes as note_flag
{%- endmacro %}
