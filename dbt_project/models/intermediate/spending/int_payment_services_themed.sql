-- Each body's own service labels (a council's service, cost centre or SeRCOP purpose; the WMCA's
-- cost centre) mapped to a service theme, and so to the RSX service line that theme is, by the
-- spend500_service_themes seed (regular expressions, case-insensitive, first match by priority).
-- A label no pattern matches keeps theme_code NULL: counted, never guessed.
with

labels as (

    select
        body_code,
        service_label,
        count(*) as payment_count,
        sum(net_amount_gbp) as net_amount_gbp
    from {{ ref('int_payments_unioned') }}
    group by body_code, service_label

),

patterns as (

    select * from {{ ref('spend500_service_themes') }}

),

service_lines as (

    select * from {{ ref('mhclg_service_lines') }}
    where line_type = 'service'

),

themed as (

    select
        labels.body_code,
        labels.service_label,
        any_value(labels.payment_count) as payment_count,
        any_value(labels.net_amount_gbp) as net_amount_gbp,
        arg_min(patterns.theme_code, patterns.priority) as theme_code
    from labels
    left join patterns
        on
            labels.body_code = patterns.body_code
            and regexp_matches(labels.service_label, patterns.service_pattern, 'i')
    group by labels.body_code, labels.service_label

)

select
    themed.*,
    service_lines.service_code
from themed
left join service_lines on themed.theme_code = service_lines.theme_code
