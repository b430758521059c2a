-- Comparable local government figures for every configured region (regions/*.yml), side by side
-- with England, so analysts can compare like with like across city regions: each council, each
-- combined authority area (its councils plus the combined authority's own money) and England (the
-- publisher's total row for all English authorities), by financial year and service theme:
-- budget (RA) and outturn (RSX / RO) net current expenditure, per head, and the variance.
-- Like with like: England's row is the publisher's total over every authority, police and fire
-- bodies included, so each council and combined authority area carries its police and crime
-- commissioner's and fire and rescue authority's spend too, shared by population
-- (int_police_fire_spend_apportioned), on the police and fire themes where they spend it. NHS
-- allocations and pooled budgets are not compared: they depend on sources a region may not have
-- loaded. Where the publisher's file has no England row (RA 2023-24 Part 1), England's figure is
-- not available and comparator_note says why.
with

-- the councils of every configured region: a listed region's councils, each its own place; the
-- current region, when its places are derived (England), every district and county council with the
-- place and combined authority area its money counts in (int_reporting_areas_mapped)
members as (

    select
        region_name,
        region_title,
        is_current_region,
        area_code,
        area_name,
        area_code as place_code,
        area_name as place_name,
        combined_authority_code,
        combined_authority_name,
        combined_authority_code as combined_authority_agency_code

    from {{ ref('stg_meta__region_councils') }}

    union all

    select
        regions.region_name,
        regions.region_title,
        true as is_current_region,
        agencies.agency_code as area_code,
        agencies.agency_name as area_name,
        places.reporting_area_code as place_code,
        place_areas.area_name as place_name,
        authorities.reporting_area_code as combined_authority_code,
        authority_areas.area_name as combined_authority_name,
        authority_agencies.agency_code as combined_authority_agency_code

    from {{ ref('stg_meta__regions') }} as regions
    inner join {{ ref('dim_agency') }} as agencies
        on agencies.agency_type = 'council'
    inner join {{ ref('int_reporting_areas_mapped') }} as places
        on agencies.serves_area_code = places.area_code and places.level = 'place'
    inner join {{ ref('dim_area') }} as place_areas
        on places.reporting_area_code = place_areas.area_code
    left join {{ ref('int_reporting_areas_mapped') }} as authorities
        on agencies.serves_area_code = authorities.area_code and authorities.level = 'combined_authority'
    left join {{ ref('dim_area') }} as authority_areas
        on authorities.reporting_area_code = authority_areas.area_code
    left join {{ ref('dim_agency') }} as authority_agencies
        on
            authorities.reporting_area_code = authority_agencies.serves_area_code
            and authority_agencies.agency_type = 'combined_authority'
    where regions.is_current_region and regions.places = 'derived'

),

spend_lines as (

    select * from {{ ref('int_council_spend_lines_remapped') }}
    where service_code <> 'totsx'

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}

),

police_fire as (

    select * from {{ ref('int_police_fire_spend_apportioned') }}

),

lines as (

    select
        spend_lines.area_code,
        spend_lines.row_kind,
        spend_lines.financial_year,
        spend_lines.measure,
        service_lines.theme_code,
        cast(spend_lines.value_gbp_thousands * 1000 as decimal(18, 0)) as amount_gbp,
        spend_lines.source_file_sha256,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from spend_lines
    inner join service_lines
        on spend_lines.service_code = service_lines.service_code
    left join sources
        on spend_lines.source_id = sources.source_id

    union all

    -- each district's share of its police and fire bodies' spend
    select
        police_fire.area_code,
        'authority' as row_kind,
        police_fire.financial_year,
        police_fire.measure,
        police_fire.theme_code,
        cast(round(police_fire.amount_gbp) as decimal(18, 0)) as amount_gbp,
        police_fire.source_file_sha256,
        false as is_synthetic

    from police_fire
    where police_fire.area_code in (select members.area_code from members)

),

themed as (

    select
        area_code,
        row_kind,
        financial_year,
        measure,
        theme_code,
        case when bool_and(amount_gbp is not null) then sum(amount_gbp) end as amount_gbp,
        list(distinct source_file_sha256) as source_file_sha256_list,
        bool_or(is_synthetic) as is_synthetic

    from lines
    group by area_code, row_kind, financial_year, measure, theme_code

),

service_themes as (

    select distinct theme_code
    from service_lines
    where theme_code is not null

),

-- the years and measures whose publication has an England row
england_rows as (

    select distinct
        financial_year,
        measure

    from spend_lines
    where row_kind = 'england'

),

all_years as (

    select distinct
        financial_year,
        measure

    from spend_lines

),

-- each place: its councils' figures summed (a county's with its districts'), not available when any is
councils as (

    select
        members.region_name,
        max(members.region_title) as region_title,
        bool_or(members.is_current_region) as is_current_region,
        members.place_code as area_code,
        max(members.place_name) as area_name,
        'local_authority' as area_type,
        themed.financial_year,
        themed.measure,
        themed.theme_code,
        sum(themed.amount_gbp) as amount_gbp,
        bool_or(themed.amount_gbp is null) as is_missing,
        flatten(list(themed.source_file_sha256_list)) as source_file_sha256_list,
        bool_or(themed.is_synthetic) as is_synthetic

    from members
    inner join themed
        on members.area_code = themed.area_code and themed.row_kind = 'authority'
    group by members.region_name, members.place_code, themed.financial_year, themed.measure, themed.theme_code

),

-- the bodies whose figures make each combined authority area: its member councils and the
-- combined authority itself (filed under its own code: the GLA's is not its area's)
combined_authority_bodies as (

    select
        region_name,
        region_title,
        is_current_region,
        area_code as body_code,
        combined_authority_code,
        combined_authority_name

    from members
    where combined_authority_code is not null

    union

    select
        region_name,
        region_title,
        is_current_region,
        combined_authority_agency_code as body_code,
        combined_authority_code,
        combined_authority_name

    from members
    where combined_authority_code is not null

),

-- each combined authority area: its member councils' figures and its own
combined_authority_parts as (

    select
        bodies.region_name,
        bodies.region_title,
        bodies.is_current_region,
        bodies.combined_authority_code as area_code,
        bodies.combined_authority_name as area_name,
        'combined_authority' as area_type,
        themed.financial_year,
        themed.measure,
        themed.theme_code,
        themed.amount_gbp,
        themed.amount_gbp is null as is_missing,
        themed.source_file_sha256_list,
        themed.is_synthetic,
        bodies.combined_authority_code,
        bodies.combined_authority_name

    from combined_authority_bodies as bodies
    inner join themed
        on bodies.body_code = themed.area_code and themed.row_kind = 'authority'

),

combined_authority_areas as (

    select
        region_name,
        max(region_title) as region_title,
        bool_or(is_current_region) as is_current_region,
        combined_authority_code as area_code,
        max(combined_authority_name) as area_name,
        'combined_authority' as area_type,
        financial_year,
        measure,
        theme_code,
        sum(amount_gbp) as amount_gbp,
        bool_or(is_missing) as is_missing,
        flatten(list(source_file_sha256_list)) as source_file_sha256_list,
        bool_or(is_synthetic) as is_synthetic

    from combined_authority_parts
    group by region_name, combined_authority_code, financial_year, measure, theme_code

),

england as (

    select
        'england' as region_name,
        'England' as region_title,
        false as is_current_region,
        '{{ var("england_code") }}' as area_code,
        'England' as area_name,
        'country' as area_type,
        financial_year,
        measure,
        theme_code,
        amount_gbp,
        amount_gbp is null as is_missing,
        source_file_sha256_list,
        is_synthetic

    from themed
    where row_kind = 'england'

    union all

    -- a year and measure whose publication has no England row: England's figures not available
    select
        'england' as region_name,
        'England' as region_title,
        false as is_current_region,
        '{{ var("england_code") }}' as area_code,
        'England' as area_name,
        'country' as area_type,
        all_years.financial_year,
        all_years.measure,
        service_lines.theme_code,
        null as amount_gbp,
        true as is_missing,
        [] as source_file_sha256_list,
        false as is_synthetic

    from all_years
    cross join service_themes as service_lines
    anti join england_rows
        on all_years.financial_year = england_rows.financial_year and all_years.measure = england_rows.measure

),

combined as (

    select * from councils
    union all
    select * from combined_authority_areas
    union all
    select * from england

),

area_populations as (

    select
        financial_year,
        area_code,
        population_count,
        population_source

    from populations

    union all

    select
        populations.financial_year,
        members.combined_authority_code as area_code,
        sum(populations.population_count) as population_count,
        'sum of member councils: ' || min(populations.population_source) as population_source

    from members
    inner join populations on members.area_code = populations.area_code
    -- the current build's combined authority areas are in populations already
    where members.combined_authority_code not in (select built.area_code from populations as built)
    group by populations.financial_year, members.combined_authority_code

),

pivoted as (

    select
        region_name,
        region_title,
        is_current_region,
        area_code,
        area_name,
        area_type,
        financial_year,
        theme_code,
        max(amount_gbp) filter (where measure = 'budget' and not is_missing) as budget_gbp,
        max(amount_gbp) filter (where measure = 'outturn' and not is_missing) as outturn_gbp,
        bool_or(is_missing) filter (where measure = 'budget') as is_budget_missing,
        bool_or(is_missing) filter (where measure = 'outturn') as is_outturn_missing,
        array_to_string(list_sort(list_distinct(flatten(list(source_file_sha256_list)))), ';')
            as source_file_sha256s,
        bool_or(is_synthetic) as is_synthetic

    from combined
    group by all

),

final as (

    select
        {{ surrogate_key([
            'pivoted.region_name', 'pivoted.area_code', 'pivoted.financial_year', 'pivoted.theme_code'
        ]) }} as regional_benchmark_key,
        pivoted.region_name,
        pivoted.region_title,
        pivoted.is_current_region,
        pivoted.area_code,
        pivoted.area_name,
        pivoted.area_type,
        pivoted.financial_year,
        pivoted.theme_code,
        pivoted.budget_gbp,
        case
            when pivoted.budget_gbp is not null then 'published'
            when pivoted.is_budget_missing then 'not_available'
            else 'not_loaded'
        end as budget_status,
        pivoted.outturn_gbp,
        case
            when pivoted.outturn_gbp is not null then 'published'
            when pivoted.is_outturn_missing then 'not_available'
            else 'not_loaded'
        end as outturn_status,
        pivoted.is_outturn_missing,
        case
            when pivoted.area_type = 'country' and pivoted.budget_gbp is null and pivoted.is_budget_missing
                then
                    'The publisher''s budget file for ' || pivoted.financial_year
                    || ' has no England row (RA Part 1 gives authorities only): England''s budget is not available.'
            when pivoted.area_type = 'country' and pivoted.outturn_gbp is null and pivoted.is_outturn_missing
                then
                    'The publisher''s outturn file for ' || pivoted.financial_year
                    || ' has no England row: England''s outturn is not available.'
        end as comparator_note,
        pivoted.outturn_gbp - pivoted.budget_gbp as variance_gbp,
        area_populations.population_count,
        area_populations.population_source,
        cast(round(cast(pivoted.budget_gbp as double) / area_populations.population_count, 2) as decimal(14, 2))
            as budget_per_head_gbp,
        cast(round(cast(pivoted.outturn_gbp as double) / area_populations.population_count, 2) as decimal(14, 2))
            as outturn_per_head_gbp,
        pivoted.source_file_sha256s,
        pivoted.is_synthetic

    from pivoted
    left join area_populations
        on
            pivoted.area_code = area_populations.area_code
            and pivoted.financial_year = area_populations.financial_year

)

select * from final
