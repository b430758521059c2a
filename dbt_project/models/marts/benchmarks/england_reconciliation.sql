-- Does local government money add back to the publisher's England row? For each financial year and
-- measure of MHCLG's returns (RA budget, RSX / RO outturn; net current expenditure over the service
-- totals, on April 2023 boundaries):
--   england_gbp          the publisher's England row (every English authority), where the file has one;
--   authorities_gbp      the authority rows the file holds, summed (a figure not available counts 0:
--                        not_available_authorities says how many have none);
--   placed_gbp           what the build counts in its places (fct_spend: councils' and combined
--                        authorities' own money, and police and fire bodies' shared to the districts);
--   not_placed_gbp       the rest of the authority rows: bodies the build has no place for (national
--                        park and waste authorities, other bodies, combined authorities newer than the
--                        held lookup, or, in a city region's build, every authority outside it), named in
--                        not_placed_bodies by kind;
--   placed_gbp + not_placed_gbp = authorities_gbp exactly (the difference is tested at zero);
--   england_gbp - authorities_gbp is the publisher's own: its England row counts figures for the
--                        authorities whose rows are not available (e.g. Birmingham's 2023-24 outturn).
with

lines as (

    select * from {{ ref('int_council_spend_lines_remapped') }}
    where service_code <> 'totsx'

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}
    where theme_code is not null

),

agencies as (

    select * from {{ ref('dim_agency') }}

),

themed as (

    select
        lines.financial_year,
        lines.measure,
        lines.row_kind,
        lines.area_code,
        max(lines.authority_name) as authority_name,
        sum(lines.value_gbp_thousands) * 1000 as amount_gbp,
        bool_or(lines.value_gbp_thousands is null) as is_missing

    from lines
    inner join service_lines
        on lines.service_code = service_lines.service_code
    group by 1, 2, 3, 4

),

england as (

    select
        financial_year,
        measure,
        sum(amount_gbp) as england_gbp

    from themed
    where row_kind = 'england'
    group by 1, 2

),

authorities as (

    select
        themed.*,
        agencies.agency_code is not null as is_placed,
        case
            when agencies.agency_code is not null then agencies.agency_type
            when themed.area_code like 'E26%' then 'national park authority'
            when themed.area_code like 'E50%' then 'waste authority'
            when themed.area_code like 'E47%' then 'combined authority not in the held lookup'
            when themed.area_code similar to 'E0[6-9].*|E10.*|E12.*' then 'council outside the build'
            when themed.area_code similar to 'E23.*|E31.*' then 'police or fire body outside the build'
            else 'other body'
        end as body_kind

    from themed
    left join agencies
        on
            themed.area_code = agencies.agency_code
            and agencies.agency_type in ('council', 'combined_authority', 'police', 'fire')
    where themed.row_kind = 'authority'

),

placed as (

    select
        financial_year,
        case when measure = 'allocation' then 'budget' else measure end as measure,
        sum(amount_gbp) as placed_gbp

    from {{ ref('fct_spend') }}
    where
        agency_type in ('council', 'combined_authority', 'police', 'fire')
        and not is_inter_agency_transfer
        and theme_code in (select service_lines.theme_code from service_lines)
    group by 1, 2

),

not_placed_kinds as (

    select
        financial_year,
        measure,
        body_kind,
        count(*) as body_count,
        coalesce(sum(amount_gbp), 0) as amount_gbp

    from authorities
    where not is_placed
    group by 1, 2, 3

),

summed as (

    select
        financial_year,
        measure,
        coalesce(sum(amount_gbp), 0) as authorities_gbp,
        count(*) as authority_count,
        count(*) filter (where is_missing) as not_available_authorities,
        coalesce(sum(amount_gbp) filter (where not is_placed), 0) as not_placed_gbp

    from authorities
    group by 1, 2

),

final as (

    select
        {{ surrogate_key(['summed.financial_year', 'summed.measure']) }} as england_reconciliation_key,
        summed.financial_year,
        summed.measure,
        england.england_gbp,
        case when england.england_gbp is null then 'not_available' else 'published' end as england_status,
        summed.authorities_gbp,
        summed.authority_count,
        summed.not_available_authorities,
        cast(round(coalesce(placed.placed_gbp, 0)) as decimal(18, 0)) as placed_gbp,
        cast(round(summed.not_placed_gbp) as decimal(18, 0)) as not_placed_gbp,
        (
            select string_agg(kinds.body_kind || ' (' || kinds.body_count || ')', '; ' order by kinds.body_kind)
            from not_placed_kinds as kinds
            where kinds.financial_year = summed.financial_year and kinds.measure = summed.measure
        ) as not_placed_bodies,
        cast(round(coalesce(placed.placed_gbp, 0) + summed.not_placed_gbp - summed.authorities_gbp) as decimal(18, 0))
            as unexplained_gbp,
        cast(round(england.england_gbp - summed.authorities_gbp) as decimal(18, 0)) as publisher_difference_gbp

    from summed
    left join england
        on summed.financial_year = england.financial_year and summed.measure = england.measure
    left join placed
        on summed.financial_year = placed.financial_year and summed.measure = placed.measure

)

select * from final
