-- Spend by agency, area, service theme, financial year and measure (budget / outturn), in pounds.
-- Council and combined-authority money from MHCLG's RA (budget) and RSX / RO (outturn) returns,
-- at the level of the publisher's service totals (detail lines would double count them).
-- A council's spend is for its own area; the combined authority's for the combined authority area.
with

spend_lines as (

    select * from {{ ref('int_council_spend_lines_unioned') }}

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}

),

in_scope as (

    select
        spend_lines.*,
        coalesce(service_lines.theme_code, 'unknown') as theme_code,
        agencies.agency_code,
        agencies.agency_type,
        agencies.serves_area_code as spend_area_code

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

final as (

    select
        {{ surrogate_key(['agency_code', 'spend_area_code', 'theme_code', 'financial_year', 'measure']) }} as spend_key,
        {{ surrogate_key(['agency_code']) }} as agency_key,
        {{ surrogate_key(['spend_area_code']) }} as area_key,
        {{ surrogate_key(['theme_code']) }} as theme_key,
        {{ surrogate_key(['financial_year']) }} as period_key,
        in_scope.agency_code,
        in_scope.agency_type,
        in_scope.spend_area_code as area_code,
        in_scope.theme_code,
        in_scope.financial_year,
        in_scope.measure,
        in_scope.service_code as publisher_line_code,
        in_scope.publication,
        cast(in_scope.value_gbp_thousands * 1000 as decimal(18, 0)) as amount_gbp,
        in_scope.value_status,
        false as is_inter_agency_transfer,
        false as is_pooled_fund,
        in_scope.source_id,
        in_scope.source_file,
        in_scope.source_file_sha256,
        in_scope.source_url,
        in_scope.source_row,
        in_scope.source_column,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from in_scope
    left join sources
        on in_scope.source_id = sources.source_id

)

select * from final
