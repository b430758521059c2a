"""wmca_spend: the West Midlands Combined Authority's monthly payment workbooks, read as published
(the bundled snapshot is the WMCA's own files), checked against the check values of
../shared/data/wmca_spend/checks.json (copied to tests/fixtures/wmca_spend/)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from core.errors import SourceError
from ingest.sources import wmca_spend
from tests.paths import FIXTURES_DIR, SNAPSHOTS_DIR

SNAPSHOT = SNAPSHOTS_DIR / "wmca_spend" / "2023-24"
CHECKS = json.loads((FIXTURES_DIR / "wmca_spend" / "checks.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("check", CHECKS["files"], ids=lambda c: c["file"])
def test_every_workbook_reads_to_the_publishers_check_values(check):
    found = wmca_spend.read((SNAPSHOT / check["file"]).read_bytes(), file=check["file"])

    assert (found.rows_in, len(found.rows), found.rejects) == (check["data_rows"], check["data_rows"], [])
    assert sum(r["net_amount_gbp"] for r in found.rows) == Decimal(check["amount_sum"])
    dates = [r["payment_date"] for r in found.rows]
    assert (min(dates).isoformat(), max(dates).isoformat()) == (check["payment_date_min"], check["payment_date_max"])
    # rows keep their sheet row: data starts below a header of two rows, or of one
    assert found.rows[0]["_source_row"] == (3 if check["two_row_header"] else 2)


def test_both_header_shapes_read_to_the_same_columns():
    two = wmca_spend.read((SNAPSHOT / "wmca_2023-08.xlsx").read_bytes(), file="wmca_2023-08.xlsx").rows[0]
    one = wmca_spend.read((SNAPSHOT / "wmca_2024-01.xlsx").read_bytes(), file="wmca_2024-01.xlsx").rows[0]

    assert set(two) == set(one) == set(wmca_spend.COLUMNS)
    assert (two["service"], two["supplier_id"], two["reference"]) == (
        "Head of Operational Assets - Rail Car Parks",
        "10002",
        "7040553",
    )
    assert (two["payment_date"], two["net_amount_gbp"]) == (date(2023, 8, 9), Decimal("6287.80"))
    assert (one["body_code"], one["body_name"]) == ("E47000007", "West Midlands Combined Authority")


@pytest.mark.parametrize(("cell", "expected"), [("45147", date(2023, 8, 9)), ("2023-08-09 00:00:00", date(2023, 8, 9))])
def test_a_payment_date_is_read_from_an_excel_serial_number_or_a_date_cell(cell, expected):
    assert wmca_spend.payment_date(cell) == expected


def edited(tmp_path: Path, edits: dict[str, object], name: str = "wmca_2023-08.xlsx") -> Path:
    """The real August 2023 workbook with some cells changed, as a publisher's slip would."""
    book = openpyxl.load_workbook(SNAPSHOT / name)
    for ref, value in edits.items():
        book["Disclosure"][ref] = value
    target = tmp_path / name
    book.save(target)
    return target


def test_a_bad_date_is_quarantined_with_its_row_and_column(tmp_path):
    path = edited(tmp_path, {"G10": "TBC"})

    with duckdb.connect() as con:
        (load,) = wmca_spend.load_files(con, [path])
        rejects = con.execute("select _source_row, column_name, value, reason from raw.wmca_spend_rejects").fetchall()
        loaded = con.execute("select count(*) from raw.wmca_spend").fetchone()[0]

    assert (load.rows, load.rejected) == (828, 1)
    assert rejects == [(10, "G (payment date)", "TBC", "not a date (an Excel date or serial number)")]
    assert loaded == 828


def test_a_workbook_with_many_bad_amounts_is_refused_naming_file_row_and_column(tmp_path):
    path = edited(tmp_path, {f"H{row}": "see note" for row in range(5, 20)})

    with duckdb.connect() as con, pytest.raises(SourceError) as raised:
        wmca_spend.load_files(con, [path])
    assert str(raised.value).startswith("wmca_spend: wmca_2023-08.xlsx, row 5, column H (amount excl vat)")
    assert "'see note' is not an amount in pounds; 15 of 829 rows refused" in str(raised.value)


def test_a_renamed_column_is_refused_naming_the_header(tmp_path):
    path = edited(tmp_path, {"H1": "Value"})

    with pytest.raises(SourceError, match=r"wmca_2023-08\.xlsx.*row 1.*no 'amount excl vat' column"):
        wmca_spend.read(path.read_bytes(), file=path.name)


def test_an_unchanged_workbook_is_not_read_again_and_a_changed_one_replaces_its_rows(tmp_path):
    path = edited(tmp_path, {})
    with duckdb.connect() as con:
        first = wmca_spend.load_files(con, [path])
        again = wmca_spend.load_files(con, [path])
        edited(tmp_path, {"H3": 100000})
        changed = wmca_spend.load_files(con, [path])
        total = con.execute("select count(*), sum(net_amount_gbp) from raw.wmca_spend").fetchone()

    assert [x.action for x in first + again + changed] == ["loaded", "unchanged", "replaced"]
    assert total == (829, Decimal("38282160.88") - Decimal("6287.80") + Decimal("100000"))
