-- Consolidated spend by area, financial year, measure and service theme: each body's contribution,
-- the money passed between bodies, the consolidated total, total per head, and the scope.
--
-- Who counts where (int_reporting_areas_mapped): a council's money counts in its place (a shire
-- district's in its county) and in its combined authority area; the combined authority's own money
-- counts whole in its area and, shared by population, in each member district's place; a police
-- and crime commissioner's and a fire and rescue authority's money shared by population to the
-- districts they serve, and an ICB's allocation shared by need-weighted population, count in each
-- district's place and in the combined authority area.
--
-- Scope (seed spend_scopes): 'budget' rows hold the whole place (council, combined authority,
-- police, fire and the NHS's ICB allocations; a place no combined authority covers has none in its
-- scope); 'outturn' rows hold local government (council,
-- combined authority, police, fire): no held source publishes NHS outturn by place, so NHS money is
-- never shown as outturn (scope_note says so). A body in scope whose figure for the area, year and
-- measure is not available (a return not submitted, a year's NHS allocations not held) is named in
-- missing_body_types, and no row of that area, year and measure is complete. NHS themes a budget
-- year should have but whose allocations are not held are rows with nhs_gbp not available.
--
-- Counted once: money an ICB passes into a council-hosted pooled fund (the Better Care Fund) is
-- in the ICB's allocation and is spent by the council, whose published net expenditure counts it
-- as income. It is shown as transfers_in_gbp on the theme it is spent on (e.g. adult social care)
-- and transfers_out_gbp on the ICB's theme, so
--     gross_gbp = council_gbp + combined_authority_gbp + police_gbp + fire_gbp + nhs_gbp
--                 + transfers_in_gbp
--     total_gbp = gross_gbp - transfers_out_gbp
-- and over all themes total_gbp is each body's money once.
--
-- A total is NULL, never a partial sum, when any contributor's figure is not available
-- (e.g. Birmingham did not submit its 2023-24 outturn), or a council of the region has no figures
-- at all for the year and measure; missing_agency_codes says whose.
with

facts as (

    select
        *,
        case when measure = 'allocation' then 'budget' else measure end as reporting_measure

    from {{ ref('fct_spend') }}

),

body_types as (

    select * from {{ ref('spend_body_types') }}

),

scopes as (

    select * from {{ ref('spend_scopes') }}

),

-- the bodies a measure's rows are declared to hold: every scope's bodies for that measure
declared as (

    select distinct
        measure,
        body_type

    from scopes

),

-- the years and measures the councils' returns cover: a whole-place view needs them (NHS-only
-- years stay in fct_spend)
council_years as (

    select distinct
        financial_year,
        reporting_measure

    from facts
    where agency_type = 'council'

),

spend as (

    select
        facts.*,
        body_types.body_type

    from facts
    inner join council_years
        on
            facts.financial_year = council_years.financial_year
            and facts.reporting_measure = council_years.reporting_measure
    inner join body_types
        on facts.agency_type = body_types.agency_types
    inner join declared
        on
            facts.reporting_measure = declared.measure
            and body_types.body_type = declared.body_type
    where not facts.is_inter_agency_transfer

),

transfers as (

    select
        transfers.*,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from {{ ref('int_pooled_fund_transfers') }} as transfers
    left join {{ ref('stg_meta__sources') }} as sources
        on transfers.source_id = sources.source_id
    inner join council_years
        on
            transfers.financial_year = council_years.financial_year
            and transfers.measure = council_years.reporting_measure

),

-- the council bodies of the region (district, unitary and county councils) and the area each serves
councils as (

    select
        agency_code,
        serves_area_code as area_code

    from {{ ref('dim_agency') }}
    where agency_type = 'council'

),

reporting_areas_mapped as (

    select * from {{ ref('int_reporting_areas_mapped') }}

),

areas as (

    select * from {{ ref('dim_area') }}

),

themes as (

    select * from {{ ref('dim_service_theme') }}

),

populations as (

    select * from {{ ref('int_populations_by_year') }}

),

streams as (

    select * from {{ ref('nhs_allocation_streams') }}

),

-- every council of the region has figures for every year and measure the councils' returns cover;
-- one with none at all (its row missing from the file, or its area code changed) is a part not
-- available, exactly like a figure marked [x]: a row per theme councils spend on, amount NULL, in
-- its own area and its combined authority's, so every total it belongs to is NULL and names it
council_themes as (

    select distinct
        financial_year,
        reporting_measure,
        theme_code

    from spend
    where body_type = 'council'

),

present_councils as (

    select distinct
        agency_code,
        financial_year,
        reporting_measure

    from spend
    where body_type = 'council'

),

absent_councils as (

    select
        councils.agency_code,
        councils.area_code,
        council_years.financial_year,
        council_years.reporting_measure

    from councils
    cross join council_years
    left join present_councils
        on
            councils.agency_code = present_councils.agency_code
            and council_years.financial_year = present_councils.financial_year
            and council_years.reporting_measure = present_councils.reporting_measure
    where present_councils.agency_code is null

),

absent_council_areas as (

    select
        reporting_areas_mapped.reporting_area_code,
        absent_councils.agency_code,
        absent_councils.financial_year,
        absent_councils.reporting_measure

    from absent_councils
    inner join reporting_areas_mapped
        on absent_councils.area_code = reporting_areas_mapped.area_code

),

-- money spent in a district counts in its place and in its combined authority area
-- (int_reporting_areas_mapped: a shire district's place is its county); the combined authority's
-- own money counts whole in its area and, shared by population, in each member district's place
-- (int_combined_authority_spend_apportioned)
placed_spend as (

    select
        reporting_areas_mapped.reporting_area_code,
        spend.agency_code,
        spend.body_type,
        spend.theme_code,
        spend.publisher_line_code,
        spend.financial_year,
        spend.reporting_measure,
        spend.amount_gbp,
        spend.apportionment_method,
        spend.source_file_sha256,
        spend.is_synthetic

    from spend
    inner join reporting_areas_mapped
        on spend.area_code = reporting_areas_mapped.area_code
    where
        reporting_areas_mapped.level = 'place'
        or spend.body_type <> 'combined_authority'
        or spend.area_code = reporting_areas_mapped.reporting_area_code

    union all

    select
        reporting_areas_mapped.reporting_area_code,
        shares.agency_code,
        'combined_authority' as body_type,
        shares.theme_code,
        shares.publisher_line_code,
        shares.financial_year,
        shares.measure as reporting_measure,
        cast(round(shares.amount_gbp) as decimal(18, 0)) as amount_gbp,
        shares.apportionment_method,
        shares.source_file_sha256,
        shares.is_synthetic

    from {{ ref('int_combined_authority_spend_apportioned') }} as shares
    inner join reporting_areas_mapped
        on shares.area_code = reporting_areas_mapped.area_code and reporting_areas_mapped.level = 'place'
    inner join council_years
        on
            shares.financial_year = council_years.financial_year
            and shares.measure = council_years.reporting_measure

    union all

    select
        absent.reporting_area_code,
        absent.agency_code,
        'council' as body_type,
        council_themes.theme_code,
        null as publisher_line_code,
        absent.financial_year,
        absent.reporting_measure,
        cast(null as decimal(18, 0)) as amount_gbp,
        null as apportionment_method,
        null as source_file_sha256,
        false as is_synthetic

    from absent_council_areas as absent
    inner join council_themes
        on
            absent.financial_year = council_themes.financial_year
            and absent.reporting_measure = council_themes.reporting_measure

),

reporting_areas as (

    select distinct
        reporting_area_code as area_code,
        financial_year,
        reporting_measure as measure

    from placed_spend

),

-- a body counts as present for an area, year and measure when it has figures there, none of them
-- not available; a combined authority or council that carries the police or fire function files
-- that spend in its own row (Greater Manchester's fire; a county council that is its county's fire
-- and rescue authority), which then stands for the body
body_presence as (

    select
        reporting_area_code as area_code,
        financial_year,
        reporting_measure as measure,
        body_type,
        count(*) as figure_count,
        count(*) filter (where amount_gbp is null) as missing_count

    from placed_spend
    group by 1, 2, 3, 4

    union all

    select
        reporting_area_code as area_code,
        financial_year,
        reporting_measure as measure,
        case publisher_line_code when 'pol' then 'police' else 'fire' end as body_type,
        count(*) as figure_count,
        count(*) filter (where amount_gbp is null) as missing_count

    from placed_spend
    where body_type in ('combined_authority', 'council') and publisher_line_code in ('pol', 'frs') and amount_gbp <> 0
    group by 1, 2, 3, 4

),

presence as (

    select
        area_code,
        financial_year,
        measure,
        body_type,
        sum(figure_count) as figure_count,
        sum(missing_count) as missing_count

    from body_presence
    group by 1, 2, 3, 4

),

scope_status as (

    select
        reporting_areas.area_code,
        reporting_areas.financial_year,
        reporting_areas.measure,
        string_agg(declared.body_type, ';' order by declared.body_type) as scope_body_types,
        string_agg(declared.body_type, ';' order by declared.body_type) filter (
            where coalesce(presence.figure_count, 0) = 0 or presence.missing_count > 0
        ) as missing_body_types,
        bool_or(declared.body_type = 'nhs' and coalesce(presence.figure_count, 0) = 0) as is_nhs_not_held

    from reporting_areas
    inner join declared
        on reporting_areas.measure = declared.measure
    -- a place no combined authority covers has none in its scope
    inner join areas
        on reporting_areas.area_code = areas.area_code
    left join presence
        on
            reporting_areas.area_code = presence.area_code
            and reporting_areas.financial_year = presence.financial_year
            and reporting_areas.measure = presence.measure
            and declared.body_type = presence.body_type
    where declared.body_type <> 'combined_authority' or {{ has_combined_authority('areas') }}
    group by 1, 2, 3

),

-- the NHS themes a budget year without held allocations should have: those of the earliest held
-- allocations year
nhs_allocations as (

    select
        financial_year,
        stream_code,
        min(financial_year) over () as earliest_financial_year

    from {{ ref('int_nhs_allocations_apportioned') }}

),

expected_nhs_themes as (

    select distinct streams.theme_code
    from nhs_allocations
    inner join streams
        on nhs_allocations.stream_code = streams.stream_code
    where nhs_allocations.financial_year = nhs_allocations.earliest_financial_year

),

-- why NHS money is not in outturn, as seed spend_body_types says it
nhs_outturn_note as (

    select not_in_outturn_because
    from body_types
    where body_type = 'nhs'

),

nhs_not_held as (

    select
        scope_status.area_code,
        scope_status.financial_year,
        scope_status.measure,
        expected_nhs_themes.theme_code

    from scope_status
    cross join expected_nhs_themes
    where scope_status.is_nhs_not_held

),

placed_transfers as (

    select
        reporting_areas_mapped.reporting_area_code,
        transfers.*

    from transfers
    inner join reporting_areas_mapped
        on transfers.area_code = reporting_areas_mapped.area_code

),

transfer_parts as (

    select
        reporting_area_code as area_code,
        financial_year,
        measure,
        theme_code,
        amount_gbp as transfers_in_gbp,
        cast(0 as decimal(18, 0)) as transfers_out_gbp,
        source_file_sha256,
        is_synthetic

    from placed_transfers

    union all

    select
        reporting_area_code as area_code,
        financial_year,
        measure,
        from_theme_code as theme_code,
        cast(0 as decimal(18, 0)) as transfers_in_gbp,
        amount_gbp as transfers_out_gbp,
        source_file_sha256,
        is_synthetic

    from placed_transfers

),

spend_parts as (

    select
        reporting_area_code as area_code,
        financial_year,
        reporting_measure as measure,
        theme_code,
        {% for body in body_types() %}
            sum(amount_gbp) filter (where body_type = '{{ body }}') as {{ body }}_sum_gbp,
            count(*) filter (where body_type = '{{ body }}') as {{ body }}_rows,
            count(*) filter (where body_type = '{{ body }}' and amount_gbp is null) as {{ body }}_missing,
        {% endfor %}
        count(*) filter (where amount_gbp is null) as missing_count,
        string_agg(distinct agency_code, ';' order by agency_code) filter (where amount_gbp is null)
            as missing_agency_codes,
        count(distinct agency_code) as agency_count,
        max(apportionment_method) filter (where body_type = 'nhs') as nhs_apportionment_method,
        max(apportionment_method) filter (where body_type = 'combined_authority')
            as combined_authority_apportionment_method,
        list(distinct source_file_sha256) filter (where source_file_sha256 is not null) as source_file_sha256_list,
        bool_or(is_synthetic) as is_synthetic

    from placed_spend
    group by 1, 2, 3, 4

    union all

    -- an NHS theme whose year's allocations are not held: the NHS part is not available
    select
        area_code,
        financial_year,
        measure,
        theme_code,
        {% for body in body_types() %}
            null as {{ body }}_sum_gbp,
            {{ 1 if body == 'nhs' else 0 }} as {{ body }}_rows,
            {{ 1 if body == 'nhs' else 0 }} as {{ body }}_missing,
        {% endfor %}
        1 as missing_count,
        null as missing_agency_codes,  -- no agency's figure is missing: the year's allocations are not held
        0 as agency_count,
        null as nhs_apportionment_method,
        null as combined_authority_apportionment_method,
        [] as source_file_sha256_list,
        false as is_synthetic

    from nhs_not_held

),

transfer_sums as (

    select
        area_code,
        financial_year,
        measure,
        theme_code,
        sum(transfers_in_gbp) as transfers_in_gbp,
        sum(transfers_out_gbp) as transfers_out_gbp,
        list(distinct source_file_sha256) as source_file_sha256_list,
        bool_or(is_synthetic) as is_synthetic

    from transfer_parts
    group by 1, 2, 3, 4

),

combined as (

    select
        coalesce(spend_parts.area_code, transfer_sums.area_code) as area_code,
        coalesce(spend_parts.financial_year, transfer_sums.financial_year) as financial_year,
        coalesce(spend_parts.measure, transfer_sums.measure) as measure,
        coalesce(spend_parts.theme_code, transfer_sums.theme_code) as theme_code,
        {% for body in body_types() %}
            spend_parts.{{ body }}_sum_gbp,
            coalesce(spend_parts.{{ body }}_rows, 0) as {{ body }}_rows,
            coalesce(spend_parts.{{ body }}_missing, 0) as {{ body }}_missing,
        {% endfor %}
        spend_parts.missing_agency_codes,
        coalesce(spend_parts.agency_count, 0) as agency_count,
        spend_parts.nhs_apportionment_method,
        spend_parts.combined_authority_apportionment_method,
        coalesce(spend_parts.source_file_sha256_list, []) as source_file_sha256_list,
        coalesce(spend_parts.is_synthetic, false) or coalesce(transfer_sums.is_synthetic, false) as is_synthetic,
        coalesce(transfer_sums.transfers_in_gbp, 0) as transfers_in_gbp,
        coalesce(transfer_sums.transfers_out_gbp, 0) as transfers_out_gbp,
        coalesce(transfer_sums.source_file_sha256_list, []) as transfer_source_file_sha256_list,
        coalesce(spend_parts.missing_count, 0) = 0 as has_every_part

    from spend_parts
    full outer join transfer_sums
        on
            spend_parts.area_code = transfer_sums.area_code
            and spend_parts.financial_year = transfer_sums.financial_year
            and spend_parts.measure = transfer_sums.measure
            and spend_parts.theme_code = transfer_sums.theme_code

),

totals as (

    select
        combined.*,
        case
            when combined.has_every_part
                then
                    combined.transfers_in_gbp
                    {% for body in body_types() -%}
                        + coalesce(combined.{{ body }}_sum_gbp, 0)
                    {% endfor %}
        end as gross_gbp

    from combined

),

final as (

    select
        {{ surrogate_key([
            'totals.area_code', 'totals.financial_year', 'totals.measure', 'totals.theme_code'
        ]) }} as whole_place_budget_key,
        totals.area_code,
        areas.area_name,
        areas.area_type,
        totals.financial_year,
        totals.measure,
        totals.theme_code,
        themes.theme_name,
        themes.theme_group,
        {% for body in body_types() %}
            case when totals.{{ body }}_missing = 0 then totals.{{ body }}_sum_gbp end as {{ body }}_gbp,
            case
                when totals.{{ body }}_missing > 0 then 'not_available'
                when totals.{{ body }}_rows > 0 then 'published'
                else 'not_applicable'
            end as {{ body }}_status,
        {% endfor %}
        totals.transfers_in_gbp,
        totals.transfers_out_gbp,
        totals.gross_gbp,
        totals.gross_gbp - totals.transfers_out_gbp as total_gbp,
        case when totals.gross_gbp is null then 'not_available' else 'published' end as total_status,
        populations.population_count,
        populations.population_source,
        case
            when totals.gross_gbp is not null and populations.population_count > 0
                then cast(round(
                    cast(totals.gross_gbp - totals.transfers_out_gbp as double) / populations.population_count, 2
                ) as decimal(14, 2))
        end as per_head_gbp,
        totals.nhs_apportionment_method,
        totals.combined_authority_apportionment_method,
        scope_status.scope_body_types,
        scope_status.missing_body_types,
        case totals.measure
            when 'outturn'
                then
                    'Local government outturn: ' || {{ local_bodies('areas') }} || '. NHS not included: '
                    || nhs_outturn_note.not_in_outturn_because || '.'
            else
                'Whole place budget: ' || {{ local_bodies('areas') }} || ' budgets and ICB allocations.'
        end
        || case
            when scope_status.missing_body_types is not null
                then
                    ' Not available here: ' || replace(scope_status.missing_body_types, ';', ', ')
                    || case
                        when scope_status.is_nhs_not_held then ' (the year''s NHS allocations are not held)' else ''
                    end
                    || '.'
            else ''
        end as scope_note,
        totals.has_every_part and scope_status.missing_body_types is null as is_complete,
        totals.missing_agency_codes,
        totals.agency_count,
        array_to_string(
            list_sort(list_distinct(list_concat(
                totals.source_file_sha256_list, totals.transfer_source_file_sha256_list
            ))),
            ';'
        ) as source_file_sha256s,
        totals.is_synthetic

    from totals
    cross join nhs_outturn_note
    inner join areas
        on totals.area_code = areas.area_code

    inner join themes
        on totals.theme_code = themes.theme_code
    left join scope_status
        on
            totals.area_code = scope_status.area_code
            and totals.financial_year = scope_status.financial_year
            and totals.measure = scope_status.measure
    left join populations
        on
            totals.area_code = populations.area_code
            and totals.financial_year = populations.financial_year

)

{{ select_with_real_terms('final', ['total_gbp', 'per_head_gbp']) }}
