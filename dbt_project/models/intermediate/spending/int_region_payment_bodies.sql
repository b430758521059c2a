-- The bodies whose payments the region's payment marts cover: its councils and its combined
-- authority, each with the months its disclosures are held for (a file's month is the month most
-- of its payments are accounted in). A body with no file held has no months: the marts name it as
-- not held, never as zero.
with

councils as (

    select * from {{ ref('int_region_councils_filtered') }}

),

payments as (

    select * from {{ ref('int_payments_unioned') }}

),

bodies as (

    select
        area_code as body_code,
        area_name as body_name,
        'council' as body_type
    from councils

    union all

    select distinct
        combined_authority_code as body_code,
        combined_authority_name as body_name,
        'combined_authority' as body_type
    from councils
    where combined_authority_code is not null

),

file_months as (

    select
        body_code,
        source_file,
        mode(period_month) as file_month
    from payments
    group by body_code, source_file

),

held as (

    select
        body_code,
        file_month,
        count(*) as files_held,
        string_agg(source_file, ' ' order by source_file) as source_files
    from file_months
    group by body_code, file_month

)

select
    bodies.body_code,
    bodies.body_name,
    bodies.body_type,
    held.file_month,
    held.files_held,
    held.source_files
from bodies
left join held on bodies.body_code = held.body_code
