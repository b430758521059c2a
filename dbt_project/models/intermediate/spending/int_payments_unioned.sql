-- Every published payment of the region's bodies' disclosures, councils' (spend500) and the
-- combined authority's (wmca_spend), in one set of columns: body_code / body_type say who paid.
with

councils as (

    select * from {{ ref('stg_spend500__payments') }}

),

combined_authority as (

    select * from {{ ref('stg_wmca_spend__payments') }}

),

unioned as (

    select * from councils
    union all by name
    select * from combined_authority

)

select * from unioned
