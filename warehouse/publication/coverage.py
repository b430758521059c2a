"""What the payment marts do not cover, said in the release's metadata (datapackage.json
``payment_coverage``) and its release notes: the region's bodies whose payment disclosures are not
held, month by month (named, never zero), and the service labels no theme pattern maps (counted,
never guessed)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.db import connect


def payment_coverage(duckdb_path: Path) -> dict | None:
    """The region's payment coverage as the warehouse holds it; None before the payment models
    exist (a warehouse built without them)."""
    with connect(duckdb_path) as con:
        try:
            not_held = con.execute(
                """
                select area_code, area_name, body_type, financial_year, count(*) as months_not_held,
                    strftime(min(payment_month), '%Y-%m') as first_month,
                    strftime(max(payment_month), '%Y-%m') as last_month,
                    string_agg(distinct not_held_reason, '; ') as reason
                from marts.payment_coverage
                where coverage_status = 'not_held'
                group by all
                order by area_code, financial_year
                """
            ).fetchall()
            held = con.execute(
                "select count(distinct area_code) from marts.payment_coverage where coverage_status = 'held'"
            ).fetchone()[0]
            unmapped = con.execute(
                """
                select t.body_code, any_value(b.body_name), count(*) as labels, sum(t.payment_count) as payments,
                    sum(t.net_amount_gbp) as net_amount_gbp
                from intermediate.int_payment_services_themed t
                join (select distinct body_code, body_name from intermediate.int_region_payment_bodies) b
                    using (body_code)
                where t.theme_code is null
                group by 1
                order by 1
                """
            ).fetchall()
        except (duckdb.CatalogException, duckdb.BinderException):  # a warehouse without the payment models
            return None
    return {
        "bodies_held": held,
        "not_held": [
            {
                "area_code": code,
                "area_name": name,
                "body_type": kind,
                "financial_year": year,
                "months_not_held": months,
                "from_month": first,
                "to_month": last,
                "reason": reason,
            }
            for code, name, kind, year, months, first, last, reason in not_held
        ],
        "unmapped_service_labels": [
            {
                "area_code": code,
                "area_name": name,
                "labels": labels,
                "payments": int(payments),
                "net_amount_gbp": float(amount or 0),
            }
            for code, name, labels, payments, amount in unmapped
        ],
        "note": (
            "Bodies and months whose payment disclosures are not held are rows with value_status "
            "not_loaded in spend_over_500_monthly and coverage_status not_held in payment_coverage, "
            "never zeros. Service labels no pattern of seed spend500_service_themes maps keep "
            "theme_code empty: counted here, never guessed."
        ),
    }


def coverage_notes(coverage: dict | None) -> list[str]:
    """The release notes' section on payment coverage (none when the region has no payments held)."""
    if not coverage or not coverage["bodies_held"]:
        return []
    lines = [
        "**Payments not held.** These bodies' payment disclosures are not in this release (named, never zero):",
        "",
    ]
    lines += [
        f"- {b['area_name']} ({b['area_code']}), {b['financial_year']}: {b['months_not_held']} months "
        f"({b['from_month']} to {b['to_month']}). {b['reason']}"
        for b in coverage["not_held"]
    ] or ["- none: every body of the region is held for every month"]
    lines += ["", "**Unmapped service labels.** Labels no theme pattern maps (theme_code empty, never guessed):", ""]
    lines += [
        f"- {u['area_name']} ({u['area_code']}): {u['labels']:,} labels, {u['payments']:,} payment lines, "
        f"£{u['net_amount_gbp']:,.2f}"
        for u in coverage["unmapped_service_labels"]
    ] or ["- none"]
    return [*lines, ""]
