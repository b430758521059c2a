-- Outcome values from every outcome source in one shape, keyed by the indicator seed's code.
-- Each value is aligned to the financial year that contains the end of its period (a three-year
-- pooled 2021 - 23 value aligns to 2023-24; an Oflog 2022-23 value to 2022-23).
-- published_code is the publisher's own code for the row's measure (it marks series breaks where it
-- changes); publisher_comparison is the publisher's own judgement against England, where given.
with

oflog as (

    select * from {{ ref('stg_oflog_asc__measures') }}

),

fingertips as (

    select * from {{ ref('stg_fingertips__indicator_values') }}

),

ascof as (

    select * from {{ ref('stg_ascof__measure_values') }}

),

cqc as (

    select * from {{ ref('stg_cqc_ratings__location_ratings') }}

),

cqc_areas as (

    select * from {{ ref('cqc_local_authority_names') }}

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
        false as is_derived,
        oflog.measure_code as published_code,
        cast(null as varchar) as publisher_comparison,
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
        false as is_derived,
        fingertips.published_indicator_id as published_code,
        fingertips.compared_to_england as publisher_comparison,
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
    -- the API's own figure (live mode, partition 'all') wins over the republished, rounded copy
    qualify row_number() over (
        partition by
            fingertips.published_indicator_id, fingertips.area_code, fingertips.period_label,
            fingertips.sex, fingertips.age
        order by fingertips.source_period = 'all' desc, fingertips.source_period
    ) = 1

),

ascof_cells as (

    select
        ascof.*,
        max(ascof.value) filter (where lower(ascof.measure_type) = 'numerator') over measure_cell as numerator_count,
        max(ascof.value) filter (where lower(ascof.measure_type) = 'denominator') over measure_cell
            as denominator_count,
        -- survey measures: the publisher's 95% margin of error (in the publisher's full layout only)
        max(ascof.value) filter (where lower(ascof.measure_type) = 'margin of error') over measure_cell
            as margin_of_error

    from ascof
    window measure_cell as (
        partition by ascof.financial_year, ascof.area_code, ascof.measure_code, ascof.disaggregation_level
    )

),

ascof_values as (

    select
        indicators.indicator_code,
        ascof_cells.area_code,
        ascof_cells.financial_year as period_label,
        {{ financial_year_start('ascof_cells.financial_year') }} as period_start_date,
        cast({{ financial_year_start('ascof_cells.financial_year') }} + interval 1 year - interval 1 day as date)
            as period_end_date,
        'Persons' as sex,
        case
            when ascof_cells.disaggregation_level = 'Total' then 'as published' else ascof_cells.disaggregation_level
        end
            as age,
        ascof_cells.value,
        ascof_cells.value - ascof_cells.margin_of_error as lower_ci_95,
        ascof_cells.value + ascof_cells.margin_of_error as upper_ci_95,
        ascof_cells.numerator_count,
        ascof_cells.denominator_count,
        ascof_cells.value_status,
        cast(null as double) as national_median_value,
        false as is_derived,
        ascof_cells.measure_code as published_code,
        cast(null as varchar) as publisher_comparison,
        ascof_cells.source_id,
        ascof_cells.source_file,
        ascof_cells.source_file_sha256,
        ascof_cells.source_url,
        ascof_cells.source_row

    from ascof_cells
    -- a series keeps its indicator across the 2023-24 renumbering (seed ascof_measure_links)
    inner join {{ ref('ascof_measure_links') }} as links
        on
            ascof_cells.measure_code = links.measure_code
            and ascof_cells.financial_year between links.first_financial_year and links.last_financial_year
    inner join indicators
        on
            links.indicator_code = indicators.indicator_code
            and indicators.source_id = 'ascof'
    where
        lower(ascof_cells.measure_type) = 'outcome'
        and ascof_cells.area_code is not null

),

-- the share of rated social care locations rated Good or Outstanding, per council (a count of
-- locations, not of people); computed here from the location-level directory
cqc_values as (

    select
        'cqc_good_outstanding' as indicator_code,
        cqc_areas.area_code,
        cqc.ratings_month as period_label,
        cast(cqc.ratings_month || '-01' as date) as period_start_date,
        cast(cast(cqc.ratings_month || '-01' as date) + interval 1 month - interval 1 day as date) as period_end_date,
        'Persons' as sex,
        'as published' as age,
        round(
            100.0 * count(*) filter (where cqc.latest_rating in ('Good', 'Outstanding'))
            / nullif(count(*) filter (where cqc.latest_rating <> 'Not Rated'), 0),
            1
        ) as value,
        cast(null as double) as lower_ci_95,
        cast(null as double) as upper_ci_95,
        count(*) filter (where cqc.latest_rating in ('Good', 'Outstanding')) as numerator_count,
        count(*) filter (where cqc.latest_rating <> 'Not Rated') as denominator_count,
        'published' as value_status,
        cast(null as double) as national_median_value,
        true as is_derived,
        cast(null as varchar) as published_code,
        cast(null as varchar) as publisher_comparison,
        min(cqc.source_id) as source_id,
        min(cqc.source_file) as source_file,
        min(cqc.source_file_sha256) as source_file_sha256,
        min(cqc.source_url) as source_url,
        min(cqc.source_row) as source_row

    from cqc
    inner join cqc_areas
        on cqc.local_authority_name = cqc_areas.cqc_local_authority_name
    where
        cqc.location_type = 'Social Care Org'
        and cqc.rating_domain = 'Overall'
        and cqc.service_population_group = 'Overall'
    group by cqc_areas.area_code, cqc.ratings_month

),

unioned as (

    select * from oflog_values
    union all
    select * from fingertips_values
    union all
    select * from ascof_values
    union all
    select * from cqc_values

),

aligned as (

    select
        *,
        {{ financial_year_of('period_end_date') }} as financial_year

    from unioned

)

select * from aligned
