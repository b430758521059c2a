"""Raw suite for spending over £500: one profile row per loaded file, computed in DuckDB.

A region-year is hundreds of thousands of payments (tens of millions over years and regions), so
GX checks each file's profile (rows in, loaded and refused; dates; amounts; redactions), not every
payment: the cost of validation grows with files, not rows. Value-level checks (a date or amount
that does not parse, a row that does not split) happen as the file is read, and refused rows are
kept in raw.spend500_rejects with their file, row and column."""

from expectations.checks import GSS, Batch, Suite, between, in_set, matches, not_null, unique
from ingest.sources.spend500 import MAX_REJECTED_SHARE, layouts

SUITE = Suite(
    name="raw_spend500",
    batches=(
        Batch(
            name="raw_spend500__files",
            description=(
                "One row per loaded file: every row read is loaded or refused, at most "
                f"{MAX_REJECTED_SHARE:.0%} refused, every loaded payment has a date and a net amount, "
                "dates fall within a plausible span, file totals and redaction shares are in range."
            ),
            query="""
                with payments as (
                    select _source_file, count(*) as payments,
                        count(*) filter (where payment_date is null) as undated,
                        count(*) filter (where net_amount_gbp is null) as without_amount,
                        count(*) filter (where supplier_name is null) as without_supplier,
                        avg(is_redacted::int) as redacted_share,
                        year(min(payment_date)) as first_year, year(max(payment_date)) as last_year,
                        -- invoice files hold a month's payments; card files also hold late-reconciled
                        -- transactions (Calderdale's go back years), so only invoices' span is checked
                        datediff('day', min(payment_date) filter (where payment_kind = 'invoice'),
                            max(payment_date) filter (where payment_kind = 'invoice')) as invoice_days_spanned,
                        sum(net_amount_gbp) as net_gbp, any_value(council_code) as council_code,
                        min(_source_row) as _source_row
                    from raw.spend500 group by _source_file
                )
                select f.file as _source_file, f.layout, f.rows_in, f.rows, f.rows_rejected,
                    f.rows_in - f.rows - f.rows_rejected as unaccounted_rows,
                    f.rows_rejected / greatest(f.rows_in, 1) as rejected_share,
                    coalesce(p.payments, 0) - f.rows as rows_differing_from_record,
                    p.* exclude (_source_file)
                from raw.spend500_files f left join payments p on p._source_file = f.file
            """,
            skip_if_empty=True,
            expectations=lambda: [
                unique("_source_file"),
                in_set("layout", sorted(layouts())),
                matches("council_code", GSS),
                between("unaccounted_rows", 0, 0),
                between("rows_differing_from_record", 0, 0),
                between("rejected_share", 0, MAX_REJECTED_SHARE),
                between("undated", 0, 0),
                between("without_amount", 0, 0),
                between("without_supplier", 0, 0),
                between("first_year", 2005, 2035),
                between("last_year", 2010, 2035),
                between("invoice_days_spanned", 0, 92),
                between("redacted_share", 0, 0.6),
                between("net_gbp", -50_000_000, 2_000_000_000),
                not_null("payments"),
            ],
        ),
    ),
)
