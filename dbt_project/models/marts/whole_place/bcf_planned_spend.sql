-- Better Care Fund planned spend on two scheme types (bed-based intermediate care, reablement at
-- home) for each of the region's health and wellbeing boards, beside the publisher's England total,
-- in pounds as published. This money is already inside the councils' and ICBs' figures (the BCF
-- pools them): never add it to a whole-place total.
with

planned as (

    select * from {{ ref('stg_bcf_end_of_year__planned_expenditure') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

england as (

    select
        financial_year,
        scheme_type,
        planned_spend_gbp as england_planned_spend_gbp,
        value_status as england_status

    from planned
    where row_kind = 'total'

),

boards as (

    select
        planned.*,
        areas.area_name

    from planned
    inner join areas
        on planned.area_code = areas.area_code
    where planned.row_kind = 'board'

),

final as (

    select
        {{ surrogate_key(['boards.area_code', 'boards.financial_year', 'boards.scheme_type']) }}
            as bcf_planned_spend_key,
        boards.area_code,
        boards.area_name,
        boards.financial_year,
        boards.scheme_type,
        boards.scheme_heading as scheme_name,
        boards.planned_spend_gbp,
        boards.value_status,
        england.england_planned_spend_gbp,
        england.england_status,
        boards.source_file_sha256,
        boards.source_row,
        boards.source_column

    from boards
    left join england
        on
            boards.financial_year = england.financial_year
            and boards.scheme_type = england.scheme_type

)

select * from final
