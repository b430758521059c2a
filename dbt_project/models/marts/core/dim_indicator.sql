with

indicators as (

    select * from {{ ref('indicators') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}

),

with_unknown as (

    select
        indicators.indicator_code,
        indicators.source_id,
        indicators.published_id,
        indicators.indicator_name,
        indicators.unit,
        indicators.polarity,
        indicators.theme_code,
        indicators.definition_note,
        sources.publisher,
        coalesce(sources.is_synthetic, false) as is_synthetic

    from indicators
    left join sources
        on indicators.source_id = sources.source_id
    -- a synthetic sample's indicators only where the sample was loaded (the opt-in demo)
    where
        not coalesce(sources.is_synthetic, false)
        or indicators.source_id in (select fetches.source_id from {{ ref('stg_meta__fetches') }} as fetches)

    union all

    {{ unknown_member([
        ['indicator_code', "'unknown'"],
        ['source_id', 'null'],
        ['published_id', 'null'],
        ['indicator_name', "'Unknown indicator'"],
        ['unit', 'null'],
        ['polarity', 'null'],
        ['theme_code', "'unknown'"],
        ['definition_note', 'null'],
        ['publisher', 'null'],
        ['is_synthetic', 'false'],
    ]) }}

),

final as (

    select
        {{ surrogate_key(['indicator_code']) }} as indicator_key,
        indicator_code,
        source_id,
        published_id,
        indicator_name,
        unit,
        polarity,
        theme_code,
        {{ surrogate_key(['theme_code']) }} as theme_key,
        definition_note,
        publisher,
        is_synthetic

    from with_unknown

)

select * from final
