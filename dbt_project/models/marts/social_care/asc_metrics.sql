-- Adult social care metrics users asked for, from ASC-FR, per council with the publisher's region
-- and England totals as comparators:
-- - ld_residential_share_pct: the share of learning disability support expenditure (primary
--   support reason 4) that is spent in residential care (support setting 7), and
--   ld_residential_nursing_share_pct with nursing care (setting 6) too, out of learning disability
--   expenditure in every support setting (gross current expenditure). A pooled learning
--   disability budget sets targets on this share (e.g. 55% -> 40%).
-- Spend per person supported is not computed: what each ASC-FR activity data type counts is in
-- the publisher's reference sheet, which is not held.
with

spend as (

    select * from {{ ref('asc_spend_by_support') }}
    where
        data_type_key = '1'
        and primary_support_reason_key = '4'
        and support_setting_key is not null

),

areas as (

    select * from {{ ref('dim_area') }}

),

area_regions as (

    select * from {{ ref('int_area_regions_mapped') }}

),

by_area as (

    select
        financial_year,
        geography_level,
        area_code,
        sum(gross_current_expenditure_gbp) as ld_gross_current_expenditure_gbp,
        sum(gross_current_expenditure_gbp) filter (where support_setting_key = '7') as ld_residential_gbp,
        sum(gross_current_expenditure_gbp) filter (where support_setting_key in ('6', '7'))
            as ld_residential_nursing_gbp,
        min(source_file_sha256) as source_file_sha256

    from spend
    group by 1, 2, 3

),

shares as (

    select
        *,
        round(100.0 * ld_residential_gbp / nullif(ld_gross_current_expenditure_gbp, 0), 1) as ld_residential_share_pct,
        round(100.0 * ld_residential_nursing_gbp / nullif(ld_gross_current_expenditure_gbp, 0), 1)
            as ld_residential_nursing_share_pct

    from by_area

),

england as (

    select
        financial_year,
        ld_residential_share_pct,
        ld_residential_nursing_share_pct
    from shares
    where geography_level = 'england'

),

region as (

    select
        financial_year,
        area_code,
        ld_residential_share_pct,
        ld_residential_nursing_share_pct
    from shares
    where geography_level = 'region'

),

final as (

    select
        {{ surrogate_key(['shares.financial_year', 'shares.area_code']) }} as asc_metrics_key,
        shares.financial_year,
        shares.geography_level,
        shares.area_code,
        coalesce(
            areas.area_name, case when shares.area_code = '{{ var("england_code") }}' then 'England' end
        ) as area_name,
        shares.ld_gross_current_expenditure_gbp,
        shares.ld_residential_gbp,
        shares.ld_residential_nursing_gbp,
        shares.ld_residential_share_pct,
        shares.ld_residential_nursing_share_pct,
        england.ld_residential_share_pct as england_ld_residential_share_pct,
        region.ld_residential_share_pct as region_ld_residential_share_pct,
        shares.source_file_sha256,
        false as is_synthetic

    from shares
    left join areas
        on shares.area_code = areas.area_code
    left join england
        on shares.financial_year = england.financial_year
    left join area_regions
        on shares.area_code = area_regions.area_code
    left join region
        on
            shares.financial_year = region.financial_year
            and area_regions.ons_region_code = region.area_code

)

select * from final
