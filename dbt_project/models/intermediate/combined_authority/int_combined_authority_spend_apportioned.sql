-- The combined authority's own spend shared between its member councils' areas by population
-- share (the population named in int_populations_by_year: the ONS mid-year estimate for the
-- year): a council area's share = the combined authority's spend x (the area's population / the
-- population of all member areas). The combined authority area keeps the whole; the shares
-- add back up to it (to the pound, tested), so no money is added or lost.
with

spend as (

    select * from {{ ref('fct_spend') }}
    where
        agency_type = 'combined_authority'
        and not is_inter_agency_transfer

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

shares as (

    select
        populations.financial_year,
        councils.combined_authority_code,
        councils.area_code,
        populations.population_source,
        populations.population_count
        / sum(populations.population_count) over (
            partition by populations.financial_year, councils.combined_authority_code
        ) as population_share

    from councils
    inner join populations
        on councils.area_code = populations.area_code

),

apportioned as (

    select
        spend.agency_code,
        spend.agency_type,
        shares.area_code,
        spend.theme_code,
        spend.financial_year,
        spend.measure,
        spend.publisher_line_code,
        spend.amount_gbp as combined_authority_amount_gbp,
        shares.population_share,
        spend.amount_gbp * shares.population_share as amount_gbp,
        spend.value_status,
        'population share: ' || shares.population_source as apportionment_method,
        spend.source_id,
        spend.source_file,
        spend.source_file_sha256,
        spend.source_url,
        spend.source_row,
        spend.source_column,
        spend.is_synthetic

    from spend
    inner join shares
        on
            spend.financial_year = shares.financial_year
            and spend.area_code = shares.combined_authority_code  -- the area it serves (the GLA's is not its code)

)

select * from apportioned
