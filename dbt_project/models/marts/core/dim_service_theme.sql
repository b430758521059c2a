with

themes as (

    select * from {{ ref('service_themes') }}

),

with_unknown as (

    select
        theme_code,
        theme_name,
        theme_group,
        parent_theme_code,
        description
    from themes

    union all

    {{ unknown_member([
        ['theme_code', "'unknown'"],
        ['theme_name', "'Unknown theme'"],
        ['theme_group', "'unknown'"],
        ['parent_theme_code', 'null'],
        ['description', "'A publisher line with no mapping (fails a test)'"],
    ]) }}

),

final as (

    select
        {{ surrogate_key(['theme_code']) }} as theme_key,
        theme_code,
        theme_name,
        theme_group,
        parent_theme_code,
        case when parent_theme_code is not null then {{ surrogate_key(['parent_theme_code']) }} end
            as parent_theme_key,
        description

    from with_unknown

)

select * from final
