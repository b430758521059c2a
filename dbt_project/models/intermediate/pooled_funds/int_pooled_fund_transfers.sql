-- Money passed between agencies into pooled funds (ICB -> council-hosted Better Care Fund).
-- The ICB's allocation already contains it, and the council spends it (the revenue outturn
-- counts it as the council's income, so the council's net expenditure excludes it): it must be
-- counted once. whole_place_budget moves it from the ICB's theme to the theme it is spent on.
with

contributions as (

    select * from {{ ref('int_pooled_fund_contributions_mapped') }}

),

transfers as (

    select
        fund_code,
        partner_agency_code as from_agency_code,
        'icb' as from_agency_type,
        host_agency_code as to_agency_code,
        area_code,
        financial_year,
        'budget' as measure,
        contribution_code,
        from_theme_code,
        to_theme_code as theme_code,
        cast(round(amount_gbp) as decimal(18, 0)) as amount_gbp,
        value_status,
        publication,
        source_id,
        source_file,
        source_file_sha256,
        source_url,
        source_row,
        source_column

    from contributions
    where is_transfer_between_agencies

)

select * from transfers
