-- The headline: each area's total spend for a financial year and measure, in each declared scope
-- (seed spend_scopes), with the bodies it holds and those it lacks, per head.
--
--   local_government  council + combined authority + police + fire; budget and outturn: the
--                     like-for-like series over every year held
--   whole_place       local government + the NHS (ICB allocations); budget only, since no held
--                     source publishes NHS outturn by place
--   all_identifiable_estimated
--                     an ESTIMATE of all identifiable public money (outturn years HM Treasury's
--                     CRA holds): the bodies' counted money, and total_gbp the estimate of
--                     whole_place_estimates (total_status 'estimated'); a year no CRA edition
--                     holds is not available
--
-- A body's part is the sum over every theme of whole_place_budget; a scope's total is the sum of
-- its bodies' parts, NULL (status not available) when any body in the scope is missing for the
-- area, year and measure, and a body outside the scope is not applicable ([z]), as is a combined
-- authority where none covers the place. Pooled-fund transfers cancel out over the themes, so each
-- pound counts once.
with

themes as (

    select * from {{ ref('whole_place_budget') }}

),

scopes as (

    select * from {{ ref('spend_scopes') }}

),

estimates as (

    select * from {{ ref('whole_place_estimates') }}
    where function_code = 'total'

),

scope_list as (

    select
        scope_code,
        measure,
        max(scope_name) as scope_name,
        max(scope_description) as scope_description,
        list(body_type order by body_type) as scope_body_types

    from scopes
    group by scope_code, measure

),

parts as (

    select
        area_code,
        max(area_name) as area_name,
        max(area_type) as area_type,
        financial_year,
        measure,
        {% for body in body_types() %}
            case
                when bool_or({{ body }}_status = 'not_available') then null
                else coalesce(sum({{ body }}_gbp), 0)
            end as {{ body }}_sum_gbp,
            bool_or({{ body }}_status = 'not_available') as {{ body }}_is_missing,
        {% endfor %}
        max(population_count) as population_count,
        max(population_source) as population_source,
        string_agg(distinct missing_agency_codes, ';') as missing_agency_codes,
        bool_or(is_synthetic) as is_synthetic

    from themes
    group by area_code, financial_year, measure

),

missing_types as (

    select
        area_code,
        financial_year,
        measure,
        max(missing_body_types) as missing_body_types,
        -- the bodies the area can have (no combined authority where none covers it)
        string_split(max(scope_body_types), ';') as area_body_types

    from themes
    group by area_code, financial_year, measure

),

scoped as (

    select
        parts.*,
        scope_list.scope_code,
        scope_list.scope_name,
        scope_list.scope_description,
        list_filter(
            scope_list.scope_body_types,
            lambda b: list_contains(coalesce(missing_types.area_body_types, [b]), b)  -- noqa: RF02
        ) as scope_body_types,
        list_filter(
            scope_list.scope_body_types,
            lambda b: list_contains(string_split(coalesce(missing_types.missing_body_types, ''), ';'), b)  -- noqa: RF02
        ) as scope_missing_body_types,
        estimates.estimate_gbp,
        estimates.estimate_per_head_gbp,
        estimates.estimated_remainder_gbp,
        estimates.counted_share_pct

    from parts
    inner join scope_list
        on parts.measure = scope_list.measure
    left join missing_types
        on
            parts.area_code = missing_types.area_code
            and parts.financial_year = missing_types.financial_year
            and parts.measure = missing_types.measure
    left join estimates
        on
            parts.area_code = estimates.area_code
            and parts.financial_year = estimates.financial_year
            and scope_list.scope_code = 'all_identifiable_estimated'

),

{%- set counted_sum -%}
    coalesce(council_sum_gbp, 0) + coalesce(combined_authority_sum_gbp, 0) + coalesce(police_sum_gbp, 0)
    + coalesce(fire_sum_gbp, 0)
    + case when list_contains(scope_body_types, 'nhs') then coalesce(nhs_sum_gbp, 0) else 0 end
{%- endset %}

final as (

    select
        {{ surrogate_key(['area_code', 'financial_year', 'measure', 'scope_code']) }} as whole_place_total_key,
        area_code,
        area_name,
        area_type,
        financial_year,
        measure,
        scope_code,
        scope_name,
        {% for body in body_types() %}
            case when list_contains(scope_body_types, '{{ body }}') then {{ body }}_sum_gbp end as {{ body }}_gbp,
            case
                when not list_contains(scope_body_types, '{{ body }}') then 'not_applicable'
                when {{ body }}_is_missing or list_contains(scope_missing_body_types, '{{ body }}') then 'not_available'
                else 'published'
            end as {{ body }}_status,
        {% endfor %}
        case
            when scope_code = 'all_identifiable_estimated' then estimate_gbp
            when len(scope_missing_body_types) = 0 then {{ counted_sum }}
        end as total_gbp,
        case
            when scope_code = 'all_identifiable_estimated' and estimate_gbp is not null then 'estimated'
            when scope_code = 'all_identifiable_estimated' then 'not_available'
            when len(scope_missing_body_types) = 0 then 'published'
            else 'not_available'
        end as total_status,
        population_count,
        population_source,
        case
            when scope_code = 'all_identifiable_estimated' then estimate_per_head_gbp
            when len(scope_missing_body_types) = 0 and population_count > 0
                then cast(round(({{ counted_sum }}) / population_count, 2) as decimal(14, 2))
        end as per_head_gbp,
        estimated_remainder_gbp,
        counted_share_pct,
        array_to_string(scope_body_types, ';') as scope_body_types,
        nullif(array_to_string(scope_missing_body_types, ';'), '') as missing_body_types,
        case when len(scope_missing_body_types) > 0 then missing_agency_codes end as missing_agency_codes,
        scope_description
        || case
            when len(scope_missing_body_types) > 0
                then
                    '. Not available: ' || array_to_string(scope_missing_body_types, ', ')
                    || case
                        when list_contains(scope_missing_body_types, 'nhs') and nhs_is_missing
                            then ' (the year''s NHS allocations are not held)'
                        else ''
                    end
                    || case
                        when missing_agency_codes is not null
                            then ' (no figure from ' || replace(missing_agency_codes, ';', ', ') || ')'
                        else ''
                    end
            else ''
        end
        || case
            when scope_code <> 'all_identifiable_estimated' then ''
            when estimate_gbp is null
                then '. No edition of HM Treasury''s Country and Regional Analysis held covers this year'
            when len(scope_missing_body_types) > 0 then '. The bodies not available are estimated with the remainder'
            else ''
        end
        || '.' as scope_note,
        case
            when scope_code = 'all_identifiable_estimated' then estimate_gbp is not null
            else len(scope_missing_body_types) = 0
        end as is_complete,
        is_synthetic

    from scoped

)

{{ select_with_real_terms('final', ['total_gbp', 'per_head_gbp']) }}
