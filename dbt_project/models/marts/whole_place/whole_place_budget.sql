-- Consolidated spend by area, financial year, measure and service theme: each agency type's
-- contribution, the total, and the total per head.
-- A council's money counts in its own area and in the combined authority area; the combined
-- authority's own money counts in the combined authority area only (not apportioned to councils).
-- Money passed between agencies is counted once: is_inter_agency_transfer rows are excluded from
-- the totals (none yet: pooled budgets and NHS allocations arrive with the NHS sources).
-- A total is NULL, never a partial sum, when any contributor's figure is not available
-- (e.g. Birmingham did not submit its 2023-24 outturn); missing_agency_codes says whose.
with

spend as (

    select * from {{ ref('fct_spend') }}
    where not is_inter_agency_transfer

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

themes as (

    select * from {{ ref('dim_service_theme') }}

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

contributions as (

    select
        spend.area_code as reporting_area_code,
        spend.*

    from spend

    union all

    select
        councils.combined_authority_code as reporting_area_code,
        spend.*

    from spend
    inner join councils
        on spend.area_code = councils.area_code
    where spend.agency_type = 'council'

),

expected_councils as (

    select
        area_code,
        1 as council_count
    from councils
    union all
    select
        combined_authority_code as area_code,
        count(*) as council_count
    from councils
    group by 1

),

aggregated as (

    select
        reporting_area_code as area_code,
        financial_year,
        measure,
        theme_code,
        sum(amount_gbp) filter (where agency_type = 'council') as council_sum_gbp,
        count(amount_gbp) filter (where agency_type = 'council') as council_count,
        sum(amount_gbp) filter (where agency_type = 'combined_authority') as combined_authority_sum_gbp,
        count(*) filter (where agency_type = 'combined_authority') as combined_authority_rows,
        count(amount_gbp) filter (where agency_type = 'combined_authority') as combined_authority_count,
        string_agg(distinct agency_code, ';' order by agency_code) filter (where amount_gbp is null)
            as missing_agency_codes,
        count(distinct agency_code) as agency_count,
        string_agg(distinct source_file_sha256, ';' order by source_file_sha256) as source_file_sha256s,
        bool_or(is_synthetic) as is_synthetic

    from contributions
    group by 1, 2, 3, 4

),

completeness as (

    select
        aggregated.*,
        aggregated.council_count = coalesce(expected_councils.council_count, 0)
        and aggregated.combined_authority_count = aggregated.combined_authority_rows as is_complete

    from aggregated
    left join expected_councils
        on aggregated.area_code = expected_councils.area_code

),

final as (

    select
        {{ surrogate_key([
            'completeness.area_code', 'completeness.financial_year', 'completeness.measure', 'completeness.theme_code'
        ]) }}
            as whole_place_budget_key,
        completeness.area_code,
        areas.area_name,
        areas.area_type,
        completeness.financial_year,
        completeness.measure,
        completeness.theme_code,
        themes.theme_name,
        themes.theme_group,
        case when completeness.is_complete then completeness.council_sum_gbp end as council_gbp,
        case
            when completeness.combined_authority_rows = 0 then null
            when completeness.combined_authority_count = completeness.combined_authority_rows
                then completeness.combined_authority_sum_gbp
        end as combined_authority_gbp,
        cast(null as decimal(18, 0)) as nhs_gbp,
        case
            when completeness.is_complete
                then coalesce(completeness.council_sum_gbp, 0) + coalesce(completeness.combined_authority_sum_gbp, 0)
        end as total_gbp,
        populations.population_count,
        populations.population_source,
        case
            when completeness.is_complete and populations.population_count > 0
                then cast(round(
                    cast(
                        coalesce(completeness.council_sum_gbp, 0)
                        + coalesce(completeness.combined_authority_sum_gbp, 0) as double
                    )
                    / populations.population_count,
                    2
                ) as decimal(14, 2))
        end as per_head_gbp,
        completeness.is_complete,
        completeness.missing_agency_codes,
        completeness.agency_count,
        completeness.source_file_sha256s,
        completeness.is_synthetic

    from completeness
    inner join areas
        on completeness.area_code = areas.area_code
    inner join themes
        on completeness.theme_code = themes.theme_code
    left join populations
        on
            completeness.area_code = populations.area_code
            and completeness.financial_year = populations.financial_year

)

select * from final
