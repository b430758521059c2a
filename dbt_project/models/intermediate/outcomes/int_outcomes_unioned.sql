-- Outcome values from every outcome source in one shape, keyed by the indicator seed's code.
-- Each value is aligned to the financial year that contains the end of its period (a three-year
-- pooled 2021 - 23 value aligns to 2023-24; an Oflog 2022-23 value to 2022-23).
with

oflog as (

    select * from {{ ref('stg_oflog_asc__measures') }}

),

fingertips as (

    select * from {{ ref('stg_fingertips__indicator_values') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

oflog_values as (

    select
        indicators.indicator_code,
        oflog.area_code,
        oflog.financial_year as period_label,
        {{ financial_year_start('oflog.financial_year') }} as period_start_date,
        cast({{ financial_year_start('oflog.financial_year') }} + interval 1 year - interval 1 day as date)
            as period_end_date,
        'Persons' as sex,
        'as published' as age,
        oflog.value,
        cast(null as double) as lower_ci_95,
        cast(null as double) as upper_ci_95,
        cast(null as double) as numerator_count,
        cast(null as double) as denominator_count,
        oflog.value_status,
        oflog.national_median_value,
        oflog.source_id,
        oflog.source_file,
        oflog.source_file_sha256,
        oflog.source_url,
        oflog.source_row

    from oflog
    inner join indicators
        on
            oflog.measure_code = indicators.published_id
            and indicators.source_id = 'oflog_asc'

),

fingertips_values as (

    select
        indicators.indicator_code,
        fingertips.area_code,
        fingertips.period_label,
        fingertips.period_start_date,
        fingertips.period_end_date,
        fingertips.sex,
        fingertips.age,
        fingertips.value,
        fingertips.lower_ci_95,
        fingertips.upper_ci_95,
        fingertips.numerator_count,
        fingertips.denominator_count,
        fingertips.value_status,
        cast(null as double) as national_median_value,
        fingertips.source_id,
        fingertips.source_file,
        fingertips.source_file_sha256,
        fingertips.source_url,
        fingertips.source_row

    from fingertips
    inner join indicators
        on
            fingertips.published_indicator_id = indicators.published_id
            and indicators.source_id = 'fingertips'
    where coalesce(fingertips.category_type, '') = ''

),

unioned as (

    select * from oflog_values
    union all
    select * from fingertips_values

),

aligned as (

    select
        *,
        {{ financial_year_of('period_end_date') }} as financial_year

    from unioned

)

select * from aligned
