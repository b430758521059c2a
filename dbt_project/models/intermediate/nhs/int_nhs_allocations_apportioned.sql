-- ICB allocations apportioned to districts ("place") the way NHS England does: an ICB's money for
-- a district = its allocation x (the weighted population of the ICB's GP practices located in that
-- district / the ICB's total weighted population), per funding stream, with the weighting that
-- stream uses (seed nhs_allocation_streams). The simple alternative, by registered population, is
-- computed beside it (apportionment_method = 'registered_population').
-- A practice counts where it is, whichever ICB it belongs to: Birmingham's practices belong to the
-- Birmingham and Solihull, Black Country and (one) North West London ICBs, and each ICB's share of
-- Birmingham comes from its own practices there. Every district in England is apportioned, so the
-- parts of an ICB's allocation sum to the whole (tested).
-- Weights are the practice populations of the allocation's own year where NHS England's file for
-- it is held, else the latest held year before it (2025-26 uses 2024-25): weights_financial_year
-- and weights_note say which.
with

allocations as (

    select * from {{ ref('stg_nhs_icb_allocations__allocations') }}

),

streams as (

    select * from {{ ref('nhs_allocation_streams') }}

),

practice_weights as (

    select * from {{ ref('int_practice_weights_remapped') }}

),

weight_years as (

    select distinct financial_year
    from practice_weights

),

-- the weights year for each allocation year: the same year, else the latest held before it
allocation_weight_years as (

    select
        allocation_years.financial_year,
        coalesce(
            max(weight_years.financial_year) filter (
                where weight_years.financial_year <= allocation_years.financial_year
            ),
            min(weight_years.financial_year)
        ) as weights_financial_year

    from (select distinct financial_year from allocations) as allocation_years
    cross join weight_years
    group by 1

),

district_weights as (

    select
        financial_year,
        icb_ods_code,
        area_code,
        component_code,
        -- summed as decimals: exact, so the same in every run (a sum of doubles depends on the order
        -- DuckDB's threads add them in, and the published shares would differ in their last digits)
        cast(sum(cast(weighted_population as decimal(38, 10))) as double) as district_weight,
        count(distinct practice_code) as practice_count,
        min(source_file) as weights_source_file,
        min(source_file_sha256) as weights_source_file_sha256

    from practice_weights
    group by 1, 2, 3, 4

),

icb_weights as (

    select
        financial_year,
        icb_ods_code,
        component_code,
        cast(sum(cast(district_weight as decimal(38, 10))) as double) as icb_weight

    from district_weights
    group by 1, 2, 3

),

methods as (

    select
        'need_weighted' as apportionment_method,
        true as uses_stream_weighting
    union all
    select
        'registered_population' as apportionment_method,
        false as uses_stream_weighting

),

allocation_methods as (

    select
        allocations.*,
        allocation_weight_years.weights_financial_year,
        streams.theme_code,
        streams.apportionment_note,
        methods.apportionment_method,
        case
            when methods.uses_stream_weighting then streams.weight_component_code
            else 'registered'
        end as component_code

    from allocations
    inner join allocation_weight_years
        on allocations.financial_year = allocation_weight_years.financial_year
    inner join streams
        on allocations.stream_code = streams.stream_code
    cross join methods

),

apportioned as (

    select
        allocation_methods.financial_year,
        allocation_methods.icb_ods_code,
        allocation_methods.icb_name,
        allocation_methods.stream_code,
        allocation_methods.theme_code,
        allocation_methods.apportionment_method,
        allocation_methods.component_code as weight_component_code,
        district_weights.area_code,
        district_weights.practice_count,
        district_weights.district_weight,
        icb_weights.icb_weight,
        district_weights.district_weight / icb_weights.icb_weight as share_of_icb,
        allocation_methods.allocation_gbp as icb_allocation_gbp,
        allocation_methods.allocation_gbp * district_weights.district_weight / icb_weights.icb_weight
            as apportioned_gbp,
        allocation_methods.weights_financial_year,
        case
            when allocation_methods.apportionment_method = 'registered_population'
                then 'By the registered population of the ICB''s practices in each district'
            else allocation_methods.apportionment_note
        end
        || ' (NHS England practice populations, ' || allocation_methods.weights_financial_year
        || case
            when allocation_methods.weights_financial_year = allocation_methods.financial_year then ')'
            else '; those for ' || allocation_methods.financial_year || ' are not held)'
        end as weights_note,
        allocation_methods.value_status,
        allocation_methods.source_id,
        allocation_methods.sheet_name,
        allocation_methods.source_file,
        allocation_methods.source_file_sha256,
        allocation_methods.source_url,
        allocation_methods.source_row,
        allocation_methods.source_column,
        district_weights.weights_source_file,
        district_weights.weights_source_file_sha256

    from allocation_methods
    inner join icb_weights
        on
            allocation_methods.weights_financial_year = icb_weights.financial_year
            and allocation_methods.icb_ods_code = icb_weights.icb_ods_code
            and allocation_methods.component_code = icb_weights.component_code
    inner join district_weights
        on
            icb_weights.financial_year = district_weights.financial_year
            and icb_weights.icb_ods_code = district_weights.icb_ods_code
            and icb_weights.component_code = district_weights.component_code

)

select * from apportioned
