"""nhs_icb_allocations: NHS England's own workbooks (both rounds held), and bad copies of them.

Check values are the ones ../shared/data/README.md gives for the workbooks (£ thousand)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sheets import row_ledger
from ingest.sources import nhs_icb_allocations as src
from tests.paths import SNAPSHOTS_DIR

SNAPSHOTS = SNAPSHOTS_DIR / "nhs_icb_allocations"
ROUND_2023 = SNAPSHOTS / "nhse_icb_allocations_2023-24_2024-25.xlsx"
ROUND_2025 = SNAPSHOTS / "nhse_icb_allocations_2025-26.xlsx"


@pytest.fixture(scope="module")
def round_2023() -> pd.DataFrame:
    return src.parse(ROUND_2023.read_bytes(), file=ROUND_2023.name, period="2023-24_to_2024-25")


@pytest.fixture(scope="module")
def round_2025() -> pd.DataFrame:
    return src.parse(ROUND_2025.read_bytes(), file=ROUND_2025.name, period="2025-26")


def value(frame: pd.DataFrame, stream: str, year: str, icb: str) -> pd.Series:
    hit = frame[(frame.stream_code == stream) & (frame.financial_year == year) & (frame.icb_ods_code == icb)]
    assert len(hit) == 1, (stream, year, icb)
    return hit.iloc[0]


def test_frame_has_exactly_the_declared_columns(round_2023, round_2025) -> None:
    assert list(round_2023.columns) == list(src.COLUMNS)
    assert list(round_2025.columns) == list(src.COLUMNS)


def test_every_stream_each_round_holds_covers_all_42_icbs(round_2023, round_2025) -> None:
    counts = round_2023.groupby(["stream_code", "financial_year"]).icb_ods_code.nunique().to_dict()
    assert counts == {
        (s, y): 42
        for s in ("core_services", "primary_medical_care", "other_primary_care", "running_costs")
        for y in ("2023-24", "2024-25")
    }
    counts = round_2025.groupby(["stream_code", "financial_year"]).icb_ods_code.nunique().to_dict()
    assert counts == {(s, "2025-26"): 42 for s in src.STREAM_CODES}
    assert (round_2023.value_status == "published").all() and (round_2025.value_status == "published").all()


@pytest.mark.parametrize(
    ("stream", "year", "icb", "expected", "sheet", "column"),
    [
        ("core_services", "2023-24", "QHL", "2596708.79", "ICB Core Allocations 2023-24", "U"),
        ("core_services", "2024-25", "QUA", "2325064.22", "ICB Core Allocations 2024-25", "S"),
        ("primary_medical_care", "2023-24", "QHL", "278124", "PMC Allocations 2023-24", "K"),
        ("primary_medical_care", "2024-25", "QWU", "188511", "PMC Allocations 2024-25", "K"),
        ("other_primary_care", "2023-24", "QHL", "138818.27", "Other Primary Care", "J"),
        ("other_primary_care", "2024-25", "QUA", "130381.00", "Other Primary Care", "P"),
        ("running_costs", "2023-24", "QHL", "27581", "ICB running cost allowance", "E"),
        ("running_costs", "2024-25", "QWU", "15024", "ICB running cost allowance", "F"),
    ],
)
def test_2023_round_figures_are_read_from_the_publishers_cells(
    round_2023, stream, year, icb, expected, sheet, column
) -> None:
    row = value(round_2023, stream, year, icb)
    assert round(Decimal(row.allocation_gbp_thousands), 2) == Decimal(expected)
    assert (row.sheet_name, row._source_column) == (sheet, column)


@pytest.mark.parametrize(
    ("stream", "icb", "expected", "column"),
    [
        ("core_services", "QHL", "3135551.35", "X"),
        ("specialised_services", "QHL", "491587.23", "R"),
        ("primary_medical_care", "QUA", "282127.81", "P"),
        ("other_primary_care", "QWU", "94381.45", "I"),
        ("running_costs", "QHL", "21740.69", "E"),
    ],
)
def test_2025_round_figures_are_read_from_the_publishers_cells(round_2025, stream, icb, expected, column) -> None:
    row = value(round_2025, stream, "2025-26", icb)
    assert round(Decimal(row.allocation_gbp_thousands), 2) == Decimal(expected)
    assert row._source_column == column


def test_specialised_money_is_the_resource_allocation_plus_high_cost_drugs(round_2025) -> None:
    # column J (physical health + HCDD) + delegated mental health (P) + corneal tissue (Q) = R + L
    services = Decimal(value(round_2025, "specialised_services", "2025-26", "QHL").allocation_gbp_thousands)
    drugs = Decimal(value(round_2025, "specialised_high_cost_drugs", "2025-26", "QHL").allocation_gbp_thousands)
    assert drugs > 0 and services > 0
    sheet = openpyxl.load_workbook(ROUND_2025, read_only=True, data_only=True)["Specialised Allocations 2025-26"]
    row = [c for c in next(sheet.iter_rows(min_row=10, max_row=10, values_only=True))]
    assert row[2] == "QHL"
    assert abs(services + drugs - Decimal(str(row[9] + row[15] + row[16]))) < Decimal("0.01")


def test_england_totals_equal_the_sum_of_icb_rows(round_2023) -> None:
    core = round_2023[(round_2023.stream_code == "core_services") & (round_2023.financial_year == "2023-24")]
    assert abs(sum(Decimal(v) for v in core.allocation_gbp_thousands) - Decimal(105_042_213)) < 1
    midlands = core[core.region_code == "Y60"]
    assert len(midlands) == 11


def test_every_row_of_each_sheet_read_is_loaded_or_skipped_with_a_reason() -> None:
    with row_ledger() as ledger:
        src.parse(ROUND_2023.read_bytes(), file=ROUND_2023.name, period="2023-24_to_2024-25")
    count = ledger.count(src.ID, ROUND_2023.name)
    assert count.loaded == 42 * 6  # core x2, PMC x2, other primary care, running costs
    assert count.skipped["NHS England's own regional budget (not an ICB; in the totals)"] == 7
    assert count.skipped["England total (checked against its rows)"] == 6


def edited(path: Path, sheet: str, cell: str, new: object) -> bytes:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = new
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_changed_icb_figure_that_breaks_the_england_total_is_refused_naming_the_cell() -> None:
    data = edited(ROUND_2023, "ICB Core Allocations 2023-24", "U12", 2596708.79 + 5000)
    with pytest.raises(SourceError) as refused:
        src.parse(data, file=ROUND_2023.name, period="2023-24_to_2024-25")
    message = str(refused.value)
    assert "sheet 'ICB Core Allocations 2023-24'" in message
    assert "region subtotal" in message and "column U" in message


def test_a_figure_that_is_not_a_number_is_refused_naming_sheet_row_and_column() -> None:
    data = edited(ROUND_2025, "PMC Allocation 2025-26", "P10", "34I720.96")
    with pytest.raises(SourceError, match=r"sheet 'PMC Allocation 2025-26'\), row 10, column P: '34I720.96'"):
        src.parse(data, file=ROUND_2025.name, period="2025-26")


def test_a_stream_column_restated_in_millions_is_refused() -> None:
    data = edited(ROUND_2025, "ICB Core Allocations 2025-26", "X2", "2025/26 Total allocation (£m)")
    with pytest.raises(
        SourceError, match=r"units changed: the column '2025/26 Total allocation \(£m\)' is in £ million"
    ):
        src.parse(data, file=ROUND_2025.name, period="2025-26")


def test_a_missing_required_stream_is_refused() -> None:
    wb = openpyxl.load_workbook(ROUND_2025)
    del wb["ICB running cost allowance"]
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SourceError, match="no running_costs allocation for 2025-26"):
        src.parse(out.getvalue(), file=ROUND_2025.name, period="2025-26")


def test_a_workbook_for_other_years_than_its_partition_is_refused() -> None:
    with pytest.raises(SourceError, match="no core_services allocation for 2026-27"):
        src.parse(ROUND_2025.read_bytes(), file=ROUND_2025.name, period="2026-27")


def test_an_unrecognised_row_in_the_icb_block_is_refused() -> None:
    data = edited(ROUND_2025, "ICB Core Allocations 2025-26", "C10", "Birmingham")
    with pytest.raises(SourceError, match=r"row 10, column C: cannot tell whether this row is an ICB"):
        src.parse(data, file=ROUND_2025.name, period="2025-26")
