with

agencies as (

    select * from {{ ref('int_agencies_unioned') }}

),

with_unknown as (

    select agency_code, agency_name, agency_type, serves_area_code, ods_code
    from agencies

    union all

    select 'UNKNOWN', 'Unknown agency', 'unknown', 'UNKNOWN', null

),

final as (

    select
        {{ surrogate_key(['agency_code']) }} as agency_key,
        agency_code,
        agency_name,
        agency_type,
        serves_area_code,
        {{ surrogate_key(['serves_area_code']) }} as serves_area_key,
        ods_code

    from with_unknown

)

select * from final
