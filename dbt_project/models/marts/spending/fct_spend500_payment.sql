-- Every payment the region's bodies published (councils' spending over £500 files, the combined
-- authority's financial disclosures), one row per payment line, in standard columns, supplier
-- names normalised (macro normalised_supplier_name), redacted payees kept as redacted (no supplier).
-- Incremental by file: a run adds the files loaded since the last one and replaces the rows of a
-- file whose content changed (delete + insert by source_file), so a run with no new files reads
-- none of the payments again. Themes are not stored here: the marts map services to themes at
-- build time, so a change to the mapping seed needs no rebuild of this table.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='source_file',
        on_schema_change='sync_all_columns',
    )
}}

with

{% if is_incremental() %}
    built_files as (

        select distinct
            source_file,
            source_file_sha256
        from {{ this }}

    ),
{% endif %}

payments as (

    select staged.* from {{ ref('int_payments_unioned') }} as staged
    {% if is_incremental() %}
        anti join built_files
            on
                staged.source_file = built_files.source_file
                and staged.source_file_sha256 = built_files.source_file_sha256
    {% endif %}

),

-- names repeat: each distinct one is normalised once
distinct_names as (

    select distinct supplier_name from payments

),

names as (

    select
        supplier_name,
        {{ normalised_supplier_name('supplier_name') }} as supplier_name_normalised
    from distinct_names

)

select
    {{ surrogate_key(['payments.source_file', 'payments.source_row']) }} as payment_key,
    payments.*,
    case when not payments.is_redacted then names.supplier_name_normalised end as supplier_name_normalised,
    abs(payments.net_amount_gbp) >= 500 as is_over_500
from payments
left join names on payments.supplier_name = names.supplier_name
