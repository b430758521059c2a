-- Spend per head on a service theme beside the outcome indicators linked to that theme
-- (dim_indicator.theme_code), for the same area and financial year, with England and region
-- comparators. Outcomes are aligned to the financial year containing the end of their period.
-- england_spend_per_head_gbp is all English local authorities' outturn on the theme per head.
-- Each per-head figure has a status beside it: published, not_available (a body's return not
-- submitted: the total is [x]) or not_loaded (no file of that measure is held for the year, e.g.
-- no RA budget for 2022-23 or 2024-25).
with

budget as (

    select * from {{ ref('whole_place_budget') }}

),

outcomes as (

    select * from {{ ref('fct_outcome') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

spend_lines as (

    select * from {{ ref('int_council_spend_lines_unioned') }}

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

spend_per_head as (

    select
        area_code,
        area_name,
        area_type,
        financial_year,
        theme_code,
        theme_name,
        max(per_head_gbp) filter (where measure = 'outturn') as outturn_per_head_gbp,
        max(per_head_gbp) filter (where measure = 'budget') as budget_per_head_gbp,
        coalesce(max(total_status) filter (where measure = 'outturn'), 'not_loaded') as outturn_status,
        coalesce(max(total_status) filter (where measure = 'budget'), 'not_loaded') as budget_status,
        max(population_source) as population_source,
        bool_or(is_synthetic) as spend_is_synthetic

    from budget
    group by 1, 2, 3, 4, 5, 6

),

england_spend as (

    select
        spend_lines.financial_year,
        service_lines.theme_code,
        cast(
            round(cast(spend_lines.value_gbp_thousands * 1000 as double) / populations.population_count, 2) as decimal(
                14, 2
            )
        )
            as england_spend_per_head_gbp

    from spend_lines
    inner join service_lines
        on spend_lines.service_code = service_lines.service_code
    inner join populations
        on
            populations.area_code = '{{ var("england_code") }}'
            and spend_lines.financial_year = populations.financial_year
    where
        spend_lines.row_kind = 'england'
        and spend_lines.measure = 'outturn'

),

final as (

    select
        {{ surrogate_key(['spend_per_head.area_code', 'spend_per_head.financial_year', 'spend_per_head.theme_code',
            'outcomes.indicator_code', 'outcomes.period_label', 'outcomes.sex', 'outcomes.age']) }}
            as spend_vs_outcomes_key,
        spend_per_head.area_code,
        spend_per_head.area_name,
        spend_per_head.area_type,
        spend_per_head.financial_year,
        spend_per_head.theme_code,
        spend_per_head.theme_name,
        spend_per_head.outturn_per_head_gbp,
        spend_per_head.budget_per_head_gbp,
        spend_per_head.outturn_status,
        spend_per_head.budget_status,
        england_spend.england_spend_per_head_gbp,
        spend_per_head.population_source,
        outcomes.indicator_code,
        indicators.indicator_name,
        indicators.unit,
        indicators.polarity,
        outcomes.period_label as outcome_period,
        outcomes.sex,
        outcomes.age,
        outcomes.value as outcome_value,
        outcomes.value_status as outcome_status,
        outcomes.england_value,
        outcomes.region_value,
        outcomes.national_median_value,
        spend_per_head.spend_is_synthetic or outcomes.is_synthetic as is_synthetic

    from spend_per_head
    inner join outcomes
        on
            spend_per_head.area_code = outcomes.area_code
            and spend_per_head.financial_year = outcomes.financial_year
    inner join indicators
        on
            outcomes.indicator_code = indicators.indicator_code
            and spend_per_head.theme_code = indicators.theme_code
    left join england_spend
        on
            spend_per_head.financial_year = england_spend.financial_year
            and spend_per_head.theme_code = england_spend.theme_code

)

{{ select_with_real_terms('final', ['outturn_per_head_gbp', 'budget_per_head_gbp', 'england_spend_per_head_gbp']) }}
