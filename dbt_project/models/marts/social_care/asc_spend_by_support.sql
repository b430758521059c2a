-- Adult social care expenditure by primary support reason, support setting, age band and care
-- type (ASC-FR), for the region's councils with the publisher's own region and England totals as
-- comparators. Gross and net current expenditure in pounds; keys as published beside their
-- labels (NULL where the publisher's label is not held: see seed ascfr_key_labels).
-- data_type_key: the 2016-17 file's rows with key 2 are all zero; figures are in key 1.
with

expenditure as (

    select * from {{ ref('int_asc_expenditure_labelled') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

in_scope as (

    select expenditure.*
    from expenditure
    left join areas
        on expenditure.area_code = areas.area_code
    where
        expenditure.geography_level = 'england'
        or (expenditure.geography_level in ('council', 'region') and areas.area_code is not null)

),

pivoted as (

    select
        financial_year,
        geography_level,
        area_code,
        care_type_key,
        care_type_label,
        age_band_key,
        age_band_label,
        primary_support_reason_key,
        primary_support_reason_label,
        support_setting_key,
        support_setting_label,
        purpose_key,
        purpose_label,
        carer_support_type_key,
        data_type_key,
        max(amount_gbp) filter (where measure_code = 'gross_current_expenditure') as gross_current_expenditure_gbp,
        max(amount_gbp) filter (where measure_code = 'net_current_expenditure') as net_current_expenditure_gbp,
        max(amount_gbp) filter (where measure_code = 'total_income') as income_gbp,
        min(source_file_sha256) as source_file_sha256,
        min(source_row) as source_row

    from in_scope
    group by all

),

final as (

    select
        {{ surrogate_key([
            'financial_year', 'area_code', 'care_type_key', 'age_band_key', 'primary_support_reason_key',
            'support_setting_key', 'purpose_key', 'carer_support_type_key', 'data_type_key'
        ]) }} as asc_spend_key,
        pivoted.*

    from pivoted

)

select * from final
