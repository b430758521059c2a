{#- The staging select shared by the RO forms' by-authority sheets (RSX, RO3): one row per
    authority (and England) per item code <form>-<line>-<measure>, £ thousand as published. -#}
{% macro ro_form_items(source_relation) -%}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        {{ mhclg_identity_columns() }},
        certified as certified_flag,
        row_kind,
        item_code,
        service_code,
        measure_code,
        cell_ref,
        line_number,
        column_number,
        column_title,
        value_gbp_thousands,
        value_status,
        value_text,
        _source_column as source_column,
        {{ lineage_columns() }}

    from source

)

select * from renamed
{%- endmacro %}
