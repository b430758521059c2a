-- Where money spent in an area counts: each area code a spend row can carry (a district, a county
-- council's county, a combined authority's own area) and each reporting area it counts in, with
-- the level:
--   place                a district's money counts in its place: itself, or, for a shire district,
--                        its county; a county council's money counts in its county;
--   combined_authority   a district's money counts in its combined authority area too, and so does a
--                        county council's where every district of the county is in that one
--                        combined authority (Cambridgeshire); the combined authority's own money
--                        counts whole in its area.
-- A combined authority's money shared to its districts counts in their places only (whole_place_budget),
-- so it is not counted twice in its own area.
with

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

county_authorities as (

    select
        place_code,
        min(combined_authority_code) as combined_authority_code

    from councils
    where place_code <> area_code
    group by place_code
    having count(distinct combined_authority_code) = 1 and count(combined_authority_code) = count(*)

),

mapped as (

    select
        area_code,
        place_code as reporting_area_code,
        'place' as level

    from councils

    union all

    select distinct
        place_code as area_code,
        place_code as reporting_area_code,
        'place' as level

    from councils
    where place_code <> area_code

    union all

    select
        area_code,
        combined_authority_code as reporting_area_code,
        'combined_authority' as level

    from councils
    where combined_authority_code is not null

    union all

    select
        place_code as area_code,
        combined_authority_code as reporting_area_code,
        'combined_authority' as level

    from county_authorities

    union all

    select distinct
        combined_authority_code as area_code,
        combined_authority_code as reporting_area_code,
        'combined_authority' as level

    from councils
    where combined_authority_code is not null

)

select * from mapped
