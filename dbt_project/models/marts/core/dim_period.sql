with

years as (

    select range as start_year
    from range({{ var('first_financial_year') }}, {{ var('last_financial_year') }} + 1)

),

financial_years as (

    select
        cast(start_year as varchar) || '-' || right(cast(start_year + 1 as varchar), 2) as financial_year,
        make_date(cast(start_year as integer), 4, 1) as start_date,
        make_date(cast(start_year as integer) + 1, 3, 31) as end_date,
        cast(start_year as integer) as start_year

    from years

    union all

    {{ unknown_member([
        ['financial_year', "'unknown'"],
        ['start_date', 'null'],
        ['end_date', 'null'],
        ['start_year', 'null'],
    ]) }}

),

final as (

    select
        {{ surrogate_key(['financial_year']) }} as period_key,
        financial_year,
        start_date,
        end_date,
        start_year

    from financial_years

)

select * from final
