-- Every payment over £500 the councils published, one row per payment line, in standard columns.
-- Incremental by file: a run adds the files loaded since the last one and replaces the rows of a
-- file whose content changed (delete + insert by source_file), so a run with no new files reads
-- none of the payments again. Themes are not stored here: spend_over_500_monthly maps services
-- to themes at build time, so a change to the mapping seed needs no rebuild of this table.
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

    select staged.* from {{ ref('stg_spend500__payments') }} as staged
    {% if is_incremental() %}
        anti join built_files
            on
                staged.source_file = built_files.source_file
                and staged.source_file_sha256 = built_files.source_file_sha256
    {% endif %}

)

select
    {{ surrogate_key(['source_file', 'source_row']) }} as payment_key,
    *
from payments
