"""Raw suite for the West Midlands Combined Authority's payments: one profile row per loaded
workbook (expectations.payments); the WMCA publishes payments of £500 and over, so none is below."""

from expectations.checks import Batch, Suite, between
from expectations.payments import file_profiles
from ingest.sources.wmca_spend import ID, MAX_REJECTED_SHARE, SHEET

SUITE = Suite(
    name=f"raw_{ID}",
    batches=(
        file_profiles(
            ID,
            body="body_code",
            layouts=lambda: [SHEET],
            max_rejected_share=MAX_REJECTED_SHARE,
            redacted="(supplier_name is null)",
        ),
        Batch(
            name=f"raw_{ID}__threshold",
            description="Every payment is £500 or more and dated within a month of its file's month.",
            query=f"""
                select _source_file, _source_row, net_amount_gbp,
                    datediff(
                        'day',
                        strptime(regexp_extract(_source_file, '(\\d{{4}}-\\d{{2}})', 1) || '-01', '%Y-%m-%d'),
                        payment_date
                    ) as days_from_file_month
                from raw.{ID}
            """,
            skip_if_empty=True,
            expectations=lambda: [between("net_amount_gbp", 500, None), between("days_from_file_month", 0, 62)],
        ),
    ),
)
