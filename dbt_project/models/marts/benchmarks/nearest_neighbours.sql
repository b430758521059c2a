-- Each of the region's councils' (and its combined authority's) Oflog statistical nearest
-- neighbours: the comparator group the profiles and fct_outcome.neighbours_median_value use,
-- beside England and the region. Names from the ONS mid-year estimates (the latest edition that
-- names the code), else the ONS combined authority lookup, else the name MHCLG's returns give the
-- authority (the latest year: combined authorities created since the lookup), else seed
-- reference_areas (the Greater London Authority's GSS code), else Oflog's adult social care file; a
-- code none names keeps an empty name.
with

areas as (

    select * from {{ ref('dim_area') }}

),

neighbours as (

    select * from {{ ref('stg_oflog_nearest_neighbours__group_members') }}

),

ons_names as (

    select
        area_code,
        area_name
    from {{ ref('stg_ons_mid_year_estimates__populations') }}
    qualify row_number() over (partition by area_code order by edition_year desc, mid_year desc) = 1

),

combined_authority_names as (

    select
        combined_authority_code as area_code,
        max(combined_authority_name) as area_name
    from {{ ref('stg_ons_lad_cauth_lookup__memberships') }}
    group by combined_authority_code

),

return_names as (

    select
        area_code,
        arg_max(authority_name, financial_year) as area_name

    from {{ ref('int_council_spend_lines_unioned') }}
    where row_kind = 'authority'
    group by area_code

),

reference_names as (

    select
        area_code,
        area_name

    from {{ ref('reference_areas') }}

),

oflog_names as (

    select
        area_code,
        max(area_name) as area_name
    from {{ ref('stg_oflog_asc__measures') }}
    group by area_code

),

final as (

    select
        {{ surrogate_key(['areas.area_code', 'neighbours.neighbour_area_code']) }} as nearest_neighbour_key,
        areas.area_key,
        areas.area_code,
        areas.area_name,
        areas.area_type,
        neighbours.neighbour_area_code,
        coalesce(
            ons_names.area_name,
            combined_authority_names.area_name,
            return_names.area_name,
            reference_names.area_name,
            oflog_names.area_name
        ) as neighbour_area_name,
        count(*) over (partition by areas.area_code) as group_size,
        'oflog_nearest_neighbours' as comparator_group,
        neighbours.source_file,
        neighbours.source_file_sha256,
        neighbours.source_url,
        neighbours.source_row

    from areas
    inner join neighbours
        on areas.area_code = neighbours.area_code
    left join ons_names
        on neighbours.neighbour_area_code = ons_names.area_code
    left join combined_authority_names
        on neighbours.neighbour_area_code = combined_authority_names.area_code
    left join return_names
        on neighbours.neighbour_area_code = return_names.area_code
    left join reference_names
        on neighbours.neighbour_area_code = reference_names.area_code
    left join oflog_names
        on neighbours.neighbour_area_code = oflog_names.area_code
    where areas.area_type in ('local_authority', 'combined_authority')

)

select * from final
