-- Outcome indicator values for the region's areas, England and the region, with comparators
-- (is_derived: computed by the warehouse, e.g. the combined authority area from its councils):
-- the England and region values for the same indicator, period, sex and age where published,
-- and the national median of councils where the publisher gives it (Oflog).
with

outcomes as (

    select * from {{ ref('int_outcomes_unioned') }}
    union all
    select * from {{ ref('int_outcomes_combined_authority_derived') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

in_scope as (

    select outcomes.*
    from outcomes
    inner join areas
        on outcomes.area_code = areas.area_code
    where areas.area_type in ('local_authority', 'combined_authority', 'region', 'country', 'icb')

),

england as (

    select
        indicator_code,
        period_label,
        sex,
        age,
        value
    from outcomes
    where area_code = '{{ var("england_code") }}'

),

region as (

    select
        outcomes.indicator_code,
        outcomes.period_label,
        outcomes.sex,
        outcomes.age,
        outcomes.value
    from outcomes
    inner join areas
        on
            outcomes.area_code = areas.area_code
            and areas.area_type = 'region'

),

final as (

    select
        {{ surrogate_key([
            'in_scope.indicator_code', 'in_scope.area_code', 'in_scope.period_label', 'in_scope.sex', 'in_scope.age'
        ]) }}
            as outcome_key,
        {{ surrogate_key(['in_scope.indicator_code']) }} as indicator_key,
        {{ surrogate_key(['in_scope.area_code']) }} as area_key,
        {{ surrogate_key(['in_scope.financial_year']) }} as period_key,
        in_scope.indicator_code,
        in_scope.area_code,
        in_scope.period_label,
        in_scope.period_start_date,
        in_scope.period_end_date,
        in_scope.financial_year,
        in_scope.sex,
        in_scope.age,
        in_scope.value,
        in_scope.lower_ci_95,
        in_scope.upper_ci_95,
        in_scope.numerator_count,
        in_scope.denominator_count,
        in_scope.value_status,
        in_scope.is_derived,
        in_scope.is_derived and coalesce(indicators.counts_are_persons, false) as has_derived_person_counts,
        england.value as england_value,
        region.value as region_value,
        in_scope.national_median_value,
        in_scope.source_id,
        in_scope.source_file,
        in_scope.source_file_sha256,
        in_scope.source_url,
        in_scope.source_row,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from in_scope
    left join england
        on
            in_scope.indicator_code = england.indicator_code
            and in_scope.period_label = england.period_label
            and in_scope.sex = england.sex
            and in_scope.age = england.age
    left join region
        on
            in_scope.indicator_code = region.indicator_code
            and in_scope.period_label = region.period_label
            and in_scope.sex = region.sex
            and in_scope.age = region.age
    left join sources
        on in_scope.source_id = sources.source_id
    left join indicators
        on in_scope.indicator_code = indicators.indicator_code

)

select * from final
