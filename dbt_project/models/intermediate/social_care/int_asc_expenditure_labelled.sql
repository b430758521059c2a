-- ASC-FR expenditure with each numeric key labelled from seed ascfr_key_labels (which names the
-- source of every label; keys whose labels are not held keep a NULL label, never a guess).
{%- set keys = {
    'care_type_key': 'CareType_KEY',
    'age_band_key': 'AgeBand_KEY',
    'primary_support_reason_key': 'PrimarySupportReason_KEY',
    'support_setting_key': 'SupportSetting_KEY',
    'purpose_key': 'Purpose_KEY',
    'carer_support_type_key': 'CarerSupportType_KEY',
    'data_type_key': 'DataType_KEY',
} %}
with

expenditure as (

    select * from {{ ref('stg_ascfr_finance__expenditure') }}

),

labels as (

    select * from {{ ref('ascfr_key_labels') }}

),

-- one join per key, generated (sqlfluff cannot lay out a templated loop)
-- noqa: disable=all
labelled as (

    select
        expenditure.*,
        {%- for column in keys %}
        {{ column }}_labels.label as {{ column | replace('_key', '_label') }}{{ ',' if not loop.last }}
        {%- endfor %}

    from expenditure
    {%- for column, key_name in keys.items() %}
    left join labels as {{ column }}_labels
        on
            {{ column }}_labels.key_name = '{{ key_name }}'
            and expenditure.{{ column }} = {{ column }}_labels.key_value
    {%- endfor %}

)
-- noqa: enable=all

select * from labelled
