"""Spending over £500, FY 2023-24: the five West Midlands councils' layouts as they really are,
read from real excerpts of their files (the publishers' bytes: encodings, CRLF, preambles, control
and total records kept) and, in full, checked against the publishers' check values
(../shared/data/spend500/west-midlands/checks.json, copied to tests/fixtures/spend500/)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.sources import spend500
from tests.paths import FIXTURES_DIR, SNAPSHOTS_DIR

FIXTURES = FIXTURES_DIR / "spend500"
SNAPSHOT = SNAPSHOTS_DIR / "spend500" / "2023-24"
CHECKS = json.loads((FIXTURES / "west_midlands_2023-24_checks.json").read_text(encoding="utf-8"))


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def read(con, path: Path, tmp_path: Path) -> tuple[spend500.FileRead, list[dict]]:
    """One file's counts and its loaded rows (refused rows left out), whatever the refusal share."""
    layout, header, _ = spend500.match_layout(path)
    (found,) = spend500.read_batch(con, [(path.name, path)], layout, header, tmp_path)
    relation = spend500.batch_rows(con, [path.name])
    got = [dict(zip(relation.columns, r, strict=True)) for r in relation.fetchall()]
    return found, sorted(got, key=lambda r: r["_source_row"])


def test_coventry_reads_cp1252_text_amounts_and_never_sums_its_grand_total(con, tmp_path):
    found, got = read(con, FIXTURES / "coventry_2024-02_excerpt.csv", tmp_path)

    assert (found.rows_in, found.rejected, found.skipped) == (20, 0, 1)
    assert found.total_record_gbp == Decimal("42857653.94")  # recorded, never loaded as a payment
    assert len(got) == 20 and all(r["supplier_name"] for r in got)
    assert got[0]["net_amount_gbp"] == Decimal("1426.74")  # published as "1,426.74"
    assert {r["layout"] for r in got} == {"coventry"} and {r["council_code"] for r in got} == {"E08000026"}
    # ledger period 202311 is February 2024 (period 11 of 2023-24), whatever the transaction date
    assert {r["period_month"] for r in got} == {date(2024, 2, 1)}
    assert [r["_source_row"] for r in got] == list(range(2, 22))


def test_coventrys_space_padded_amounts_and_ledger_period_that_is_not_the_payment_month(con, tmp_path):
    found, got = read(con, FIXTURES / "coventry_2023-12_excerpt.csv", tmp_path)

    assert (found.rows_in, found.rejected) == (15, 0)
    assert all(r["net_amount_gbp"] is not None for r in got)
    assert {r["period_month"] for r in got} == {date(2023, 12, 1)}  # period 202309
    assert any(r["payment_date"] < date(2023, 12, 1) for r in got)  # a ledger period holds earlier payments


def test_sandwell_reads_sercop_purposes_and_both_date_formats(con, tmp_path):
    _, named_months = read(con, FIXTURES / "sandwell_2024-03_excerpt.csv", tmp_path)
    _, slashed = read(con, FIXTURES / "sandwell_2023-11_excerpt.csv", tmp_path)

    assert named_months[0]["payment_date"].month == 3 and slashed[0]["payment_date"] == date(2023, 11, 6)  # 06/11/2023
    assert all(r["service"] and r["directorate"] for r in named_months + slashed)  # SeRCOP purpose, department
    found, _ = read(con, FIXTURES / "sandwell_2024-03_excerpt.csv", tmp_path)
    assert (found.rows_in, found.skipped, found.total_record_gbp) == (10, 8, None)  # 8 blank records at the end


def test_sandwells_text_in_the_date_column_is_quarantined_with_its_line_not_dropped(con, tmp_path):
    found, got = read(con, SNAPSHOT / "sandwell_2024-02.csv.gz", tmp_path)

    assert (found.rows_in, found.rejected, found.refused) == (4109, 7, False)
    assert (found.first_row, found.first_column, found.first_value) == (1031, "Date", "Childminding")
    rejects = con.execute("select source_row from spend500_file_rejects order by 1").fetchall()
    assert [r[0] for r in rejects] == [1031, 1229, 1230, 1231, 1242, 1243, 1244]
    assert len(got) == 4102


def test_solihull_flags_card_transactions_and_reads_cp1252(con, tmp_path):
    found, got = read(con, FIXTURES / "solihull_2024-02_excerpt.csv", tmp_path)

    assert (found.rows_in, found.rejected) == (40, 0)
    assert {r["payment_kind"] for r in got} == {"invoice", "card"}
    assert got[0]["payment_kind"] == "card" and got[0]["payment_date"] == date(2024, 2, 12)  # 12-02-2024
    assert all(r["reference"] is None for r in got)  # Solihull publishes no transaction reference
    _, april = read(con, FIXTURES / "solihull_2023-04_excerpt.csv", tmp_path)
    assert april[0]["payment_date"] == date(2023, 4, 12)  # 12/04/2023


@pytest.mark.parametrize(
    ("name", "rows", "skipped"),
    [
        ("walsall_2023-05_excerpt.csv", 20, 0),  # header over three lines, "Payment  Date"
        ("walsall_2023-04_excerpt.csv", 20, 5),  # 17 fields a record; blank padding records
        ("walsall_2023-12_excerpt.csv", 20, 0),  # a one-line header, "Effective date"
    ],
)
def test_walsall_reads_whatever_its_header_says_this_month(con, tmp_path, name, rows, skipped):
    found, got = read(con, FIXTURES / name, tmp_path)

    assert (found.rows_in, found.rejected, found.skipped) == (rows, 0, skipped)
    assert all(r["payment_date"] and r["service"] and r["net_amount_gbp"] is not None for r in got)
    assert got[0]["_source_row"] == (2 if name == "walsall_2023-12_excerpt.csv" else 4)  # the line in the file


def test_walsall_marks_redacted_payees(con, tmp_path):
    _, got = read(con, SNAPSHOT / "walsall_2023-05.csv.gz", tmp_path)

    redacted = [r for r in got if r["is_redacted"]]
    assert redacted and {r["supplier_name"] for r in redacted} == {"REDACTED"}
    assert not any(r["is_redacted"] for r in got if r["supplier_name"] != "REDACTED")


@pytest.mark.parametrize(
    ("name", "rows", "skipped", "total"),
    [
        # layout A: query preamble, "subtotal,outline", an INSERTED FOOTER total, detail and footer
        ("wolverhampton_2023-04_excerpt.csv.gz", 22, 4, Decimal("29152334.13")),
        # layout B: a plain table ending in an unlabelled grand total and a blank record
        ("wolverhampton_2023-08_excerpt.csv.gz", 20, 2, Decimal("27093891.65")),
        # layout C: marker column, header on line 1, "subtotal,outline" as record 2, detail, blanks
        ("wolverhampton_2024-02_excerpt.csv.gz", 20, 4, None),
    ],
)
def test_wolverhamptons_agresso_exports_load_only_payments(con, tmp_path, name, rows, skipped, total):
    found, got = read(con, FIXTURES / name, tmp_path)

    assert (found.rows_in, found.rejected, found.skipped, found.total_record_gbp) == (rows, 0, skipped, total)
    assert all(r["supplier_id"] and r["payment_date"] for r in got)
    assert Decimal("2667.00") in {r["net_amount_gbp"] for r in got} or name != "wolverhampton_2023-04_excerpt.csv.gz"


def test_the_preamble_is_skipped_and_rows_keep_their_line_in_the_file(con, tmp_path):
    layout, header, _ = spend500.match_layout(FIXTURES / "wolverhampton_2023-04_excerpt.csv.gz")
    _, got = read(con, FIXTURES / "wolverhampton_2023-04_excerpt.csv.gz", tmp_path)

    assert (layout.name, header.records, header.last_line) == ("wolverhampton", 4, 4)
    assert got[0]["_source_row"] == 6  # the header is line 4, "subtotal,outline" line 5


@pytest.mark.parametrize("council", sorted(CHECKS["fy_totals"]))
def test_every_held_file_reads_to_the_publishers_check_values(con, tmp_path, council):
    """The whole year, file by file: rows and the exact sum of amounts (a grand total never counted).
    Sandwell's 7 text dates in 2024-02 are the only rows refused, and they are quarantined."""
    files = [f for f in CHECKS["files"] if f["council"] == council]
    assert len(files) == 12
    for check in files:
        found, got = read(con, SNAPSHOT / check["file"], tmp_path)
        loaded = sum(r["net_amount_gbp"] for r in got)
        refused = con.execute(
            "select coalesce(sum(_parsed_net_amount_gbp), 0) from spend500_numbered n join spend500_file_rejects r "
            "on r._source_file = n._source_file and r.source_row = n._source_row"
        ).fetchone()[0]
        assert found.rows_in == check["data_rows"], check["file"]
        assert loaded + refused == Decimal(check["amount_sum"]), check["file"]
        assert found.rejected == (7 if check["file"] == "sandwell_2024-02.csv.gz" else 0), check["file"]


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("coventry_2024-02_excerpt.csv", None),
        ("sandwell_2024-02.csv.gz", "REDACTED PERSONAL DATA"),
    ],
)
def test_redacted_payees_are_marked_however_the_council_spells_it(con, tmp_path, name, published):
    path = FIXTURES / name if name.endswith("excerpt.csv") else SNAPSHOT / name
    _, got = read(con, path, tmp_path)
    marked = {r["supplier_name"] for r in got if r["is_redacted"]}

    assert all("REDAC" in n.upper() for n in marked)
    assert not any("REDACTED PERSONAL DATA" in (r["supplier_name"] or "").upper() for r in got if not r["is_redacted"])
    if published:
        assert published in marked and any(n != published for n in marked)  # "... IRO REDACTED PERSONAL DATA"
