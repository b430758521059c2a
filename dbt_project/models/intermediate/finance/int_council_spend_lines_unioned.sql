-- Council and combined-authority spend by publisher service line (the RSX / RA service totals),
-- budget and outturn, in £ thousand as published. Outturn comes from the RO multi-year data set
-- where it is loaded (live mode; the publisher's latest vintage), else from the year's RSX file.
with

budget_lines as (

    select * from {{ ref('int_council_budget_lines_mapped') }}

),

rsx_items as (

    select * from {{ ref('stg_mhclg_rsx__outturn_items') }}

),

ro_items as (

    select * from {{ ref('stg_mhclg_ro_timeseries__outturn_items') }}

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

budget as (

    select
        financial_year,
        area_code,
        authority_name,
        authority_class,
        row_kind,
        'budget' as measure,
        service_code,
        value_gbp_thousands,
        value_status,
        'RA' as publication,
        3 as publication_rank,
        source_id,
        source_file,
        source_file_sha256,
        source_url,
        source_row,
        source_column

    from budget_lines
    where line_level in ('service_total', 'total_service_expenditure')

),

outturn_rsx as (

    select
        financial_year,
        area_code,
        authority_name,
        authority_class,
        row_kind,
        'outturn' as measure,
        service_code,
        value_gbp_thousands,
        value_status,
        'RSX' as publication,
        2 as publication_rank,
        source_id,
        source_file,
        source_file_sha256,
        source_url,
        source_row,
        source_column

    from rsx_items
    where measure_code = 'net-cur-exp'

),

outturn_ro as (

    select
        ro_items.financial_year,
        ro_items.area_code,
        ro_items.authority_name,
        ro_items.authority_class,
        case when ro_items.area_code = '{{ var("england_code") }}' then 'england' else 'authority' end as row_kind,
        'outturn' as measure,
        service_lines.service_code,
        ro_items.value_gbp_thousands,
        ro_items.value_status,
        'RO multi-year' as publication,
        1 as publication_rank,
        ro_items.source_id,
        ro_items.source_file,
        ro_items.source_file_sha256,
        ro_items.source_url,
        ro_items.source_row,
        ro_items.source_column

    from ro_items
    inner join service_lines
        on ro_items.item_code = service_lines.ro_item_code

),

unioned as (

    select * from budget
    union all
    select * from outturn_rsx
    union all
    select * from outturn_ro

),

latest_vintage as (

    select *
    from unioned
    qualify row_number() over (
        partition by financial_year, area_code, measure, service_code
        order by publication_rank
    ) = 1

)

select * from latest_vintage
