-- Fails when a per-head figure is not the total divided by the named population.
select *
from {{ ref('whole_place_budget') }}
where
    per_head_gbp is not null
    and (population_count is null or abs(per_head_gbp - total_gbp / population_count) > 0.005)
