{#- A supplier's name made comparable across bodies (the rule stated once, here and in the
    doc block col_supplier_name_normalised): upper case; each run of characters other than A-Z, 0-9
    and & becomes one space; trimmed; a final LTD becomes LIMITED. "Serfis Construction &
    Engineering Ltd." and "SERFIS CONSTRUCTION & ENGINEERING LIMITED" are one supplier. Nothing
    else is merged: a name that differs in any other word stays a different supplier. -#}
{% macro normalised_supplier_name(name_expr) -%}
    nullif(
        regexp_replace(trim(regexp_replace(upper({{ name_expr }}), '[^A-Z0-9&]+', ' ', 'g')), ' LTD$', ' LIMITED'),
        ''
    )
{%- endmacro %}
