-- Spending over £500 by council, month, kind of payment and service theme, for the region's
-- councils: what the published transactions add up to beneath the budget lines. Each council's
-- service labels are mapped to our themes by the spend500_service_themes seed (regular
-- expressions, first match by priority); a label no pattern matches stays unmapped (theme_code
-- null), never guessed. Rows refused while reading are not in these sums: the warehouse keeps them
-- with file, row and column (stg_spend500__rejects).
with

members as (

    select * from {{ ref('int_region_councils_filtered') }}

),

payments as (

    select * from {{ ref('fct_spend500_payment') }}

),

patterns as (

    select * from {{ ref('spend500_service_themes') }}

),

sources as (

    select * from {{ ref('stg_meta__sources') }}
    where source_id = 'spend500'

),

services as (

    select distinct
        area_code,
        service_label
    from payments

),

services_themed as (

    select
        services.area_code,
        services.service_label,
        arg_min(patterns.theme_code, patterns.priority) as theme_code
    from services
    left join patterns
        on
            services.area_code = patterns.council_code
            and regexp_matches(services.service_label, patterns.service_pattern, 'i')
    group by services.area_code, services.service_label

),

monthly as (

    select
        payments.area_code,
        payments.council_name as area_name,
        payments.financial_year,
        payments.payment_month,
        payments.payment_kind,
        services_themed.theme_code,
        count(*) as payment_count,
        count(*) filter (where payments.is_redacted) as redacted_payment_count,
        count(distinct payments.supplier_name_normalised) as supplier_count,
        sum(payments.net_amount_gbp) as net_amount_gbp,
        string_agg(distinct payments.source_file_sha256, ' ' order by payments.source_file_sha256)
            as source_file_sha256s
    from payments
    inner join members on payments.area_code = members.area_code
    left join services_themed
        on
            payments.area_code = services_themed.area_code
            and payments.service_label is not distinct from services_themed.service_label
    group by all

)

select
    {{ surrogate_key(['monthly.area_code', 'monthly.payment_month', 'monthly.payment_kind', 'monthly.theme_code']) }}
        as spend_month_key,
    monthly.*,
    sources.is_synthetic
from monthly
cross join sources
