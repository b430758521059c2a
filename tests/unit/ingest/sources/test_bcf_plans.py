"""bcf_plans: the SYNTHETIC sample for the seven West Midlands boards, and bad workbooks built here."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import bcf_plans as src
from tests.fixtures.xlsx_files import save_reproducibly
from tests.paths import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "ingest" / "snapshots" / "bcf_plans" / "BCF_planning_data_2023-24_to_2024-25_SYNTHETIC.xlsx"
PERIOD = "2023-24_to_2024-25"
HWBS = {
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
}
HEADER = [
    "HWB Code",
    "Health and Wellbeing Board",
    "Minimum ICB Contribution",
    "Additional ICB Contribution",
    "ICB Discharge Funding",
    "iBCF",
    "DFG",
    "Additional LA Contribution",
    "Local Authority Discharge Funding",
    "Total BCF pooled budget",
]
# Birmingham 2023-24 as in the sample: seven contributions and their total
BIRMINGHAM = ["E08000025", "Birmingham", 100346400, 4561200, 3420900, 47892600, 12543300, 6841800, 5131350, 180737550]
SOLIHULL = ["E08000029", "Solihull", 19008000, 864000, 648000, 9072000, 2376000, 1296000, 972000, 34236000]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return src.parse(SAMPLE.read_bytes(), file=SAMPLE.name, period=PERIOD)


def workbook(tmp_path: Path, sheets: dict[str, list[list]], *, note: str = "Figures in £ (pounds).") -> bytes:
    """An XLSX in the sample's layout: a title row, a units note, then the rows given per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append([f"Better Care Fund {name} (test workbook)"])
        ws.append([note])
        for row in rows:
            ws.append(row)
    path = tmp_path / "bcf.xlsx"
    save_reproducibly(wb, path)
    return path.read_bytes()


def rename_sheet(data: bytes, old: str, new: str) -> bytes:
    """Rename a worksheet in the workbook XML, allowing names Excel would not (as other writers may)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src_zip, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src_zip.infolist():
            content = src_zip.read(item.filename)
            if item.filename == "xl/workbook.xml":
                assert content.count(f'name="{old}"'.encode()) == 1
                content = content.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            dst.writestr(item, content)
    return out.getvalue()


def parse(data: bytes, period: str = "2023-24") -> pd.DataFrame:
    return src.parse(data, file="bcf.xlsx", period=period)


def test_frame_has_exactly_the_declared_columns(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_sample_holds_seven_boards_by_seven_sources_in_two_years_plus_their_totals(frame) -> None:
    assert len(frame) == 7 * (7 + 1) * 2
    contributions = frame[frame.contribution_code != src.TOTAL_CODE]
    assert len(contributions) == 7 * 7 * 2
    assert set(contributions.contribution_code) == set(src.CONTRIBUTIONS.values())
    totals = frame[frame.contribution_code == src.TOTAL_CODE]
    assert len(totals) == 7 * 2
    assert set(totals.contribution_label) == {"Total BCF pooled budget"}
    assert dict(zip(frame.hwb_code, frame.hwb_name, strict=True)) == HWBS
    assert sorted(frame.financial_year.unique()) == ["2023-24", "2024-25"]
    assert (frame.value_status == "published").all()


def test_birmingham_minimum_icb_contribution_is_read_from_its_cell(frame) -> None:
    hit = frame[
        (frame.hwb_code == "E08000025")
        & (frame.financial_year == "2024-25")
        & (frame.contribution_code == "minimum_icb")
    ]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert (row.amount_gbp, row.contribution_label) == ("106026006", "Minimum ICB Contribution")
    assert (row._source_row, row._source_column) == (5, "C")


def test_each_boards_contributions_sum_to_its_total(frame) -> None:
    amounts = frame.assign(amount=frame.amount_gbp.map(Decimal))
    parts = amounts[amounts.contribution_code != src.TOTAL_CODE].groupby(["financial_year", "hwb_code"]).amount.sum()
    totals = amounts[amounts.contribution_code == src.TOTAL_CODE].set_index(["financial_year", "hwb_code"]).amount
    assert parts.sort_index().to_dict() == totals.sort_index().to_dict()
    assert totals[("2023-24", "E08000025")] == Decimal("180737550")


def test_boards_sum_to_the_sheets_total_row_which_is_not_read(frame) -> None:
    assert not {"Total", "TOTAL", "England"} & set(frame.hwb_name)
    wb = openpyxl.load_workbook(io.BytesIO(SAMPLE.read_bytes()), read_only=True, data_only=True)
    for year in ("2023-24", "2024-25"):
        total_row = next(r for r in wb[year].iter_rows(values_only=True) if r[1] == "Total")
        sums = (
            frame[frame.financial_year == year]
            .groupby("_source_column")
            .amount_gbp.agg(lambda s: sum(Decimal(v) for v in s))
        )
        assert [sums[c] for c in "CDEFGHIJ"] == list(total_row[2:10])
    wb.close()


@pytest.mark.parametrize("name", ["2023/24", "FY24", "2023_24", "2023-2024", "2023-25", "23-24"])
def test_a_worksheet_named_for_a_year_in_another_form_is_refused_naming_it(tmp_path, name: str) -> None:
    data = workbook(tmp_path, {"2023-24": [HEADER, BIRMINGHAM], "placeholder": [HEADER, SOLIHULL]})
    data = rename_sheet(data, "placeholder", name)  # '/' cannot be typed into a sheet name in Excel
    with pytest.raises(SourceError) as err:
        parse(data)
    assert f"(sheet {name!r})" in str(err.value)
    assert "is not a financial year in the form 2023-24" in str(err.value)


def test_sheets_without_the_board_header_such_as_contents_are_not_read(tmp_path) -> None:
    data = workbook(tmp_path, {"Contents": [["Better Care Fund 2023-25"]], "2023-24": [HEADER, BIRMINGHAM]})
    assert set(parse(data).financial_year) == {"2023-24"}


@pytest.mark.parametrize("note", ["Figures in £000s.", "Figures in £'000.", "All figures £k", "Figures in £m"])
def test_a_header_note_giving_another_unit_is_refused_as_units_changed(tmp_path, note: str) -> None:
    data = workbook(tmp_path, {"2023-24": [HEADER, BIRMINGHAM]}, note=note)
    with pytest.raises(SourceError) as err:
        parse(data)
    assert "units changed" in str(err.value)
    assert (err.value.row, err.value.column) == (2, "A")
    assert "(sheet '2023-24')" in str(err.value)


def test_a_column_heading_giving_another_unit_is_refused_as_units_changed(tmp_path) -> None:
    header = [*HEADER[:2], "Minimum ICB Contribution (£000s)", *HEADER[3:]]
    data = workbook(tmp_path, {"2023-24": [header, BIRMINGHAM]})
    with pytest.raises(SourceError, match=r"row 3, column C: units changed"):
        parse(data)


def test_a_row_whose_contributions_do_not_add_up_to_its_total_is_refused_naming_it(tmp_path) -> None:
    wrong = [*SOLIHULL[:-1], SOLIHULL[-1] + 1000]
    data = workbook(tmp_path, {"2023-24": [HEADER, BIRMINGHAM, wrong]})
    with pytest.raises(SourceError) as err:
        parse(data)
    assert (err.value.row, err.value.column) == (5, "J")
    assert "add up to 34,236,000 but the row's total is 34,237,000" in str(err.value)


def test_a_pound_of_rounding_between_contributions_and_total_is_accepted(tmp_path) -> None:
    rounded = [*SOLIHULL[:-1], SOLIHULL[-1] + 1]
    data = workbook(tmp_path, {"2023-24": [HEADER, rounded]})
    assert len(parse(data)) == 8


def test_a_missing_contribution_column_is_refused(tmp_path) -> None:
    header = [h for h in HEADER if h != "DFG"]
    row = [v for h, v in zip(HEADER, BIRMINGHAM, strict=True) if h != "DFG"]
    data = workbook(tmp_path, {"2023-24": [header, row]})
    with pytest.raises(SourceError, match=r"row 3: the header has no column for dfg"):
        parse(data)


@pytest.mark.parametrize("code", ["Birmingham", "E8000025", "330", "QHL"])
def test_an_hwb_code_that_is_not_a_gss_code_is_refused(tmp_path, code: str) -> None:
    data = workbook(tmp_path, {"2023-24": [HEADER, BIRMINGHAM, [code, *SOLIHULL[1:]]]})
    with pytest.raises(SourceError) as err:
        parse(data)
    assert (err.value.row, err.value.column) == (5, "A")
    assert f"HWB code {code!r} is not a GSS code" in str(err.value)


def test_a_year_outside_the_catalogue_period_is_refused(tmp_path) -> None:
    data = workbook(tmp_path, {"2025-26": [HEADER, BIRMINGHAM]})
    with pytest.raises(SourceError, match=f"holds 2025-26, outside the catalogue's period {PERIOD}"):
        parse(data, period=PERIOD)
