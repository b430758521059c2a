-- int_council_spend_lines_unioned on one boundary vintage (April 2023): an earlier year's return of
-- an authority the 2023 reorganisations abolished counts as its successor's
-- (int_predecessor_authorities_mapped: a district's whole, an abolished county's shared by
-- population). Every other row passes through unchanged. A successor's line is the sum of its
-- predecessors' parts; not available when any part is; its lineage names the file, not a row, and
-- predecessor_basis names the predecessors and how each was shared.
with

lines as (

    select * from {{ ref('int_council_spend_lines_unioned') }}

),

predecessors as (

    select
        *,
        predecessor_area_name || ' (' || predecessor_area_code || '): ' || basis as predecessor_label

    from {{ ref('int_predecessor_authorities_mapped') }}

),

successor_lines as (

    select
        lines.financial_year,
        predecessors.area_code,
        max(predecessors.area_name) as authority_name,
        'successor' as authority_class,
        'authority' as row_kind,
        lines.measure,
        lines.service_code,
        -- each part to the pound (the published figures' own precision), so the sum is exact and
        -- the same on every run, whatever order the parts are added in
        case
            when bool_and(lines.value_gbp_thousands is not null)
                then cast(sum(
                    cast(round(lines.value_gbp_thousands * predecessors.share, 3) as decimal(18, 3))
                ) as decimal(18, 3))
        end as value_gbp_thousands,
        coalesce(min(lines.value_status) filter (where lines.value_status <> 'published'), 'published')
            as value_status,
        min(lines.publication) as publication,
        min(lines.publication_rank) as publication_rank,
        min(lines.source_id) as source_id,
        min(lines.source_file) as source_file,
        min(lines.source_file_sha256) as source_file_sha256,
        min(lines.source_url) as source_url,
        cast(null as integer) as source_row,
        cast(null as varchar) as source_column,
        string_agg(distinct predecessors.predecessor_label, '; ' order by predecessors.predecessor_label)
            as predecessor_basis

    from lines
    inner join predecessors
        on lines.area_code = predecessors.predecessor_area_code and lines.financial_year = predecessors.financial_year
    where lines.row_kind = 'authority'
    group by lines.financial_year, predecessors.area_code, lines.measure, lines.service_code

),

gone as (

    select distinct predecessor_area_code
    from predecessors

),

kept as (

    select
        lines.*,
        cast(null as varchar) as predecessor_basis
    from lines
    anti join gone
        on lines.area_code = gone.predecessor_area_code and lines.row_kind = 'authority'

),

final as (

    select * from kept

    union all

    -- a successor's own return, where the year has one, is its figure
    select successor_lines.*
    from successor_lines
    anti join kept
        on
            successor_lines.financial_year = kept.financial_year
            and successor_lines.area_code = kept.area_code
            and successor_lines.measure = kept.measure
            and successor_lines.service_code = kept.service_code

)

select * from final
