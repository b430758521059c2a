-- Each council's and the combined authority's budget (RA) against outturn (RSX / RO) by the
-- publisher's service lines, and total service expenditure, which is their sum: line_type
-- 'total' / is_total marks it, so adding up the service lines means leaving it out.
-- variance = outturn - budget.
-- An outturn the publisher shows as not available ([x]: return not submitted) stays NULL.
-- line_type 'detail': the lines within children's social care, adult social care and public
-- health that RA and RO3 both carry (parent_service_line_code names the service line they sit
-- in); they add up to their parent only where the form has no other lines, so never sum them with
-- the service lines.
with

service_spend_lines as (

    select
        financial_year,
        area_code,
        authority_name,
        authority_class,
        row_kind,
        measure,
        service_code,
        value_gbp_thousands,
        value_status,
        publication,
        source_id,
        source_file,
        source_file_sha256,
        source_url,
        source_row,
        source_column
    from {{ ref('int_council_spend_lines_unioned') }}

),

detail_spend_lines as (

    select * from {{ ref('int_council_detail_lines_unioned') }}

),

spend_lines as (

    select * from service_spend_lines
    union all
    select * from detail_spend_lines

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

service_line_seed as (

    select * from {{ ref('mhclg_service_lines') }}

),

ra_lines as (

    select * from {{ ref('mhclg_ra_lines') }}

),

service_lines as (

    select
        service_code,
        service_name,
        line_type,
        theme_code,
        null as parent_service_code
    from service_line_seed
    union all
    select
        asset_id as service_code,
        line_title as service_name,
        'detail' as line_type,
        theme_code,
        service_code as parent_service_code
    from ra_lines
    where line_level = 'detail'

),

themes as (

    select * from {{ ref('dim_service_theme') }}

),

lines as (

    select
        spend_lines.*,
        agencies.agency_name,
        agencies.agency_type

    from spend_lines
    inner join agencies
        on
            spend_lines.area_code = agencies.agency_code
            and agencies.agency_type in ('council', 'combined_authority')
    where spend_lines.row_kind = 'authority'

),

budget as (

    select * from lines
    where measure = 'budget'

),

outturn as (

    select * from lines
    where measure = 'outturn'

),

joined as (

    select
        coalesce(budget.area_code, outturn.area_code) as agency_code,
        coalesce(budget.agency_name, outturn.agency_name) as agency_name,
        coalesce(budget.agency_type, outturn.agency_type) as agency_type,
        coalesce(budget.financial_year, outturn.financial_year) as financial_year,
        coalesce(budget.service_code, outturn.service_code) as service_line_code,
        cast(budget.value_gbp_thousands * 1000 as decimal(18, 0)) as budget_gbp,
        cast(outturn.value_gbp_thousands * 1000 as decimal(18, 0)) as outturn_gbp,
        coalesce(budget.value_status, 'not_loaded') as budget_status,
        coalesce(outturn.value_status, 'not_loaded') as outturn_status,
        outturn.publication as outturn_publication,
        budget.source_file_sha256 as budget_source_file_sha256,
        budget.source_row as budget_source_row,
        budget.source_column as budget_source_column,
        outturn.source_file_sha256 as outturn_source_file_sha256,
        outturn.source_row as outturn_source_row,
        outturn.source_column as outturn_source_column

    from budget
    full outer join outturn
        on
            budget.area_code = outturn.area_code
            and budget.financial_year = outturn.financial_year
            and budget.service_code = outturn.service_code

),

final as (

    select
        {{ surrogate_key(['joined.agency_code', 'joined.financial_year', 'joined.service_line_code']) }}
            as budget_vs_outturn_key,
        joined.agency_code,
        joined.agency_name,
        joined.agency_type,
        joined.financial_year,
        joined.service_line_code,
        service_lines.service_name as service_line_name,
        service_lines.line_type,
        service_lines.line_type = 'total' as is_total,
        service_lines.parent_service_code as parent_service_line_code,
        service_lines.theme_code,
        themes.theme_name,
        joined.budget_gbp,
        joined.outturn_gbp,
        joined.outturn_gbp - joined.budget_gbp as variance_gbp,
        case
            when joined.budget_gbp <> 0
                then round(100.0 * (joined.outturn_gbp - joined.budget_gbp) / abs(joined.budget_gbp), 2)
        end as variance_pct,
        joined.budget_status,
        joined.outturn_status,
        joined.outturn_publication,
        joined.budget_source_file_sha256,
        joined.budget_source_row,
        joined.budget_source_column,
        joined.outturn_source_file_sha256,
        joined.outturn_source_row,
        joined.outturn_source_column

    from joined
    left join service_lines
        on joined.service_line_code = service_lines.service_code
    left join themes
        on service_lines.theme_code = themes.theme_code

)

{{ select_with_real_terms('final', ['budget_gbp', 'outturn_gbp', 'variance_gbp']) }}
