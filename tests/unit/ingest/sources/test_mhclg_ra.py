"""mhclg_ra: the real Revenue Account budget files for 2021-22 (UTF-8) and 2023-24 (Mac Roman)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sheets import read_grid
from ingest.sources import mhclg_ra as src
from ingest.sources.shared.mhclg import read_la_table
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
RA_2021 = ROOT / "ingest/snapshots/mhclg_ra/RA_2021-22_data_by_LA.csv"
RA_2023 = ROOT / "ingest/snapshots/mhclg_ra/RA_2023-24_data_Part_1.csv"

BIRMINGHAM = "E08000025"
WMCA = "E47000007"
CLASS_TOTALS = {
    "LONDON BOROUGHS",
    "METROPOLITAN DISTRICTS",
    "UNITARY AUTHORITIES",
    "SHIRE COUNTIES",
    "SHIRE DISTRICTS",
    "OTHER AUTHORITIES",
}


@pytest.fixture(scope="module")
def ra21() -> pd.DataFrame:
    return src.parse(RA_2021.read_bytes(), file=RA_2021.name, period="2021-22")


@pytest.fixture(scope="module")
def ra23() -> pd.DataFrame:
    return src.parse(RA_2023.read_bytes(), file=RA_2023.name, period="2023-24")


def _one(frame: pd.DataFrame, ons_code: str, line_number: int) -> pd.Series:
    hit = frame[(frame["ons_code"] == ons_code) & (frame["line_number"] == line_number)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_columns_are_exactly_the_declared_ones(ra21, ra23) -> None:
    assert list(ra21.columns) == list(src.COLUMNS)
    assert list(ra23.columns) == list(src.COLUMNS)


@pytest.mark.parametrize(("path", "period", "header_row"), [(RA_2021, "2021-22", 7), (RA_2023, "2023-24", 10)])
def test_header_is_found_by_content_whatever_the_rows_above(path: Path, period: str, header_row: int) -> None:
    grid = read_grid(path.read_bytes(), source_id=src.ID, file=path.name)
    table = read_la_table(grid, expect_title=src.TITLE, period=period)
    assert table.header_row + 1 == header_row
    assert grid.rows[table.header_row][:3] == ["E-code", "ONS Code", "Local authority"]
    assert "line_number" in table.meta


def test_2021_has_no_asset_id_row_so_asset_id_is_null(ra21) -> None:
    assert ra21["asset_id"].isna().all()
    assert ra21["line_number"].notna().all()


def test_2023_reads_the_asset_ids_above_the_line_numbers(ra23) -> None:
    ids = ra23.drop_duplicates("line_number").set_index("line_number")["asset_id"]
    assert ids[799] == "servicetot"
    assert ids[849] == "netcurrtot"
    assert ids[990] == "ctrtot"
    assert ids[110] == "eduerl"
    assert ra23["asset_id"].notna().all()


def test_birmingham_2021_total_service_expenditure_is_read_from_row_296_column_ex(ra21) -> None:
    row = _one(ra21, BIRMINGHAM, 799)
    assert row["la_name"] == "Birmingham"
    assert row["line_title"] == "TOTAL SERVICE EXPENDITURE"
    assert row["value_gbp_thousands"] == "1847287"
    assert row["value_text"] == "1,847,287"  # the thousands separators are read, not rejected
    assert row["value_status"] == "published"
    assert (row["_source_row"], row["_source_column"]) == (296, "EX")


def test_birmingham_2023_total_service_expenditure(ra23) -> None:
    row = _one(ra23, BIRMINGHAM, 799)
    assert (row["value_gbp_thousands"], row["value_text"]) == ("2193531", "2,193,531")
    assert (row["_source_row"], row["_source_column"]) == (31, "EY")


def test_thousands_separators_are_read(ra21, ra23) -> None:
    for frame in (ra21, ra23):
        separated = frame[frame["value_text"].str.contains(",", regex=False)]
        assert len(separated) > 10_000
        assert (separated["value_status"] == "published").all()
        digits = separated["value_text"].str.replace(",", "", regex=False)
        assert (digits == separated["value_gbp_thousands"]).all()


def test_wmca_is_present_in_both_years(ra21, ra23) -> None:
    assert _one(ra21, WMCA, 799)["value_gbp_thousands"] == "282668"
    assert _one(ra23, WMCA, 799)["value_gbp_thousands"] == "384399"
    assert _one(ra23, WMCA, 799)["la_name"] == "West Midlands Combined Authority"


def test_england_row_printed_without_codes_gets_the_england_code(ra21) -> None:
    england = ra21[ra21["row_kind"] == "england"]
    assert len(england) == ra21["line_number"].size // ra21["ons_code"].nunique()  # one row per line
    assert set(england["ons_code"]) == {"E92000001"}
    assert set(england["la_name"]) == {"ENGLAND"}
    assert england["e_code"].isna().all()
    assert set(england["_source_row"]) == {435}
    assert _one(ra21, "E92000001", 110)["value_gbp_thousands"] == "3785966"


def test_class_total_rows_are_not_in_the_output(ra21, ra23) -> None:
    for frame in (ra21, ra23):
        assert not set(frame["la_name"].str.upper()) & CLASS_TOTALS
        assert set(frame["row_kind"]) <= {"authority", "england"}
        not_gss = frame.loc[~frame["ons_code"].str.fullmatch(r"E\d{8}"), ["ons_code", "la_name"]]
        # The publisher prints Lee Valley's E-code in the ONS Code column: it has no GSS code.
        assert set(map(tuple, not_gss.drop_duplicates().to_numpy())) == {
            ("E6803", "Lee Valley Regional Park Authority")
        }
    assert ra21["_source_row"].max() == 435  # rows 437-443 (CLASS BREAKDOWN) are aggregates
    assert ra21["ons_code"].nunique() == 426  # 425 authorities and England
    assert ra23["ons_code"].nunique() == 410


def test_imputed_returns_are_not_available_with_a_null_value_never_zero(ra21) -> None:
    dots = ra21[ra21["value_text"] == "..."]
    assert set(dots["la_name"]) == {
        "Eden",
        "Gravesham",
        "Kent Police and Crime Commissioner and Chief Constable",
        "Shropshire UA",
        "Staffordshire Combined Fire and Rescue Authority",
        "The Medway Towns UA",
    }
    assert (dots["value_status"] == "not_available").all()
    assert dots["value_gbp_thousands"].isna().all()
    shropshire = _one(ra21, "E06000051", 799)
    assert (shropshire["value_text"], shropshire["notes"]) == ("...", "S")  # S: imputed figures
    assert pd.isna(shropshire["value_gbp_thousands"])


def test_2023_symbols_and_discontinued_lines_are_not_available(ra23) -> None:
    unavailable = ra23[ra23["value_status"] == "not_available"]
    assert unavailable["value_text"].value_counts().to_dict() == {
        "...": 2691,
        "Category discontinued": 410,
        "\u2026": 26,  # Mac Roman byte 0xC9
    }
    assert unavailable["value_gbp_thousands"].isna().all()
    assert ra23.loc[ra23["value_status"] == "published", "value_gbp_thousands"].notna().all()


def test_a_file_for_another_year_is_refused() -> None:
    with pytest.raises(SourceError) as info:
        src.parse(RA_2023.read_bytes(), file=RA_2023.name, period="2021-22")
    message = str(info.value)
    assert message.startswith(f"mhclg_ra: {RA_2023.name}, row 1, column A:")
    assert "the sheet is for 2023-24 but the catalogue loads it as 2021-22" in message


def test_a_corrupted_figure_is_reported_with_source_file_row_and_column() -> None:
    data = RA_2021.read_bytes()
    start = data.index(b"\nE4601,E08000025,Birmingham,") + 1
    end = data.index(b"\n", start)
    line = data[start:end]
    assert line.count(b'"1,847,287"') == 1
    corrupted = data[:start] + line.replace(b'"1,847,287"', b"12x4") + data[end:]
    with pytest.raises(SourceError) as info:
        src.parse(corrupted, file=RA_2021.name, period="2021-22")
    message = str(info.value)
    assert "mhclg_ra" in message
    assert RA_2021.name in message
    assert "row 296" in message
    assert "column EX" in message
    assert "'12x4' is not a number" in message
