{% test unique_combination_of_columns(model, columns) %}
-- Fails when a combination of the columns (the model's grain) appears more than once.
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
