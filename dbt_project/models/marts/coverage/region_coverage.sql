-- How much of each English region's (and England's) public money the warehouse counts: for every
-- region, financial
-- year and function of HM Treasury's Country and Regional Analysis (CRA), identifiable spending as
-- the CRA publishes it, what the warehouse counts from published place-level figures in that
-- region, the share counted and the remainder, with who spends the remainder in words (seed
-- hmt_cra_functions). Years the warehouse has no outturn for have the CRA's figure and no count
-- (counted_status not_loaded).
--
-- On the 'total' rows, local government is checked separately: the CRA's local government
-- identifiable spending (table 9.17) against everything the warehouse counts in the region. They
-- differ by definition: the CRA's is current and capital spending on services, the warehouse's is
-- MHCLG's net current expenditure (after sales, fees and specific grants, before capital).
with

remainders as (

    select * from {{ ref('int_region_remainders_computed') }}

),

local_government as (

    select * from {{ ref('stg_hmt_cra__expenditures') }}
    where measure = 'cash' and spending_scope = 'local_government'

),

per_head as (

    select * from {{ ref('stg_hmt_cra__expenditures') }}
    where measure = 'per_head' and spending_scope = 'all' and function_code = 'total'

),

final as (

    select
        {{ surrogate_key(['remainders.region_code', 'remainders.financial_year', 'remainders.function_code']) }}
            as region_coverage_key,
        remainders.region_code,
        remainders.region_name,
        remainders.financial_year,
        remainders.function_code,
        remainders.function_name,
        remainders.parent_function_code,
        remainders.cra_table,
        remainders.cra_gbp,
        per_head.value_gbp as cra_per_head_gbp,
        remainders.cra_source_row,
        remainders.cra_source_column,
        remainders.counted_gbp,
        case when remainders.is_counted_year then 'published' else 'not_loaded' end as counted_status,
        case
            when remainders.counted_gbp is not null and remainders.cra_gbp > 0
                then cast(round(100.0 * remainders.counted_gbp / remainders.cra_gbp, 1) as decimal(8, 1))
        end as counted_share_pct,
        remainders.cra_gbp - remainders.counted_gbp as remainder_gbp,
        coalesce(remainders.counted_gbp > remainders.cra_gbp, false) as counted_exceeds_cra,
        case
            when remainders.counted_gbp > remainders.cra_gbp
                then
                    'The warehouse counts more than the CRA for this function: the definitions differ (MHCLG net '
                    || 'current expenditure by service line against the CRA''s COFOG function); the estimate shares '
                    || 'the CRA''s figure in proportion to the counted money'
            when remainders.counted_gbp is not null and remainders.parent_function_code = 'total'
                then 'Not counted by place: ' || remainders.main_spenders_not_counted
        end as remainder_note,
        remainders.not_available_authority_count,
        remainders.not_available_authorities,
        local_government.value_gbp as cra_local_government_gbp,
        case
            when local_government.value_gbp > 0 and remainders.counted_gbp is not null
                then cast(round(100.0 * remainders.counted_gbp / local_government.value_gbp, 1) as decimal(8, 1))
        end as local_government_counted_pct,
        case
            when remainders.function_code = 'total'
                then
                    'The CRA''s local government spending is current and capital spending on services; the '
                    || 'warehouse counts MHCLG''s net current expenditure (after sales, fees and charges and '
                    || 'specific grants, without capital), so the two differ by definition'
        end as local_government_note

    from remainders
    left join per_head
        on
            remainders.region_code = per_head.region_code
            and remainders.financial_year = per_head.financial_year
            and remainders.function_code = 'total'
    left join local_government
        on
            remainders.region_code = local_government.region_code
            and remainders.financial_year = local_government.financial_year
            and remainders.function_code = 'total'

)

{{ select_with_real_terms('final', ['cra_gbp', 'counted_gbp', 'remainder_gbp']) }}
