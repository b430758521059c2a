-- Every area the warehouse reports on, with its type and place in the hierarchy:
-- England (seed), the ONS regions, the combined authorities and the places (the region file's
-- councils, or for England every upper-tier area and its shire districts, from the ONS lookups),
-- the integrated care boards with a GSS code (ONS's LSOA to ICB lookup), and sub-council places where the region
-- file names a source for them (Birmingham's care localities and their wards, from the BSol ICS).
-- Localities have no GSS code: their code is <council GSS code>-<LOCALITY NAME>.
with

reference_areas as (

    select * from {{ ref('reference_areas') }}

),

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

wards as (

    select * from {{ ref('stg_bsol_ward_locality__wards') }}

),

country as (

    select
        area_code,
        area_name,
        area_type,
        parent_area_code,
        null as icb_code,
        null as combined_authority_code,
        'seed reference_areas' as defined_by

    from reference_areas
    where area_type = 'country'

),

ons_region as (

    select distinct
        ons_region_code as area_code,
        ons_region_name as area_name,
        'region' as area_type,
        '{{ var("england_code") }}' as parent_area_code,
        null as icb_code,
        null as combined_authority_code,
        'region file' as defined_by

    from councils

),

combined_authority as (

    select
        councils.combined_authority_code as area_code,
        max(councils.combined_authority_name) as area_name,
        'combined_authority' as area_type,
        max(councils.ons_region_code) as parent_area_code,
        null as icb_code,
        councils.combined_authority_code,
        'region file' as defined_by

    from councils
    where councils.combined_authority_code is not null
    group by councils.combined_authority_code

),

-- the places: each listed council, or each upper-tier area (a county holds its shire districts);
-- a place's combined authority is its districts' when they share one
local_authorities as (

    select
        place_code as area_code,
        max(place_name) as area_name,
        'local_authority' as area_type,
        case
            when count(distinct combined_authority_code) = 1 and count(combined_authority_code) = count(*)
                then max(combined_authority_code)
            else max(ons_region_code)
        end as parent_area_code,
        mode(icb_code order by icb_code) as icb_code,
        case
            when count(distinct combined_authority_code) = 1 and count(combined_authority_code) = count(*)
                then max(combined_authority_code)
        end as combined_authority_code,
        'region file' as defined_by

    from councils
    group by place_code

),

-- a shire district, in its county's place
districts as (

    select
        area_code,
        area_name,
        'district' as area_type,
        place_code as parent_area_code,
        icb_code,
        combined_authority_code,
        'ons_lad_utla_lookup' as defined_by

    from councils
    where area_code <> place_code

),

icbs as (

    select distinct
        icb_code as area_code,
        icb_name as area_name,
        'icb' as area_type,
        '{{ var("england_code") }}' as parent_area_code,
        icb_code,
        null as combined_authority_code,
        'ons_lsoa_icb_lookup' as defined_by

    from councils
    where icb_code is not null

),

-- the police force area and fire and rescue authority area the region's councils lie in: the
-- areas their police and fire bodies serve
police_force_areas as (

    select distinct
        police_force_area_code as area_code,
        police_force_area_name as area_name,
        'police_force_area' as area_type,
        '{{ var("england_code") }}' as parent_area_code,
        null as icb_code,
        null as combined_authority_code,
        'ons_lad_pfa_lookup' as defined_by

    from councils
    where police_force_area_code is not null

),

fire_authority_areas as (

    select distinct
        fire_authority_area_code as area_code,
        fire_authority_area_name as area_name,
        'fire_authority_area' as area_type,
        '{{ var("england_code") }}' as parent_area_code,
        null as icb_code,
        null as combined_authority_code,
        'ons_lad_fra_lookup' as defined_by

    from councils
    where fire_authority_area_code is not null

),

localities as (

    select distinct
        wards.area_code || '-' || upper(wards.locality_name) as area_code,
        wards.area_name || ' ' || wards.locality_name as area_name,
        'locality' as area_type,
        wards.area_code as parent_area_code,
        councils.icb_code,
        councils.combined_authority_code,
        'bsol_ward_locality' as defined_by

    from wards
    inner join councils
        on
            wards.area_code = councils.area_code
            and councils.locality_source = 'bsol_ward_locality'
    where wards.locality_name <> wards.area_name

),

ward_areas as (

    select
        wards.ward_code as area_code,
        wards.ward_name as area_name,
        'ward' as area_type,
        case
            when wards.locality_name <> wards.area_name
                then wards.area_code || '-' || upper(wards.locality_name)
            else wards.area_code
        end as parent_area_code,
        councils.icb_code,
        councils.combined_authority_code,
        'bsol_ward_locality' as defined_by

    from wards
    inner join councils
        on
            wards.area_code = councils.area_code
            and councils.locality_source = 'bsol_ward_locality'

),

unioned as (

    select * from country
    union all
    select * from ons_region
    union all
    select * from combined_authority
    union all
    select * from local_authorities
    union all
    select * from districts
    union all
    select * from icbs
    union all
    select * from police_force_areas
    union all
    select * from fire_authority_areas
    union all
    select * from localities
    union all
    select * from ward_areas

)

select * from unioned
