-- RO3's group totals (csctot, asctot, phtot) are the same figures as RSX's children's social care,
-- adult social care and public health lines. Where both files are the same release they agree to
-- the £ thousand (2022-23, 2024-25); where the RO3 held is an earlier release than the RSX (2023-24:
-- first release against the December 2024 one) the authorities that revised their returns differ.
-- Fails when more than 5% of an authority-year's comparable figures differ by over £2 thousand,
-- which a mis-keyed column or a misread sheet would do.
with

ro3 as (

    select
        financial_year,
        area_code,
        case service_code when 'csctot' then 'csc' when 'asctot' then 'asc' else 'phs' end as service_code,
        value_gbp_thousands,
        source_file,
        source_row
    from {{ ref('stg_mhclg_ro3__outturn_items') }}
    where
        service_code in ('csctot', 'asctot', 'phtot')
        and measure_code = 'net-cur-exp'
        and row_kind = 'authority'
        and value_status = 'published'

),

rsx as (

    select
        financial_year,
        area_code,
        service_code,
        value_gbp_thousands
    from {{ ref('stg_mhclg_rsx__outturn_items') }}
    where
        service_code in ('csc', 'asc', 'phs')
        and measure_code = 'net-cur-exp'
        and row_kind = 'authority'
        and value_status = 'published'

),

compared as (

    select
        ro3.financial_year,
        count(*) as compared_figures,
        count(*) filter (where abs(ro3.value_gbp_thousands - rsx.value_gbp_thousands) > 2) as differing_figures,
        min(ro3.source_file) as source_file,
        min(ro3.source_row) filter (
            where abs(ro3.value_gbp_thousands - rsx.value_gbp_thousands) > 2
        ) as first_differing_source_row
    from ro3
    inner join rsx
        on
            ro3.financial_year = rsx.financial_year
            and ro3.area_code = rsx.area_code
            and ro3.service_code = rsx.service_code
    group by ro3.financial_year

)

select *
from compared
where differing_figures > 0.05 * compared_figures
