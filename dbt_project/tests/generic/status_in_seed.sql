{#- A value status column holds only statuses of seed value_statuses set by one of `set_by`
    (publisher, reader, warehouse, disclosure): the list of statuses is written once, in the seed. -#}
{% test status_in_seed(model, column_name, set_by) %}

select {{ column_name }} as unknown_status
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (
        select status from {{ ref('value_statuses') }}
        where set_by in ({% for who in set_by %}'{{ who }}'{{ ', ' if not loop.last }}{% endfor %})
    )

{% endtest %}
