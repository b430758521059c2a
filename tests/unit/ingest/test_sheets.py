"""ingest.sheets: decoding, number reading, and one grid reader for CSV, XLSX and ODS.

Uses the real MHCLG files bundled in ingest/snapshots/; the XLSX and ODS workbooks are built here
from the real RSX 2021-22 grid, so the three containers hold the same cells.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sheets import Grid, decode_text, grid_number, parse_number, read_grid
from ingest.sources import mhclg_rsx
from ingest.sources.shared.mhclg import has_la_table
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
RA_2021 = ROOT / "ingest/snapshots/mhclg_ra/RA_2021-22_data_by_LA.csv"
RA_2023 = ROOT / "ingest/snapshots/mhclg_ra/RA_2023-24_data_Part_1.csv"
RSX_2021 = ROOT / "ingest/snapshots/mhclg_rsx/RSX_2021-22_data_by_LA_Live.csv"

BIRMINGHAM = "E08000025"
GRID_ROWS = 60  # title and metadata rows, the header, and 49 authorities (Birmingham is row 34)
KEY = ["ons_code", "item_code", "value_gbp_thousands", "value_status"]


# --- decode_text -------------------------------------------------------------------------------


def test_decode_text_strips_the_utf8_bom() -> None:
    text, encoding = decode_text(RA_2021.read_bytes())
    assert encoding == "utf-8-sig"
    assert text.startswith("Revenue Account Budget (RA) 2021-22: Revenue Account data")
    assert "Net current expenditure (\u00a3 thousand)" in text


def test_decode_text_reads_plain_utf8() -> None:
    data = RA_2021.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text, encoding = decode_text(data[3:])
    assert encoding == "utf-8"
    assert text == decode_text(data)[0]


def test_decode_text_reads_the_legacy_ra_2023_file_as_mac_roman() -> None:
    text, encoding = decode_text(RA_2023.read_bytes())
    assert encoding == "mac_roman"
    assert "Physical support - adults (18\u201364)" in text  # byte 0xD0: en dash
    assert "Data are reported in \u00a3 thousand." in text  # byte 0xA3: pound
    assert "children and young people\u2019s services" in text  # byte 0xD5: right quote
    assert ",\u2026," in text  # byte 0xC9: an ellipsis standing for a missing figure
    assert "\u00d0" not in text and "\u00c9" not in text  # not the CP1252 reading


def test_decode_text_reads_a_cp1252_sample_as_cp1252() -> None:
    data = "Children\u2019s services \u2013 adults 18\u201364, \u00a3 thousand".encode("cp1252")
    assert b"\x92" in data and b"\x96" in data
    text, encoding = decode_text(data)
    assert encoding == "cp1252"
    assert text == "Children\u2019s services \u2013 adults 18\u201364, \u00a3 thousand"


# --- parse_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("11,896", Decimal(11896)),
        ("-1,234", Decimal(-1234)),
        ("(1,234)", Decimal(-1234)),
        ("0", Decimal(0)),
        ("12.5", Decimal("12.5")),
        (" 1,847,287 ", Decimal(1847287)),
    ],
)
def test_parse_number_reads_separators_signs_and_brackets(text: str, value: Decimal) -> None:
    number = parse_number(text)
    assert number.value == value
    assert number.status == "published"
    assert number.text == text


@pytest.mark.parametrize("text", ["[x]", "...", "\u2026", "..", "x", "-", "Category discontinued"])
def test_parse_number_reads_symbols_as_not_available_never_zero(text: str) -> None:
    number = parse_number(text)
    assert number.value is None
    assert number.status == "not_available"
    assert number.text == text


def test_parse_number_reads_an_empty_cell_as_blank() -> None:
    number = parse_number("")
    assert (number.value, number.status) == (None, "blank")


@pytest.mark.parametrize("text", ["abc", "1,23"])
def test_parse_number_rejects_text_that_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


# --- one parser for CSV, XLSX and ODS ---------------------------------------------------------


def _numeric_cell(text: str) -> object:
    """The cell a spreadsheet would hold if the publisher had typed the number as a number."""
    try:
        number = parse_number(text)
    except ValueError:
        return text
    if number.value is None:
        return text or None
    return int(number.value) if number.value == number.value.to_integral_value() else float(number.value)


def _text_cell(text: str) -> object:
    return text or None


NOTES = [["Notes"], ["[note 1]", "Figures are in \u00a3 thousand."]]


def xlsx_files(rows: list[list[str]], cell) -> bytes:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    for r in NOTES:
        notes.append(r)
    data = wb.create_sheet("RSX_LA_Data_2021-22")
    for r in rows:
        data.append([cell(c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ods(rows: list[list[str]], cell) -> bytes:
    width = max(len(r) for r in rows)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="odf") as writer:
        pd.DataFrame(NOTES).to_excel(writer, sheet_name="Notes", header=False, index=False)
        frame = pd.DataFrame([[cell(c) for c in r] + [None] * (width - len(r)) for r in rows])
        frame.to_excel(writer, sheet_name="RSX_LA_Data_2021-22", header=False, index=False)
    return buf.getvalue()


@pytest.fixture(scope="module")
def rsx_rows() -> list[list[str]]:
    grid = read_grid(RSX_2021.read_bytes(), source_id="mhclg_rsx", file=RSX_2021.name)
    return grid.rows[:GRID_ROWS]


@pytest.fixture(scope="module")
def csv_rows(rsx_rows) -> pd.DataFrame:
    """What the real CSV gives for the authorities kept in the workbooks."""
    frame = mhclg_rsx.parse(RSX_2021.read_bytes(), file=RSX_2021.name, period="2021-22")
    kept = {r[1] for r in rsx_rows if len(r) > 1}
    assert BIRMINGHAM in kept
    return frame[frame["ons_code"].isin(kept)][KEY].reset_index(drop=True)


@pytest.mark.parametrize("container", ["xlsx", "ods"])
@pytest.mark.parametrize("cells", ["text", "numeric"])
def test_the_same_parser_reads_csv_xlsx_and_ods_alike(rsx_rows, csv_rows, container: str, cells: str) -> None:
    cell = _text_cell if cells == "text" else _numeric_cell
    data = (xlsx_files if container == "xlsx" else _ods)(rsx_rows, cell)
    frame = mhclg_rsx.parse(data, file=f"RSX_2021-22.{container}", period="2021-22")

    got = frame[KEY].reset_index(drop=True)
    assert len(got) == 49 * 98
    pd.testing.assert_frame_equal(got, csv_rows, check_dtype=False)
    total = frame[(frame["ons_code"] == BIRMINGHAM) & (frame["item_code"] == "RSX-totsx-net-cur-exp")]
    assert total["value_gbp_thousands"].tolist() == ["1893860"]
    assert total["_source_row"].tolist() == [34]  # the data worksheet, not the Notes sheet first


@pytest.mark.parametrize("container", ["xlsx", "ods"])
def test_read_grid_names_the_sheets_when_none_holds_the_table(container: str) -> None:
    rows = [["Contents"], ["Worksheet 2", "Service Expenditure Summary"]]
    if container == "xlsx":
        wb = openpyxl.Workbook()
        wb.active.title = "Cover"
        for r in rows:
            wb.active.append(r)
        wb.create_sheet("Notes").append(["Notes"])
        buf = io.BytesIO()
        wb.save(buf)
    else:
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="odf") as writer:
            pd.DataFrame(rows).to_excel(writer, sheet_name="Cover", header=False, index=False)
            pd.DataFrame([["Notes"]]).to_excel(writer, sheet_name="Notes", header=False, index=False)
    with pytest.raises(SourceError, match="no worksheet holds the expected table") as info:
        read_grid(buf.getvalue(), source_id="mhclg_rsx", file=f"rsx.{container}", sheet=has_la_table)
    message = str(info.value)
    assert message.startswith(f"mhclg_rsx: rsx.{container}")
    assert "Cover" in message and "Notes" in message


def test_grid_number_error_names_the_row_and_column_letter() -> None:
    rows = [["title"], ["E-code", "ONS Code"], ["E4601", "E08000025"] + ["0"] * 25 + ["12x4"]]
    grid = Grid("mhclg_ra", "RA.csv", rows, sheet="Revenue Account data")
    assert grid_number(grid, 2, 26).value == 0
    with pytest.raises(SourceError) as info:
        grid_number(grid, 2, 27)
    err = info.value
    assert (err.row, err.column) == (3, "AB")
    assert str(err) == "mhclg_ra: RA.csv (sheet 'Revenue Account data'), row 3, column AB: '12x4' is not a number"


# ---- the row ledger: every data row read is loaded or skipped with a reason -----------------------


def _walk(csv_text: str, *, drop: str | None = None):
    """Read a CSV as a parser does; rows starting with ``drop`` are neither loaded nor skipped."""
    from ingest.sheets import row_ledger

    with row_ledger() as ledger:
        grid = read_grid(csv_text.encode(), source_id="demo", file="demo.csv")
        for i, row in grid.iter_rows(1):
            if not any(row):
                grid.skip(i, "blank")
            elif row[0] == "TOTAL":
                grid.skip(i, "total")
            elif row[0] != drop:
                grid.lineage(i)
    return ledger


def test_the_row_ledger_counts_rows_in_as_loaded_plus_skipped_by_reason() -> None:
    counted = _walk("code,value\nA,1\n,\nB,2\nTOTAL,3\n").count("demo", "demo.csv")

    assert (counted.rows_in, counted.loaded, dict(counted.skipped)) == (4, 2, {"blank": 1, "total": 1})
    assert counted.describe() == "4 rows in: 2 loaded, 2 skipped (blank 1, total 1)"


def test_a_row_read_but_neither_loaded_nor_skipped_is_an_error_naming_the_file_and_row() -> None:
    ledger = _walk("code,value\nA,1\nB,2\nC,3\n", drop="B")

    with pytest.raises(SourceError) as err:
        ledger.count("demo", "demo.csv")
    assert (err.value.source_id, err.value.row) == ("demo", 3)
    assert "1 rows read but neither loaded nor skipped with a reason" in str(err.value)
