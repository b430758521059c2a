-- Fails (returns rows) when a service line the publishers published maps to no theme:
-- an RA form line in the service sections (lines below 800) unknown to seed mhclg_ra_lines or
-- without a theme, or an RSX service token unknown to seed mhclg_service_lines. (RO multi-year
-- items are used only where the seed names them, so the RSX check covers the same service lines.)
-- Fix by adding the line to the seed with its theme; never by filtering it out.
with

ra as (

    select distinct
        'RA' as publication,
        cast(line_number as varchar) as line_code,
        line_title,
        financial_year
    from {{ ref('int_council_budget_lines_mapped') }}
    where
        line_number < 800
        and (
            not is_known_line or (line_level not in ('total_service_expenditure', 'memorandum') and theme_code is null)
        )

),

rsx as (

    select distinct
        'RSX' as publication,
        items.service_code as line_code,
        items.column_title as line_title,
        items.financial_year
    from {{ ref('stg_mhclg_rsx__outturn_items') }} as items
    left join {{ ref('mhclg_service_lines') }} as lines
        on items.service_code = lines.service_code
    where
        lines.service_code is null
        or (lines.theme_code is null and items.service_code <> 'totsx')

)

select * from ra
union all
select * from rsx
