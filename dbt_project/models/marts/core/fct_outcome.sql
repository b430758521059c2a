-- Outcome indicator values for the region's areas, England and the region, with comparators
-- (is_derived: computed by the warehouse, e.g. the combined authority area from its councils):
-- the England and region values for the same indicator, period, sex and age where published,
-- and the national median of councils where the publisher gives it (Oflog); the median of the
-- area's Oflog nearest neighbours; whether the value is significantly better, similar or worse than
-- England's (england_comparison, method in england_comparison_method); and where a series breaks
-- (the publisher's code or the source changes from the previous period).
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

neighbours as (

    select * from {{ ref('stg_oflog_nearest_neighbours__group_members') }}

),

series_links as (

    select * from {{ ref('ascof_measure_links') }}

),

-- the median of each area's Oflog nearest neighbours' values (the area itself not among them)
neighbour_values as (

    select
        neighbours.area_code,
        outcomes.indicator_code,
        outcomes.period_label,
        outcomes.sex,
        outcomes.age,
        median(outcomes.value) as neighbours_median_value,
        count(*) as neighbours_count

    from neighbours
    inner join outcomes
        on neighbours.neighbour_area_code = outcomes.area_code
    where outcomes.value is not null
    group by all

),

-- the previous period of the same series, to mark where the publisher's code or the source changes
sequenced as (

    select
        *,
        lag(published_code) over series as previous_published_code,
        lag(source_id) over series as previous_source_id,
        lag(period_label) over series as previous_period_label

    from outcomes
    window series as (partition by indicator_code, area_code, sex, age order by period_end_date, period_label)

),

in_scope as (

    select
        sequenced.*,
        sequenced.previous_period_label is not null
        and coalesce(sequenced.source_id, '') != coalesce(sequenced.previous_source_id, '') as is_source_change,
        sequenced.previous_period_label is not null
        and (
            coalesce(sequenced.published_code, '') != coalesce(sequenced.previous_published_code, '')
            or coalesce(sequenced.source_id, '') != coalesce(sequenced.previous_source_id, '')
        ) as is_series_break
    from sequenced
    inner join areas
        on sequenced.area_code = areas.area_code
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

area_regions as (

    select * from {{ ref('int_area_regions_mapped') }}

),

region as (

    select
        area_regions.area_code,
        outcomes.indicator_code,
        outcomes.period_label,
        outcomes.sex,
        outcomes.age,
        outcomes.value
    from outcomes
    inner join area_regions
        on outcomes.area_code = area_regions.ons_region_code

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
        neighbour_values.neighbours_median_value,
        coalesce(neighbour_values.neighbours_count, 0) as neighbours_count,
        case
            when in_scope.area_code = '{{ var("england_code") }}' or in_scope.value is null then 'not_compared'
            when in_scope.lower_ci_95 is not null and in_scope.upper_ci_95 is not null and england.value is not null
                then
                    case
                        when in_scope.lower_ci_95 > england.value
                            then
                                case indicators.polarity
                                    when 'higher_is_better' then 'better'
                                    when 'lower_is_better' then 'worse'
                                    else 'higher'
                                end
                        when in_scope.upper_ci_95 < england.value
                            then
                                case indicators.polarity
                                    when 'higher_is_better' then 'worse'
                                    when 'lower_is_better' then 'better'
                                    else 'lower'
                                end
                        else 'similar'
                    end
            when lower(in_scope.publisher_comparison) in ('better', 'similar', 'worse', 'higher', 'lower')
                then lower(in_scope.publisher_comparison)
            else 'not_compared'
        end as england_comparison,
        case
            when in_scope.area_code = '{{ var("england_code") }}' or in_scope.value is null then 'none'
            when in_scope.lower_ci_95 is not null and in_scope.upper_ci_95 is not null and england.value is not null
                then 'ci95_vs_england_value'
            when lower(in_scope.publisher_comparison) in ('better', 'similar', 'worse', 'higher', 'lower')
                then 'as_published'
            else 'none'
        end as england_comparison_method,
        in_scope.published_code,
        in_scope.is_series_break,
        case
            when in_scope.is_source_change
                then
                    'series break: the source changes from ' || coalesce(in_scope.previous_source_id, '?')
                    || ' (to ' || in_scope.previous_period_label || ') to ' || in_scope.source_id
            when in_scope.is_series_break
                then
                    'series break: the published code changes from ' || coalesce(in_scope.previous_published_code, '?')
                    || ' (to ' || in_scope.previous_period_label || ') to ' || coalesce(in_scope.published_code, '?')
                    || coalesce('; joined as one series because: ' || series_links.joined_because, '')
        end as series_break_note,
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
            in_scope.area_code = region.area_code
            and in_scope.indicator_code = region.indicator_code
            and in_scope.period_label = region.period_label
            and in_scope.sex = region.sex
            and in_scope.age = region.age
    left join sources
        on in_scope.source_id = sources.source_id
    left join indicators
        on in_scope.indicator_code = indicators.indicator_code
    left join neighbour_values
        on
            in_scope.area_code = neighbour_values.area_code
            and in_scope.indicator_code = neighbour_values.indicator_code
            and in_scope.period_label = neighbour_values.period_label
            and in_scope.sex = neighbour_values.sex
            and in_scope.age = neighbour_values.age
    left join series_links
        on
            in_scope.is_series_break
            and in_scope.source_id = 'ascof'
            and in_scope.indicator_code = series_links.indicator_code
            and in_scope.published_code = series_links.measure_code
            and in_scope.financial_year between series_links.first_financial_year and series_links.last_financial_year

)

select * from final
