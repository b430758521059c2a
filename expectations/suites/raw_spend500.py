"""Raw suite for spending over £500: one profile row per loaded file (expectations.payments), and
the invoice files' span of payment dates.

A region-year is hundreds of thousands of payments (tens of millions over years and regions), so
GX checks each file's profile (rows in, loaded and refused; dates; amounts; redactions; a
publisher's grand total), not every payment."""

from expectations.checks import Batch, Suite, between
from expectations.payments import file_profiles
from ingest.sources.spend500 import ID, MAX_REJECTED_SHARE, layouts

SUITE = Suite(
    name=f"raw_{ID}",
    batches=(
        file_profiles(
            ID, body="council_code", layouts=lambda: sorted(layouts()), max_rejected_share=MAX_REJECTED_SHARE
        ),
        Batch(
            name=f"raw_{ID}__invoice_spans",
            description=(
                "Invoice files hold a month's payments: the middle 90% of a file's payment dates span at "
                "most 92 days (Solihull's December to March files also hold payments up to nine months "
                "old, a few per cent of their rows). A ledger-period file (Coventry's reach back years) "
                "is not checked; card files also hold late-reconciled transactions (Calderdale's go back "
                "years), so only invoices' span is checked."
            ),
            query=f"""
                select _source_file, min(_source_row) as _source_row,
                    datediff('day', quantile_disc(payment_date, 0.05), quantile_disc(payment_date, 0.95))
                        as invoice_days_spanned
                from raw.{ID}
                where payment_kind = 'invoice'
                group by _source_file
                having bool_and(period_month is null or period_month = date_trunc('month', payment_date))
            """,
            skip_if_empty=True,
            expectations=lambda: [between("invoice_days_spanned", 0, 92)],
        ),
    ),
)
