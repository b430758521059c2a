-- The lines within children's social care, adult social care and public health that both forms
-- carry under the same code: the RA budget line (asset id, or the form line number before
-- 2023-24) and the RO3 outturn line (item code RO3-<line>-net-cur-exp), £ thousand as published.
-- Lines on one form only (RO3's age splits of assessment and carers' support, RA's COVID-19 lines)
-- are left out, so every detail line has a like-for-like budget and outturn.
with

budget_lines as (

    select * from {{ ref('int_council_budget_lines_mapped') }}

),

ro3_items as (

    select * from {{ ref('stg_mhclg_ro3__outturn_items') }}

),

ra_lines as (

    select * from {{ ref('mhclg_ra_lines') }}

),

ro3_lines as (

    select distinct service_code
    from ro3_items

),

detail_lines as (

    select ra_lines.asset_id
    from ra_lines
    inner join ro3_lines
        on ra_lines.asset_id = ro3_lines.service_code
    where
        ra_lines.line_level = 'detail'
        and ra_lines.service_code in ('csc', 'asc', 'phs')

),

budget as (

    select
        budget_lines.financial_year,
        budget_lines.area_code,
        budget_lines.authority_name,
        budget_lines.authority_class,
        budget_lines.row_kind,
        'budget' as measure,
        budget_lines.asset_id as service_code,
        budget_lines.value_gbp_thousands,
        budget_lines.value_status,
        'RA' as publication,
        budget_lines.source_id,
        budget_lines.source_file,
        budget_lines.source_file_sha256,
        budget_lines.source_url,
        budget_lines.source_row,
        budget_lines.source_column

    from budget_lines
    inner join detail_lines
        on budget_lines.asset_id = detail_lines.asset_id

),

outturn as (

    select
        ro3_items.financial_year,
        ro3_items.area_code,
        ro3_items.authority_name,
        ro3_items.authority_class,
        ro3_items.row_kind,
        'outturn' as measure,
        ro3_items.service_code,
        ro3_items.value_gbp_thousands,
        ro3_items.value_status,
        'RO3' as publication,
        ro3_items.source_id,
        ro3_items.source_file,
        ro3_items.source_file_sha256,
        ro3_items.source_url,
        ro3_items.source_row,
        ro3_items.source_column

    from ro3_items
    inner join detail_lines
        on ro3_items.service_code = detail_lines.asset_id
    where ro3_items.measure_code = 'net-cur-exp'

),

unioned as (

    select * from budget
    union all
    select * from outturn

)

select * from unioned
