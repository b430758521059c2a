-- RA budget lines with the publisher's line identified: the asset id (printed from 2023-24,
-- taken from the form line number for earlier years) and its service and theme.
with

budget_lines as (

    select * from {{ ref('stg_mhclg_ra__budget_lines') }}

),

ra_lines as (

    select * from {{ ref('mhclg_ra_lines') }}

),

mapped as (

    select
        budget_lines.*,
        coalesce(budget_lines.published_asset_id, ra_lines.asset_id) as asset_id,
        ra_lines.service_code,
        ra_lines.line_level,
        ra_lines.theme_code,
        ra_lines.line_number is not null as is_known_line

    from budget_lines
    left join ra_lines
        on budget_lines.line_number = ra_lines.line_number

)

select * from mapped
