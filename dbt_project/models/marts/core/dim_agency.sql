with

agencies as (

    select * from {{ ref('int_agencies_unioned') }}

),

with_unknown as (

    select
        agency_code,
        agency_name,
        agency_type,
        serves_area_code,
        ods_code
    from agencies

    union all

    {{ unknown_member([
        ['agency_code', "'UNKNOWN'"],
        ['agency_name', "'Unknown agency'"],
        ['agency_type', "'unknown'"],
        ['serves_area_code', "'UNKNOWN'"],
        ['ods_code', 'null'],
    ]) }}

),

final as (

    select
        {{ surrogate_key(['agency_code']) }} as agency_key,
        agency_code,
        agency_name,
        agency_type,
        serves_area_code,
        case when serves_area_code is not null then {{ surrogate_key(['serves_area_code']) }} end as serves_area_key,
        ods_code

    from with_unknown

)

select * from final
