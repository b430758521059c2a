"""The raw checks every payment disclosure shares (spend500, wmca_spend): one profile row per
loaded file, computed in DuckDB, so the cost of validation grows with files, not payments.

Value-level checks (a date or amount that does not parse, a row that does not split) happen as a
file is read; refused rows are kept in raw.<id>_rejects with their file, row and column."""

from __future__ import annotations

from collections.abc import Callable

from expectations.checks import GSS, Batch, between, in_set, matches, not_null, unique


def file_profiles(
    source_id: str,
    *,
    body: str,
    layouts: Callable[[], list[str]],
    max_rejected_share: float,
    max_redacted_share: float = 0.6,
    redacted: str = "is_redacted",
) -> Batch:
    """One row per loaded file of raw.<source_id>: every row read is loaded or refused, at most
    ``max_rejected_share`` refused, every payment dated and with an amount and a supplier, dates in
    a plausible span, a grand-total record (where a file has one) equal to the file's payments."""
    return Batch(
        name=f"raw_{source_id}__files",
        description=(
            "One row per loaded file: every row read is loaded or refused, at most "
            f"{max_rejected_share:.0%} refused, every loaded payment has a date and a net amount, "
            "dates fall within a plausible span, file totals and redaction shares are in range, and a "
            "grand-total record the publisher added equals the sum of the file's payments plus its refused rows."
        ),
        query=f"""
            with payments as (
                select _source_file, count(*) as payments,
                    count(*) filter (where payment_date is null) as undated,
                    count(*) filter (where net_amount_gbp is null) as without_amount,
                    count(*) filter (where supplier_name is null) as without_supplier,
                    avg({redacted}::int) as redacted_share,
                    year(min(payment_date)) as first_year, year(max(payment_date)) as last_year,
                    sum(net_amount_gbp) as net_gbp, any_value({body}) as body_code,
                    min(_source_row) as _source_row
                from raw.{source_id} group by _source_file
            )
            select f.file as _source_file, f.layout, f.rows_in, f.rows, f.rows_rejected,
                f.rows_in - f.rows - f.rows_rejected as unaccounted_rows,
                f.rows_rejected / greatest(f.rows_in, 1) as rejected_share,
                coalesce(p.payments, 0) - f.rows as rows_differing_from_record,
                -- a grand total is the published sum of every payment row, refused ones included: with
                -- none refused it must equal the loaded sum to the penny
                case when f.total_record_gbp is not null and f.rows_rejected = 0
                    then abs(f.total_record_gbp - p.net_gbp) else 0 end as total_record_difference_gbp,
                p.* exclude (_source_file)
            from raw.{source_id}_files f left join payments p on p._source_file = f.file
        """,
        skip_if_empty=True,
        expectations=lambda: [
            unique("_source_file"),
            in_set("layout", layouts()),
            matches("body_code", GSS),
            between("unaccounted_rows", 0, 0),
            between("rows_differing_from_record", 0, 0),
            between("rejected_share", 0, max_rejected_share),
            between("total_record_difference_gbp", 0, 0),
            between("undated", 0, 0),
            between("without_amount", 0, 0),
            between("without_supplier", 0, 0),
            between("first_year", 2005, 2035),
            between("last_year", 2010, 2035),
            between("redacted_share", 0, max_redacted_share),
            between("net_gbp", -50_000_000, 2_000_000_000),
            not_null("payments"),
        ],
    )
