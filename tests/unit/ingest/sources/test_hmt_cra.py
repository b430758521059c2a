"""hmt_cra: HM Treasury's CRA chapter 9 workbook (PESA 2024) as published, and bad copies of it.

Check values are the ones ../shared/data/README.md gives for the workbook (£ million, 2022-23)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sheets import row_ledger
from ingest.sources import hmt_cra as src
from tests.paths import SNAPSHOTS_DIR

WORKBOOK = SNAPSHOTS_DIR / "hmt_cra" / "pesa2024_chapter9.xlsx"
PERIOD = "2018-19_to_2022-23"
WEST_MIDLANDS, ENGLAND, UK = "E12000005", "E92000001", "K02000001"


@pytest.fixture(scope="module")
def cra() -> pd.DataFrame:
    return src.parse(WORKBOOK.read_bytes(), file=WORKBOOK.name, period=PERIOD)


def figure(frame: pd.DataFrame, table: str, region: str, year: str = "2022-23", kind: str = "total") -> pd.Series:
    hit = frame[
        (frame.table_code == table)
        & (frame.region_code == region)
        & (frame.financial_year == year)
        & (frame.spending_type == kind)
    ]
    assert len(hit) == 1, (table, region, year, kind)
    return hit.iloc[0]


def test_frame_has_exactly_the_declared_columns(cra) -> None:
    assert list(cra.columns) == list(src.COLUMNS)


@pytest.mark.parametrize(
    ("table", "region", "expected", "row", "column"),
    [
        ("9.1a", WEST_MIDLANDS, 73_359, 9, "F"),
        ("9.1a", ENGLAND, 698_215, 14, "F"),
        ("9.1a", UK, 848_155, 18, "F"),
        ("9.1b", WEST_MIDLANDS, 12_182, 9, "F"),
        ("9.1b", ENGLAND, 12_227, 14, "F"),
        ("9.1b", UK, 12_549, 18, "F"),
        ("9.11", WEST_MIDLANDS, 18_293, 10, "F"),
        ("9.14", WEST_MIDLANDS, 28_424, 10, "F"),
        ("9.13", WEST_MIDLANDS, 9_516, 10, "F"),
        ("9.7", WEST_MIDLANDS, 3_090, 10, "F"),
        ("9.17", WEST_MIDLANDS, 13_707, 9, "F"),
        ("9.17", ENGLAND, 144_011, 14, "F"),
    ],
)
def test_check_values_read_from_the_publishers_cells(cra, table, region, expected, row, column) -> None:
    hit = figure(cra, table, region)
    assert Decimal(hit.value) == expected
    assert (hit._source_row, hit._source_column, hit.sheet_name) == (row, column, table)


def test_every_table_has_fourteen_regions_over_five_years(cra) -> None:
    counts = cra.groupby(["table_code", "spending_type"]).size()
    assert set(counts) == {14 * 5}
    assert set(cra.financial_year) == {"2018-19", "2019-20", "2020-21", "2021-22", "2022-23"}
    assert set(cra.table_code) == {t.sheet for t in src.TABLES}


def test_both_spellings_of_england_are_one_region(cra) -> None:
    names = set(cra[cra.region_code == ENGLAND].published_region_name)
    assert names == {"Total England", "England"}


def test_a_nil_is_zero_as_published_and_keeps_its_dash(cra) -> None:
    nil = figure(cra, "9.10", "K02000001")  # UK housing: a figure; outside-UK rows are not loaded
    assert Decimal(nil.value) > 0
    dashes = cra[cra.value_text == "-"]
    assert len(dashes) > 0 and (dashes.value.map(Decimal) == 0).all()


def test_every_row_of_each_sheet_read_is_loaded_or_skipped_with_a_reason() -> None:
    with row_ledger() as ledger:
        src.parse(WORKBOOK.read_bytes(), file=WORKBOOK.name, period=PERIOD)
    count = ledger.count(src.ID, WORKBOOK.name)
    assert count.loaded == 14 * len(src.TABLES)
    assert set(count.skipped) <= {
        "not a region (an aggregate the CRA shows below the regions)",
        "below the region block (another table or notes): not read",
        "note",
        "blank",
    }
    assert count.rows_in == count.loaded + sum(count.skipped.values())


def edited(sheet: str, cell: str, new: object) -> bytes:
    wb = openpyxl.load_workbook(WORKBOOK)
    wb[sheet][cell] = new
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(data: bytes) -> SourceError:
    with pytest.raises(SourceError) as caught:
        src.parse(data, file=WORKBOOK.name, period=PERIOD)
    return caught.value


def test_a_renamed_region_is_refused_naming_sheet_row_and_column() -> None:
    error = refused(edited("9.11", "A10", "West Midlands Region"))
    assert (error.row, error.column) == (10, "A")
    assert "'9.11'" in error.file and "renamed region" in str(error)


def test_a_missing_function_row_is_refused() -> None:
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["9.14"].delete_rows(10)  # West Midlands' social protection row
    out = io.BytesIO()
    wb.save(out)
    error = refused(out.getvalue())
    assert "'9.14'" in error.file and "West Midlands" in str(error)


def test_a_year_header_in_another_form_is_refused_naming_its_cell() -> None:
    error = refused(edited("9.13", "F5", "2022/23 outturn"))
    assert (error.row, error.column) == (5, "F")
    assert "2022/23" in str(error)


def test_a_function_that_does_not_add_to_its_region_total_is_refused() -> None:
    # health in the West Midlands 1,000 higher in total, current and the English sum kept right:
    # the ten functions no longer add up to table 9.1a's total
    wb = openpyxl.load_workbook(WORKBOOK)
    sheet = wb["9.11"]
    for col in ("F", "K"):
        sheet[f"{col}10"] = sheet[f"{col}10"].value + 1000
        sheet[f"{col}15"] = sheet[f"{col}15"].value + 1000
    out = io.BytesIO()
    wb.save(out)
    error = refused(out.getvalue())
    assert "'9.1a'" in error.file and (error.row, error.column) == (9, "F")
    assert "ten functions" in str(error)


def test_a_region_that_breaks_the_england_total_is_refused_naming_the_england_cell() -> None:
    error = refused(edited("9.17", "F9", 14_707))
    assert "'9.17'" in error.file and (error.row, error.column) == (14, "F")


def test_a_table_in_other_units_is_refused() -> None:
    error = refused(edited("9.11", "P2", "£ billion"))
    assert "units changed" in str(error)


def test_a_missing_table_is_refused() -> None:
    wb = openpyxl.load_workbook(WORKBOOK)
    del wb["9.8e"]
    out = io.BytesIO()
    wb.save(out)
    assert "9.8e" in str(refused(out.getvalue()))


def test_a_workbook_for_other_years_than_its_partition_is_refused() -> None:
    with pytest.raises(SourceError, match="not the catalogue's period"):
        src.parse(WORKBOOK.read_bytes(), file=WORKBOOK.name, period="2019-20_to_2023-24")
