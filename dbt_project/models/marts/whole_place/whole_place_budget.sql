-- Consolidated spend by area, financial year, measure and service theme: each agency type's
-- contribution, the money passed between agencies, the consolidated total, and total per head.
--
-- Who counts where: a council's money counts in its own area and in the combined authority area;
-- the combined authority's own money counts whole in the combined authority area and, shared by
-- population, in each member council's area; an ICB's allocation, apportioned to districts by
-- need-weighted population, in each district and in the combined authority area.
-- The measure 'budget' is the planned money: council and combined-authority budgets and NHS
-- allocations (ICBs publish allocations, not budgets by place); 'outturn' is councils' and the
-- combined authority's actual spend (ICBs publish no outturn by place, so nhs_gbp is NULL there).
--
-- Counted once: money an ICB passes into a council-hosted pooled fund (the Better Care Fund) is
-- in the ICB's allocation and is spent by the council, whose published net expenditure counts it
-- as income. It is shown as transfers_in_gbp on the theme it is spent on (e.g. adult social care)
-- and transfers_out_gbp on the ICB's theme, so
--     gross_gbp = council_gbp + transfers_in_gbp + combined_authority_gbp + nhs_gbp
--     total_gbp = gross_gbp - transfers_out_gbp   (the sum of agencies' gross spend - transfers)
-- and over all themes total_gbp = council_gbp + combined_authority_gbp + nhs_gbp.
--
-- A total is NULL, never a partial sum, when any contributor's figure is not available
-- (e.g. Birmingham did not submit its 2023-24 outturn); missing_agency_codes says whose.
with

facts as (

    select
        *,
        case when measure = 'allocation' then 'budget' else measure end as reporting_measure

    from {{ ref('fct_spend') }}

),

-- the years and measures the councils' returns cover: a whole-place view needs them (NHS-only
-- years stay in fct_spend)
council_years as (

    select distinct
        financial_year,
        reporting_measure

    from facts
    where agency_type = 'council'

),

spend as (

    select facts.*
    from facts
    inner join council_years
        on
            facts.financial_year = council_years.financial_year
            and facts.reporting_measure = council_years.reporting_measure
    where not facts.is_inter_agency_transfer

),

transfers as (

    select
        transfers.*,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from {{ ref('int_pooled_fund_transfers') }} as transfers
    left join {{ ref('stg_meta__sources') }} as sources
        on transfers.source_id = sources.source_id
    inner join council_years
        on
            transfers.financial_year = council_years.financial_year
            and transfers.measure = council_years.reporting_measure

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

-- money spent in a district counts in the district and in its combined authority area; the
-- combined authority's own money counts whole in its area and, shared by population, in each
-- member council's area (int_combined_authority_spend_apportioned)
placed_spend as (

    select
        spend.area_code as reporting_area_code,
        spend.agency_code,
        spend.agency_type,
        spend.theme_code,
        spend.financial_year,
        spend.reporting_measure,
        spend.amount_gbp,
        spend.apportionment_method,
        spend.source_file_sha256,
        spend.is_synthetic

    from spend

    union all

    select
        councils.combined_authority_code as reporting_area_code,
        spend.agency_code,
        spend.agency_type,
        spend.theme_code,
        spend.financial_year,
        spend.reporting_measure,
        spend.amount_gbp,
        spend.apportionment_method,
        spend.source_file_sha256,
        spend.is_synthetic

    from spend
    inner join councils
        on spend.area_code = councils.area_code
    where spend.agency_type in ('council', 'icb')

    union all

    select
        shares.area_code as reporting_area_code,
        shares.agency_code,
        shares.agency_type,
        shares.theme_code,
        shares.financial_year,
        shares.measure as reporting_measure,
        cast(round(shares.amount_gbp) as decimal(18, 0)) as amount_gbp,
        shares.apportionment_method,
        shares.source_file_sha256,
        shares.is_synthetic

    from {{ ref('int_combined_authority_spend_apportioned') }} as shares
    inner join council_years
        on
            shares.financial_year = council_years.financial_year
            and shares.measure = council_years.reporting_measure

),

placed_transfers as (

    select
        transfers.area_code as reporting_area_code,
        transfers.*

    from transfers

    union all

    select
        councils.combined_authority_code as reporting_area_code,
        transfers.*

    from transfers
    inner join councils
        on transfers.area_code = councils.area_code

),

transfer_parts as (

    select
        reporting_area_code as area_code,
        financial_year,
        measure,
        theme_code,
        amount_gbp as transfers_in_gbp,
        cast(0 as decimal(18, 0)) as transfers_out_gbp,
        source_file_sha256,
        is_synthetic

    from placed_transfers

    union all

    select
        reporting_area_code as area_code,
        financial_year,
        measure,
        from_theme_code as theme_code,
        cast(0 as decimal(18, 0)) as transfers_in_gbp,
        amount_gbp as transfers_out_gbp,
        source_file_sha256,
        is_synthetic

    from placed_transfers

),

spend_parts as (

    select
        reporting_area_code as area_code,
        financial_year,
        reporting_measure as measure,
        theme_code,
        sum(amount_gbp) filter (where agency_type = 'council') as council_sum_gbp,
        sum(amount_gbp) filter (where agency_type = 'combined_authority') as combined_authority_sum_gbp,
        count(*) filter (where agency_type = 'combined_authority') as combined_authority_rows,
        sum(amount_gbp) filter (where agency_type = 'icb') as nhs_sum_gbp,
        count(*) filter (where agency_type = 'icb') as nhs_rows,
        count(*) filter (where amount_gbp is null) as missing_count,
        string_agg(distinct agency_code, ';' order by agency_code) filter (where amount_gbp is null)
            as missing_agency_codes,
        count(distinct agency_code) as agency_count,
        max(apportionment_method) filter (where agency_type = 'icb') as nhs_apportionment_method,
        max(apportionment_method) filter (where agency_type = 'combined_authority')
            as combined_authority_apportionment_method,
        list(distinct source_file_sha256) as source_file_sha256_list,
        bool_or(is_synthetic) as is_synthetic

    from placed_spend
    group by 1, 2, 3, 4

),

transfer_sums as (

    select
        area_code,
        financial_year,
        measure,
        theme_code,
        sum(transfers_in_gbp) as transfers_in_gbp,
        sum(transfers_out_gbp) as transfers_out_gbp,
        list(distinct source_file_sha256) as source_file_sha256_list,
        bool_or(is_synthetic) as is_synthetic

    from transfer_parts
    group by 1, 2, 3, 4

),

combined as (

    select
        coalesce(spend_parts.area_code, transfer_sums.area_code) as area_code,
        coalesce(spend_parts.financial_year, transfer_sums.financial_year) as financial_year,
        coalesce(spend_parts.measure, transfer_sums.measure) as measure,
        coalesce(spend_parts.theme_code, transfer_sums.theme_code) as theme_code,
        spend_parts.council_sum_gbp,
        spend_parts.combined_authority_sum_gbp,
        coalesce(spend_parts.combined_authority_rows, 0) as combined_authority_rows,
        spend_parts.nhs_sum_gbp,
        coalesce(spend_parts.nhs_rows, 0) as nhs_rows,
        spend_parts.missing_agency_codes,
        coalesce(spend_parts.agency_count, 0) as agency_count,
        spend_parts.nhs_apportionment_method,
        spend_parts.combined_authority_apportionment_method,
        coalesce(spend_parts.source_file_sha256_list, []) as source_file_sha256_list,
        coalesce(spend_parts.is_synthetic, false) or coalesce(transfer_sums.is_synthetic, false) as is_synthetic,
        coalesce(transfer_sums.transfers_in_gbp, 0) as transfers_in_gbp,
        coalesce(transfer_sums.transfers_out_gbp, 0) as transfers_out_gbp,
        coalesce(transfer_sums.source_file_sha256_list, []) as transfer_source_file_sha256_list,
        coalesce(spend_parts.missing_count, 0) = 0 as is_complete

    from spend_parts
    full outer join transfer_sums
        on
            spend_parts.area_code = transfer_sums.area_code
            and spend_parts.financial_year = transfer_sums.financial_year
            and spend_parts.measure = transfer_sums.measure
            and spend_parts.theme_code = transfer_sums.theme_code

),

totals as (

    select
        combined.*,
        case
            when combined.is_complete
                then
                    coalesce(combined.council_sum_gbp, 0) + combined.transfers_in_gbp
                    + coalesce(combined.combined_authority_sum_gbp, 0) + coalesce(combined.nhs_sum_gbp, 0)
        end as gross_gbp

    from combined

),

final as (

    select
        {{ surrogate_key([
            'totals.area_code', 'totals.financial_year', 'totals.measure', 'totals.theme_code'
        ]) }} as whole_place_budget_key,
        totals.area_code,
        areas.area_name,
        areas.area_type,
        totals.financial_year,
        totals.measure,
        totals.theme_code,
        themes.theme_name,
        themes.theme_group,
        case when totals.is_complete then totals.council_sum_gbp end as council_gbp,
        case when totals.is_complete and totals.combined_authority_rows > 0 then totals.combined_authority_sum_gbp end
            as combined_authority_gbp,
        case when totals.is_complete and totals.nhs_rows > 0 then totals.nhs_sum_gbp end as nhs_gbp,
        totals.transfers_in_gbp,
        totals.transfers_out_gbp,
        totals.gross_gbp,
        totals.gross_gbp - totals.transfers_out_gbp as total_gbp,
        populations.population_count,
        populations.population_source,
        case
            when totals.gross_gbp is not null and populations.population_count > 0
                then cast(round(
                    cast(totals.gross_gbp - totals.transfers_out_gbp as double) / populations.population_count, 2
                ) as decimal(14, 2))
        end as per_head_gbp,
        totals.nhs_apportionment_method,
        totals.combined_authority_apportionment_method,
        totals.is_complete,
        totals.missing_agency_codes,
        totals.agency_count,
        array_to_string(
            list_sort(list_distinct(list_concat(
                totals.source_file_sha256_list, totals.transfer_source_file_sha256_list
            ))),
            ';'
        ) as source_file_sha256s,
        totals.is_synthetic

    from totals
    inner join areas
        on totals.area_code = areas.area_code
    inner join themes
        on totals.theme_code = themes.theme_code
    left join populations
        on
            totals.area_code = populations.area_code
            and totals.financial_year = populations.financial_year

)

select * from final
