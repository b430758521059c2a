-- Fails when an agency breakdown does not add up to the consolidated total.
select *
from {{ ref('whole_place_budget') }}
where
    total_gbp is not null
    and total_gbp <> coalesce(council_gbp, 0) + coalesce(combined_authority_gbp, 0) + coalesce(nhs_gbp, 0)
