-- Payments over £500 by body, month, kind of payment and service theme, for the region's councils
-- and its combined authority: what the published transactions add up to beneath the budget lines.
-- Each body's service labels are mapped to themes by int_payment_services_themed; a label no
-- pattern matches stays unmapped (theme_code null), never guessed. Sums are of payments of £500 or
-- more in absolute value, so bodies that publish smaller payments too (Solihull, Walsall,
-- Wolverhampton) compare with those that do not; what they published below £500 is in the
-- below_500 columns. A body-month whose disclosure is not held is a row with value_status
-- 'not_loaded' and no figures, never a zero. Rows refused while reading are not in these sums: the
-- warehouse keeps them with file, row and column (stg_spend500__rejects, stg_wmca_spend__rejects).
with

bodies as (

    select distinct
        body_code,
        body_type
    from {{ ref('int_region_payment_bodies') }}

),

payments as (

    select * from {{ ref('fct_spend500_payment') }}

),

themes as (

    select * from {{ ref('int_payment_services_themed') }}

),

coverage as (

    select * from {{ ref('payment_coverage') }}

),

sources as (

    select
        source_id,
        is_synthetic
    from {{ ref('stg_meta__sources') }}

),

monthly as (

    select
        payments.area_code,
        payments.body_name as area_name,
        payments.body_type,
        payments.financial_year,
        payments.period_month as payment_month,
        payments.payment_kind,
        themes.theme_code,
        'published' as value_status,
        count(*) filter (where payments.is_over_500) as payment_count,
        count(*) filter (where payments.is_over_500 and payments.is_redacted) as redacted_payment_count,
        count(distinct payments.supplier_name_normalised) filter (where payments.is_over_500) as supplier_count,
        coalesce(sum(payments.net_amount_gbp) filter (where payments.is_over_500), 0) as net_amount_gbp,
        count(*) filter (where not payments.is_over_500) as below_500_payment_count,
        coalesce(sum(payments.net_amount_gbp) filter (where not payments.is_over_500), 0)
            as below_500_net_amount_gbp,
        bool_or(sources.is_synthetic) as is_synthetic,
        string_agg(distinct payments.source_file_sha256, ' ' order by payments.source_file_sha256)
            as source_file_sha256s
    from payments
    inner join bodies on payments.body_code = bodies.body_code
    inner join sources on payments.source_id = sources.source_id
    left join themes
        on
            payments.body_code = themes.body_code
            and payments.service_label is not distinct from themes.service_label
    group by all

),

not_held as (

    select
        coverage.area_code,
        coverage.area_name,
        coverage.body_type,
        coverage.financial_year,
        coverage.payment_month,
        cast(null as varchar) as payment_kind,
        cast(null as varchar) as theme_code,
        'not_loaded' as value_status,
        cast(null as bigint) as payment_count,
        cast(null as bigint) as redacted_payment_count,
        cast(null as bigint) as supplier_count,
        cast(null as decimal(38, 2)) as net_amount_gbp,
        cast(null as bigint) as below_500_payment_count,
        cast(null as decimal(38, 2)) as below_500_net_amount_gbp,
        false as is_synthetic,
        cast(null as varchar) as source_file_sha256s
    from coverage
    where coverage.coverage_status = 'not_held'

),

unioned as (

    select * from monthly
    union all by name
    select * from not_held

)

select
    {{ surrogate_key(['area_code', 'payment_month', 'payment_kind', 'theme_code']) }} as spend_month_key,
    *
from unioned
