"""nhs_icb_allocations: the SYNTHETIC sample in the publisher's layout, and bad workbooks built here."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ingest.errors import SourceError
from ingest.sources import nhs_icb_allocations as src
from tests.fixtures._xlsx import save_reproducibly

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "ingest"
    / "snapshots"
    / "nhs_icb_allocations"
    / "ICB_allocations_2023-24_to_2024-25_SYNTHETIC.xlsx"
)
PERIOD = "2023-24_to_2024-25"
YEARS = ["2023-24", "2024-25"]
CORE_SHEET = "ICB Core Allocations 2023-24"
HEADER = ["", "Region", "ICB code", "ICB name", "2023/24 Combined allocation (£k)"]
BSOL = ["", "Midlands", "QHL", "NHS Birmingham and Solihull ICB", 2520860]
BLACK_COUNTRY = ["", "Midlands", "QUA", "NHS Black Country ICB", 2109890]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return src.parse(SAMPLE.read_bytes(), file=SAMPLE.name, period=PERIOD)


def one(frame: pd.DataFrame, stream: str, year: str, icb: str) -> pd.Series:
    hit = frame[(frame.stream_code == stream) & (frame.financial_year == year) & (frame.icb_ods_code == icb)]
    assert len(hit) == 1
    return hit.iloc[0]


def workbook(tmp_path: Path, sheets: dict[str, list[list]]) -> bytes:
    """An XLSX in the publisher's layout: a title row, a note, then the rows given per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append([f"{name} (test workbook)"])
        ws.append(["Figures in £ thousands."])
        for row in rows:
            ws.append(row)
    path = tmp_path / "allocations.xlsx"
    save_reproducibly(wb, path)
    return path.read_bytes()


def parse(data: bytes, period: str = "2023-24") -> pd.DataFrame:
    return src.parse(data, file="allocations.xlsx", period=period)


def test_frame_has_exactly_the_declared_columns(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_sample_holds_42_icbs_for_core_and_pmc_in_two_years_and_running_costs(frame) -> None:
    assert len(frame) == 42 * 2 * 2 + 42 * 2
    counts = frame.groupby(["stream_code", "financial_year"]).icb_ods_code.nunique().to_dict()
    assert counts == {
        (stream, year): 42 for stream in ("core_services", "primary_medical_care", "running_costs") for year in YEARS
    }
    assert (frame.value_status == "published").all()


def test_birmingham_and_solihull_core_allocation_is_read_from_its_cell(frame) -> None:
    row = one(frame, "core_services", "2023-24", "QHL")
    assert row.icb_name == "NHS Birmingham and Solihull ICB"
    assert row.region_name == "Midlands"
    assert row.sheet_name == CORE_SHEET
    assert row.allocation_gbp_thousands == "2520860"
    assert (row._source_row, row._source_column) == (18, "F")
    assert one(frame, "core_services", "2024-25", "QHL").allocation_gbp_thousands == "2638887"
    assert one(frame, "primary_medical_care", "2024-25", "QUA").allocation_gbp_thousands == "246085"
    assert one(frame, "running_costs", "2024-25", "QWU").allocation_gbp_thousands == "19046"


def test_running_cost_allowance_sheet_gives_both_years_from_one_sheet(frame) -> None:
    rca = frame[frame.stream_code == "running_costs"]
    assert set(rca.sheet_name) == {"ICB running cost allowance"}
    assert rca.groupby("financial_year")._source_column.unique().map(list).to_dict() == {
        "2023-24": ["E"],
        "2024-25": ["F"],
    }


def test_region_subtotals_and_the_england_row_are_skipped(frame) -> None:
    assert frame.icb_ods_code.str.fullmatch(r"Q[A-Z0-9]{2}").all()
    assert frame.icb_name.str.startswith("NHS ").all()
    assert not {"ENGLAND", "Midlands", "London"} & set(frame.icb_name)


def test_icb_rows_sum_to_the_sheets_england_row(frame) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(SAMPLE.read_bytes()), read_only=True, data_only=True)
    checked = 0
    for (sheet, column), group in frame.groupby(["sheet_name", "_source_column"]):
        rows = list(wb[sheet].iter_rows(values_only=True))
        england = next(r for r in rows if r[3] == "ENGLAND")
        published = england[openpyxl.utils.column_index_from_string(column) - 1]
        assert sum(Decimal(v) for v in group.allocation_gbp_thousands) == published, (sheet, column)
        checked += 1
    wb.close()
    assert checked == 6


def test_other_primary_care_sheet_is_not_read(frame, tmp_path) -> None:
    assert "Other Primary Care" not in set(frame.sheet_name)
    # even when it holds a table in the same layout, in a unit the parser would refuse
    data = workbook(
        tmp_path,
        {
            CORE_SHEET: [HEADER, BSOL],
            "Other Primary Care": [["", "Region", "ICB code", "ICB name", "2023/24 Dental (£m)"], BSOL],
        },
    )
    assert set(parse(data).sheet_name) == {CORE_SHEET}


def test_combined_is_read_where_a_sheet_has_recurrent_and_combined_columns(frame) -> None:
    core = frame[frame.stream_code == "core_services"]
    assert set(core.column_title) == {"2023/24 Combined allocation (£k)", "2024/25 Combined allocation (£k)"}
    assert set(core._source_column) == {"F"}
    pmc = frame[frame.stream_code == "primary_medical_care"]
    assert set(pmc.column_title) == {"2023/24 Recurrent allocation (£k)", "2024/25 Recurrent allocation (£k)"}


def test_combined_is_read_whichever_side_of_recurrent_it_sits(tmp_path) -> None:
    header = ["", "Region", "ICB code", "ICB name", "2023/24 Combined allocation (£k)", "2023/24 Recurrent (£k)"]
    data = workbook(tmp_path, {CORE_SHEET: [header, [*BSOL, 2480000]]})
    row = parse(data).iloc[0]
    assert (row.allocation_gbp_thousands, row._source_column) == ("2520860", "E")


@pytest.mark.parametrize("title", ["2023/24 Combined allocation (£'000)", "2023/24 Combined allocation £000s"])
def test_thousands_written_as_000_are_accepted(tmp_path, title: str) -> None:
    data = workbook(tmp_path, {CORE_SHEET: [[*HEADER[:4], title], BSOL]})
    assert parse(data).allocation_gbp_thousands.tolist() == ["2520860"]


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("2023/24 Combined allocation (£)", "£"),
        ("2023/24 Combined allocation (£m)", "£ million"),
        ("2023/24 Combined allocation (£ millions)", "£ million"),
    ],
)
def test_a_header_in_another_unit_is_refused_as_units_changed(tmp_path, title: str, unit: str) -> None:
    data = workbook(tmp_path, {CORE_SHEET: [[*HEADER[:4], title], BSOL]})
    with pytest.raises(SourceError) as err:
        parse(data)
    assert "units changed" in str(err.value)
    assert f"is in {unit}, not £ thousand" in str(err.value)
    assert (err.value.row, err.value.column) == (3, "E")
    assert f"sheet '{CORE_SHEET}'" in str(err.value)


def test_a_year_column_with_no_unit_is_refused(tmp_path) -> None:
    data = workbook(tmp_path, {CORE_SHEET: [[*HEADER[:4], "2023/24 Combined allocation"], BSOL]})
    with pytest.raises(SourceError, match=r"row 3, column E: the column .* does not state its unit"):
        parse(data)


def test_an_icb_code_that_is_not_an_ods_code_is_refused_naming_the_row(tmp_path) -> None:
    ccg = ["", "Midlands", "15E", "NHS Birmingham and Solihull CCG", 2520860]
    data = workbook(tmp_path, {CORE_SHEET: [HEADER, BLACK_COUNTRY, ccg]})
    with pytest.raises(SourceError) as err:
        parse(data)
    assert (err.value.row, err.value.column) == (5, "C")
    assert "ICB code '15E' is not an ODS code" in str(err.value)


def test_a_year_outside_the_catalogue_period_is_refused(tmp_path) -> None:
    header = [*HEADER[:4], "2025/26 Combined allocation (£k)"]
    data = workbook(tmp_path, {"ICB Core Allocations 2025-26": [header, BSOL]})
    with pytest.raises(SourceError, match=f"holds 2025-26, outside the catalogue's period {PERIOD}"):
        parse(data, period=PERIOD)


def test_the_sample_read_under_a_one_year_period_is_refused() -> None:
    with pytest.raises(SourceError, match="holds 2024-25, outside the catalogue's period 2023-24"):
        src.parse(SAMPLE.read_bytes(), file=SAMPLE.name, period="2023-24")


def test_a_year_heading_that_is_not_a_financial_year_is_refused(tmp_path) -> None:
    data = workbook(tmp_path, {CORE_SHEET: [[*HEADER[:4], "2023/25 Combined allocation (£k)"], BSOL]})
    with pytest.raises(SourceError, match=r"row 3, column E: '2023/25' is not a financial year"):
        parse(data)


def test_the_same_icb_twice_for_a_stream_and_year_is_refused_naming_the_repeat(tmp_path) -> None:
    header = [*HEADER, "2024/25 Combined allocation (£k)"]
    rows = [header, [*BSOL, 2638887], [*BLACK_COUNTRY, 2211453], [*BSOL, 2638887]]
    data = workbook(tmp_path, {CORE_SHEET: rows})
    with pytest.raises(SourceError) as err:
        parse(data, period=PERIOD)
    assert "ICB QHL appears twice for core_services 2023-24" in str(err.value)
    assert err.value.row == 6


def test_the_same_icb_in_two_sheets_of_one_stream_and_year_is_refused(tmp_path) -> None:
    data = workbook(tmp_path, {CORE_SHEET: [HEADER, BSOL], "ICB Core Allocations (revised)": [HEADER, BSOL]})
    with pytest.raises(SourceError, match="ICB QHL appears twice for core_services 2023-24"):
        parse(data)


def test_a_workbook_without_an_allocation_sheet_is_refused(tmp_path) -> None:
    data = workbook(tmp_path, {"Contents": [["ICB allocations"]], "Other Primary Care": [HEADER, BSOL]})
    with pytest.raises(SourceError, match="no allocation worksheet"):
        parse(data)
