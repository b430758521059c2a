-- Conservation: for every police and fire body, line, year and measure, the parts shared to the
-- districts it serves add back up to its published figure (to within a pound of rounding).
with

parts as (

    select
        agency_code,
        financial_year,
        measure,
        publisher_line_code,
        max(body_amount_gbp) as body_amount_gbp,
        sum(amount_gbp) as parts_gbp

    from {{ ref('int_police_fire_spend_apportioned') }}
    where body_amount_gbp is not null
    group by 1, 2, 3, 4

)

select *
from parts
where abs(parts_gbp - body_amount_gbp) > 1
