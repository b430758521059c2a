-- Fails when an ICB's allocation cannot be apportioned because no practice weights are loaded
-- for that ICB and year (the money would otherwise vanish from every place).
with

allocations as (

    select * from {{ ref('stg_nhs_icb_allocations__allocations') }}

),

apportioned as (

    select distinct
        financial_year,
        icb_ods_code,
        stream_code

    from {{ ref('int_nhs_allocations_apportioned') }}

)

select
    allocations.source_id,
    allocations.financial_year,
    allocations.icb_ods_code,
    allocations.stream_code,
    allocations.source_file,
    allocations.source_row

from allocations
left join apportioned
    on
        allocations.financial_year = apportioned.financial_year
        and allocations.icb_ods_code = apportioned.icb_ods_code
        and allocations.stream_code = apportioned.stream_code
where apportioned.icb_ods_code is null
