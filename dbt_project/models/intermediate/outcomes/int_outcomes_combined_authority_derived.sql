-- Outcome rates for the combined authority area, derived from its councils' published counts:
-- for indicators that are a rate of people (seed indicators: rate_multiplier, counts_are_persons),
-- the councils' numerators and denominators are added up and the rate recomputed. Only where
-- every council of the area published both counts (never a partial sum). These are person counts
-- the warehouse derived itself, so disclosure control applies: the counts are rounded to 5 (1 to 7
-- suppressed) and the rate is recomputed from the rounded counts (macros/disclosure.sql).
with

outcomes as (

    select * from {{ ref('int_outcomes_unioned') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

member_counts as (

    select
        combined_authority_code,
        count(*) as council_count

    from councils
    where combined_authority_code is not null
    group by 1

),

council_cells as (

    select
        councils.combined_authority_code as area_code,
        outcomes.indicator_code,
        outcomes.period_label,
        outcomes.period_start_date,
        outcomes.period_end_date,
        outcomes.sex,
        outcomes.age,
        outcomes.financial_year,
        outcomes.numerator_count,
        outcomes.denominator_count,
        indicators.rate_multiplier,
        outcomes.published_code,
        outcomes.source_id,
        outcomes.source_file,
        outcomes.source_file_sha256,
        outcomes.source_url

    from outcomes
    inner join councils
        on outcomes.area_code = councils.area_code
    inner join indicators
        on outcomes.indicator_code = indicators.indicator_code
    where
        indicators.counts_are_persons
        and indicators.rate_multiplier is not null

),

summed as (

    select
        indicator_code,
        area_code,
        period_label,
        period_start_date,
        period_end_date,
        sex,
        age,
        financial_year,
        sum(numerator_count) as numerator_count,
        sum(denominator_count) as denominator_count,
        max(rate_multiplier) as rate_multiplier,
        count(*) filter (where numerator_count is not null and denominator_count is not null) as complete_councils,
        min(published_code) as published_code,
        min(source_id) as source_id,
        min(source_file) as source_file,
        min(source_file_sha256) as source_file_sha256,
        min(source_url) as source_url

    from council_cells
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

derived as (

    select
        summed.indicator_code,
        summed.area_code,
        summed.period_label,
        summed.period_start_date,
        summed.period_end_date,
        summed.sex,
        summed.age,
        round(
            {{ disclosed_count('summed.numerator_count') }}
            / nullif({{ disclosed_count('summed.denominator_count') }}, 0) * summed.rate_multiplier,
            1
        ) as value,
        cast(null as double) as lower_ci_95,
        cast(null as double) as upper_ci_95,
        {{ disclosed_count('summed.numerator_count') }} as numerator_count,
        {{ disclosed_count('summed.denominator_count') }} as denominator_count,
        {{ disclosure_status(['summed.numerator_count', 'summed.denominator_count']) }} as value_status,
        cast(null as double) as national_median_value,
        true as is_derived,
        summed.published_code,
        cast(null as varchar) as publisher_comparison,
        summed.source_id,
        summed.source_file,
        summed.source_file_sha256,
        summed.source_url,
        cast(null as integer) as source_row,
        summed.financial_year

    from summed
    inner join member_counts
        on summed.area_code = member_counts.combined_authority_code
    where summed.complete_councils = member_counts.council_count

)

select * from derived
