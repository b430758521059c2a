-- Spend by agency, area, service theme, financial year and measure, in pounds.
-- - Councils and the combined authority: MHCLG's RA (budget) and RSX / RO (outturn) returns, at
--   the level of the publisher's service totals (detail lines would double count them), net
--   current expenditure. A council's spend is for its own area; the combined authority's for the
--   combined authority area. Earlier years' returns of authorities the April 2023 reorganisations
--   abolished are their successor council's (int_council_spend_lines_remapped).
-- - ICBs: allocations (measure 'allocation') apportioned to the region's districts by need-weighted
--   population (int_nhs_allocations_apportioned; apportionment_method says so).
-- - Police and crime commissioners and fire and rescue authorities: their RA / RSX rows shared to
--   the districts they serve by population (int_police_fire_spend_apportioned).
-- - Transfers between agencies (e.g. NHS contributions into a council-hosted pooled fund) are
--   rows with is_inter_agency_transfer = true, from int_pooled_fund_transfers.
with

spend_lines as (

    select * from {{ ref('int_council_spend_lines_remapped') }}

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

nhs as (

    select * from {{ ref('int_nhs_allocations_apportioned') }}

),

transfers as (

    select * from {{ ref('int_pooled_fund_transfers') }}

),

police_fire as (

    select * from {{ ref('int_police_fire_spend_apportioned') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}

),

local_government as (

    select
        agencies.agency_code,
        agencies.agency_type,
        agencies.serves_area_code as area_code,
        coalesce(service_lines.theme_code, 'unknown') as theme_code,
        spend_lines.financial_year,
        spend_lines.measure,
        spend_lines.service_code as publisher_line_code,
        spend_lines.publication,
        cast(spend_lines.value_gbp_thousands * 1000 as decimal(18, 0)) as amount_gbp,
        spend_lines.value_status,
        false as is_inter_agency_transfer,
        false as is_pooled_fund,
        cast(null as varchar) as counterparty_agency_code,
        -- an earlier year's return of authorities the 2023 reorganisations abolished, as their successor's
        case when spend_lines.predecessor_basis is not null then 'predecessor_authorities' end as apportionment_method,
        cast(null as double) as apportionment_share,
        spend_lines.predecessor_basis as apportionment_basis,
        cast(null as varchar) as apportionment_source_file_sha256,
        spend_lines.source_id,
        spend_lines.source_file,
        cast(null as varchar) as source_sheet,
        spend_lines.source_file_sha256,
        spend_lines.source_url,
        spend_lines.source_row,
        spend_lines.source_column

    from spend_lines
    inner join agencies
        on
            spend_lines.area_code = agencies.agency_code
            and agencies.agency_type in ('council', 'combined_authority')
    left join service_lines
        on spend_lines.service_code = service_lines.service_code
    where
        spend_lines.row_kind = 'authority'
        and spend_lines.service_code <> 'totsx'

),

nhs_allocations as (

    select
        nhs.icb_ods_code as agency_code,
        'icb' as agency_type,
        nhs.area_code,
        nhs.theme_code,
        nhs.financial_year,
        'allocation' as measure,
        nhs.stream_code as publisher_line_code,
        'ICB allocations' as publication,
        cast(round(nhs.apportioned_gbp) as decimal(18, 0)) as amount_gbp,
        nhs.value_status,
        false as is_inter_agency_transfer,
        false as is_pooled_fund,
        cast(null as varchar) as counterparty_agency_code,
        nhs.apportionment_method,
        nhs.share_of_icb as apportionment_share,
        nhs.weights_note as apportionment_basis,
        nhs.weights_source_file_sha256 as apportionment_source_file_sha256,
        nhs.source_id,
        nhs.source_file,
        nhs.sheet_name as source_sheet,
        nhs.source_file_sha256,
        nhs.source_url,
        nhs.source_row,
        nhs.source_column

    from nhs
    inner join councils
        on nhs.area_code = councils.area_code
    where nhs.apportionment_method = 'need_weighted'

),

police_fire_spend as (

    select
        police_fire.agency_code,
        police_fire.agency_type,
        police_fire.area_code,
        police_fire.theme_code,
        police_fire.financial_year,
        police_fire.measure,
        police_fire.publisher_line_code,
        police_fire.publication,
        cast(round(police_fire.amount_gbp) as decimal(18, 0)) as amount_gbp,
        police_fire.value_status,
        false as is_inter_agency_transfer,
        false as is_pooled_fund,
        cast(null as varchar) as counterparty_agency_code,
        police_fire.apportionment_method,
        police_fire.population_share as apportionment_share,
        police_fire.apportionment_basis,
        police_fire.apportionment_source_file_sha256,
        police_fire.source_id,
        police_fire.source_file,
        cast(null as varchar) as source_sheet,
        police_fire.source_file_sha256,
        police_fire.source_url,
        police_fire.source_row,
        police_fire.source_column

    from police_fire
    inner join councils
        on police_fire.area_code = councils.area_code
    inner join agencies
        on police_fire.agency_code = agencies.agency_code

),

pooled_transfers as (

    select
        transfers.from_agency_code as agency_code,
        transfers.from_agency_type as agency_type,
        transfers.area_code,
        transfers.theme_code,
        transfers.financial_year,
        transfers.measure,
        transfers.contribution_code as publisher_line_code,
        transfers.publication,
        transfers.amount_gbp,
        transfers.value_status,
        true as is_inter_agency_transfer,
        true as is_pooled_fund,
        transfers.to_agency_code as counterparty_agency_code,
        cast(null as varchar) as apportionment_method,
        cast(null as double) as apportionment_share,
        cast(null as varchar) as apportionment_basis,
        cast(null as varchar) as apportionment_source_file_sha256,
        transfers.source_id,
        transfers.source_file,
        cast(null as varchar) as source_sheet,
        transfers.source_file_sha256,
        transfers.source_url,
        transfers.source_row,
        transfers.source_column

    from transfers

),

unioned as (

    select * from local_government
    union all
    select * from nhs_allocations
    union all
    select * from police_fire_spend
    union all
    select * from pooled_transfers

),

final as (

    select
        {{ surrogate_key([
            'unioned.agency_code', 'unioned.area_code', 'unioned.theme_code', 'unioned.financial_year',
            'unioned.measure', 'unioned.is_inter_agency_transfer', 'unioned.publisher_line_code'
        ]) }} as spend_key,
        {{ surrogate_key(['unioned.agency_code']) }} as agency_key,
        {{ surrogate_key(['unioned.area_code']) }} as area_key,
        {{ surrogate_key(['unioned.theme_code']) }} as theme_key,
        {{ surrogate_key(['unioned.financial_year']) }} as period_key,
        unioned.agency_code,
        unioned.agency_type,
        unioned.area_code,
        unioned.theme_code,
        unioned.financial_year,
        unioned.measure,
        unioned.publisher_line_code,
        unioned.publication,
        unioned.amount_gbp,
        unioned.value_status,
        unioned.is_inter_agency_transfer,
        unioned.is_pooled_fund,
        unioned.counterparty_agency_code,
        unioned.apportionment_method,
        unioned.apportionment_share,
        unioned.apportionment_basis,
        unioned.apportionment_source_file_sha256,
        unioned.source_id,
        unioned.source_file,
        unioned.source_sheet,
        unioned.source_file_sha256,
        unioned.source_url,
        unioned.source_row,
        unioned.source_column,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from unioned
    left join sources
        on unioned.source_id = sources.source_id

)

{{ select_with_real_terms('final', ['amount_gbp']) }}
