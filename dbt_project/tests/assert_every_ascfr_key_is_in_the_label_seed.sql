-- A key value the publisher uses that seed ascfr_key_labels does not list fails here, rather than
-- vanishing from the marts: add it to the seed with its label and where the label came from.
{%- set uses = [
    ('stg_ascfr_finance__expenditure', 'care_type_key', 'CareType_KEY'),
    ('stg_ascfr_finance__expenditure', 'age_band_key', 'AgeBand_KEY'),
    ('stg_ascfr_finance__expenditure', 'primary_support_reason_key', 'PrimarySupportReason_KEY'),
    ('stg_ascfr_finance__expenditure', 'support_setting_key', 'SupportSetting_KEY'),
    ('stg_ascfr_finance__expenditure', 'purpose_key', 'Purpose_KEY'),
    ('stg_ascfr_finance__expenditure', 'carer_support_type_key', 'CarerSupportType_KEY'),
    ('stg_ascfr_finance__expenditure', 'data_type_key', 'DataType_KEY'),
    ('stg_ascfr_activity__items', 'data_type_key', 'DataType_KEY'),
    ('stg_ascfr_activity__items', 'age_band_key', 'AgeBand_KEY'),
    ('stg_ascfr_activity__items', 'primary_support_reason_key', 'PrimarySupportReason_KEY'),
    ('stg_ascfr_activity__items', 'care_type_key', 'CareType_KEY'),
    ('stg_ascfr_activity__items', 'support_setting_key', 'SupportSetting_KEY'),
    ('stg_ascfr_activity__items', 'purpose_key', 'Purpose_KEY'),
    ('stg_ascfr_activity__items', 'activity_provision_key', 'ActivityProvision_KEY'),
] %}
-- noqa: disable=all
with

used as (
    {%- for model, column, key_name in uses %}
    select
        '{{ key_name }}' as key_name,
        {{ column }} as key_value,
        min(source_file) as source_file,
        min(source_row) as source_row
    from {{ ref(model) }}
    where {{ column }} is not null
    group by 1, 2
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)
-- noqa: enable=all

select used.*
from used
left join {{ ref('ascfr_key_labels') }} as labels
    on
        used.key_name = labels.key_name
        and used.key_value = labels.key_value
where labels.key_name is null
