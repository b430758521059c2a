-- The shares of the combined authority's spend given to its councils' areas add back up to it.
select
    agency_code,
    theme_code,
    financial_year,
    measure,
    max(combined_authority_amount_gbp) as combined_authority_gbp,
    sum(amount_gbp) as shares_gbp

from {{ ref('int_combined_authority_spend_apportioned') }}
group by 1, 2, 3, 4
having abs(sum(amount_gbp) - max(combined_authority_amount_gbp)) > 0.01
