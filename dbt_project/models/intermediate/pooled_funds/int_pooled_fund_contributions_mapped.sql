-- Contributions to each pooled fund, with the partner that makes each one.
-- Better Care Fund: one pooled fund per health and wellbeing board, hosted by the council under a
-- section 75 agreement. ICB contributions come from the ICB the council's district belongs to
-- (ONS lookup); grants paid to the council (iBCF, DFG, discharge funding) and the council's own
-- additional contribution are the council's.
with

contributions as (

    select * from {{ ref('stg_bcf_plans__contributions') }}

),

kinds as (

    select * from {{ ref('bcf_contributions') }}

),

-- the region's places (a health and wellbeing board is an upper-tier council's), each with the ICB
-- of most of its districts
councils as (

    select
        place_code as area_code,
        mode(icb_ods_code order by icb_ods_code) as icb_ods_code

    from {{ ref('int_region_councils_filtered') }}
    group by place_code

),

mapped as (

    select
        'BCF-' || contributions.area_code as fund_code,
        'Better Care Fund: ' || contributions.area_name as fund_name,
        'Better Care Fund (section 75 pooled budget)' as fund_type,
        contributions.area_code as host_agency_code,
        contributions.area_code,
        contributions.financial_year,
        contributions.contribution_code,
        kinds.contribution_name,
        kinds.partner_type,
        case when kinds.partner_type = 'icb' then councils.icb_ods_code else contributions.area_code end
            as partner_agency_code,
        kinds.funding_origin,
        kinds.is_transfer_between_agencies,
        kinds.from_theme_code,
        kinds.to_theme_code,
        contributions.amount_gbp,
        contributions.value_status,
        'BCF plans' as publication,
        contributions.source_id,
        contributions.source_file,
        contributions.source_file_sha256,
        contributions.source_url,
        contributions.source_row,
        contributions.source_column

    from contributions
    inner join kinds
        on contributions.contribution_code = kinds.contribution_code
    inner join councils  -- the region's health and wellbeing boards
        on contributions.area_code = councils.area_code

)

select * from mapped
