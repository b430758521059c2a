-- A key value the publisher uses that seed ascfr_key_labels does not list fails here, rather than
-- vanishing from the marts: add it to the seed with its label and where the label came from.
{%- set keys = {
    'care_type_key': 'CareType_KEY',
    'age_band_key': 'AgeBand_KEY',
    'primary_support_reason_key': 'PrimarySupportReason_KEY',
    'support_setting_key': 'SupportSetting_KEY',
    'purpose_key': 'Purpose_KEY',
    'carer_support_type_key': 'CarerSupportType_KEY',
    'data_type_key': 'DataType_KEY',
    'activity_provision_key': 'ActivityProvision_KEY',
} %}
with

used as (

    {%- for column, key_name in keys.items() %}
    {%- if column != 'activity_provision_key' %}
    select distinct
        '{{ key_name }}' as key_name,
        {{ column }} as key_value,
        source_file,
        min(source_row) over (partition by {{ column }}) as source_row
    from {{ ref('stg_ascfr_finance__expenditure') }}
    where {{ column }} is not null
    union all
    {%- endif %}
    {%- if column not in ('carer_support_type_key',) %}
    select distinct
        '{{ key_name }}' as key_name,
        {{ column }} as key_value,
        source_file,
        min(source_row) over (partition by {{ column }}) as source_row
    from {{ ref('stg_ascfr_activity__items') }}
    where {{ column }} is not null
    {{ 'union all' if not loop.last }}
    {%- endif %}
    {%- endfor %}

)

select used.*
from used
left join {{ ref('ascfr_key_labels') }} as labels
    on
        used.key_name = labels.key_name
        and used.key_value = labels.key_value
where labels.key_name is null
