-- Contributions by partner to each pooled fund, with the fund total and each partner's share.
-- Transfers between agencies (ICB money into a council-hosted pool) are flagged: the whole-place
-- budget counts them once.
with

contributions as (

    select * from {{ ref('int_pooled_fund_contributions_mapped') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}

),

with_totals as (

    select
        contributions.*,
        sum(contributions.amount_gbp) over (
            partition by contributions.fund_code, contributions.financial_year
        ) as fund_total_gbp

    from contributions

),

final as (

    select
        {{ surrogate_key(['with_totals.fund_code', 'with_totals.financial_year', 'with_totals.contribution_code']) }}
            as pooled_budget_key,
        with_totals.fund_code,
        with_totals.fund_name,
        with_totals.fund_type,
        with_totals.host_agency_code,
        with_totals.area_code,
        with_totals.financial_year,
        with_totals.partner_agency_code,
        agencies.agency_name as partner_agency_name,
        with_totals.partner_type,
        with_totals.contribution_code,
        with_totals.contribution_name,
        with_totals.funding_origin,
        with_totals.is_transfer_between_agencies,
        cast(with_totals.amount_gbp as decimal(18, 0)) as contribution_gbp,
        cast(with_totals.fund_total_gbp as decimal(18, 0)) as fund_total_gbp,
        round(100.0 * with_totals.amount_gbp / nullif(with_totals.fund_total_gbp, 0), 2) as share_of_fund_pct,
        with_totals.value_status,
        with_totals.source_file_sha256,
        with_totals.source_url,
        with_totals.source_row,
        with_totals.source_column,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from with_totals
    left join agencies
        on with_totals.partner_agency_code = agencies.agency_code
    left join sources
        on with_totals.source_id = sources.source_id

)

select * from final
