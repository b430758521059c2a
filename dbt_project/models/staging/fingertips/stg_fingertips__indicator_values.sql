with

source as (

    select * from {{ source('fingertips', 'fingertips') }}

),

renamed as (

    select
        cast(indicator_id as varchar) as published_indicator_id,
        indicator_name,
        parent_code as parent_area_code,
        parent_name as parent_area_name,
        area_code,
        area_name,
        area_type as fingertips_area_type,
        sex,
        age,
        category_type,
        category,
        time_period as period_label,
        cast(period_start_date as date) as period_start_date,
        cast(period_end_date as date) as period_end_date,
        cast(value as double) as value,
        cast(lower_ci_95 as double) as lower_ci_95,
        cast(upper_ci_95 as double) as upper_ci_95,
        cast(count as double) as numerator_count,
        cast(denominator as double) as denominator_count,
        value_status,
        value_note,
        compared_to_england,
        {{ lineage_columns() }}

    from source

)

select * from renamed
