"""mhclg_ro_timeseries: a SYNTHETIC fixture in the publisher's layout (no copy of the real file is held)."""

from __future__ import annotations

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import mhclg_ro_timeseries as src
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
FIXTURE = ROOT / "tests/fixtures/mhclg_ro_timeseries/Revenue_Outturn_time_series_data_SYNTHETIC.csv"
FILE = FIXTURE.name
RS_COLUMNS = 8  # RS_ columns in the fixture; it also has RO1_, RO4_, RSX_ and RG_ columns


@pytest.fixture(scope="module")
def data() -> bytes:
    return FIXTURE.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes):
    return src.parse(data, file=FILE, period="all")


def _value(frame, la_name: str, year_ending: int, item: str):
    hit = frame[(frame["la_name"] == la_name) & (frame["year_ending"] == year_ending) & (frame["item_code"] == item)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_columns_are_exactly_the_declared_ones(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_only_revenue_summary_columns_are_kept(frame) -> None:
    assert set(frame["form"]) == {"RS"}
    assert frame["item_code"].str.startswith("RS_").all()
    assert frame["item_code"].nunique() == RS_COLUMNS
    assert len(frame) == 28 * RS_COLUMNS  # 4 areas x 7 years


def test_item_codes_split_into_form_asset_and_measure(frame) -> None:
    edu = _value(frame, "Solihull", 201803, "RS_edu_net_exp")
    assert (edu["form"], edu["asset_id"], edu["measure"]) == ("RS", "edu", "net_exp")
    nonias = _value(frame, "Solihull", 201803, "RS_servicetot_nonias_net_exp")
    assert (nonias["asset_id"], nonias["measure"]) == ("servicetot", "nonias_net_exp")


def test_year_ending_maps_to_the_financial_year(frame) -> None:
    years = frame.drop_duplicates("year_ending").set_index("year_ending")["financial_year"].to_dict()
    assert years == {
        201803: "2017-18",
        201903: "2018-19",
        202003: "2019-20",
        202103: "2020-21",
        202203: "2021-22",
        202303: "2022-23",
        202403: "2023-24",
    }
    assert src.financial_year(202603) == "2025-26"


def test_identity_columns_and_source_position(frame) -> None:
    row = _value(frame, "Birmingham", 201803, "RS_totsx_net_exp")
    assert (row["ons_code"], row["lgf_code"], row["la_class"], row["la_subclass"]) == ("E08000025", "E4601", "MD", "MD")
    assert row["submission_status"] == "submitted"
    assert (row["value_gbp_thousands"], row["value_status"], row["value_text"]) == ("400000", "published", "400000")
    assert (row["_source_row"], row["_source_column"]) == (3, "N")


def test_england_row_is_kept_with_its_code(frame) -> None:
    england = _value(frame, "England", 202403, "RS_netcurrtot_net_exp")
    assert england["ons_code"] == "E92000001"
    assert pd.isna(england["lgf_code"])
    assert england["value_gbp_thousands"] == "5460000"


def test_not_submitted_blanks_are_not_available_not_zero(frame) -> None:
    missing = frame[(frame["la_name"] == "Birmingham") & (frame["year_ending"] >= 202303)]
    assert len(missing) == 2 * RS_COLUMNS
    assert set(missing["submission_status"]) == {"not submitted"}
    assert set(missing["value_status"]) == {"not_available"}
    assert missing["value_gbp_thousands"].isna().all()


def test_a_blank_on_a_submitted_row_stays_blank(frame) -> None:
    row = _value(frame, "Solihull", 202403, "RS_servicetot_nonias_net_exp")
    assert row["value_status"] == "blank"
    assert pd.isna(row["value_gbp_thousands"])


def test_symbols_are_not_available_and_zero_is_a_published_zero(frame) -> None:
    statuses = {
        item: _value(frame, "West Midlands Combined Authority", 202103, item)["value_status"]
        for item in ("RS_edu_net_exp", "RS_asc_net_exp", "RS_csc_net_exp", "RS_phs_net_exp")
    }
    assert statuses == dict.fromkeys(statuses, "not_available")
    ctr = _value(frame, "West Midlands Combined Authority", 202103, "RS_ctrtot_net_exp")
    assert (ctr["value_gbp_thousands"], ctr["value_status"]) == ("0", "published")


def test_decimals_and_negatives_are_kept_exactly(frame) -> None:
    assert (
        _value(frame, "West Midlands Combined Authority", 201803, "RS_netcurrtot_net_exp")["value_gbp_thousands"]
        == "21000.125"
    )
    assert _value(frame, "Solihull", 202103, "RS_ctrtot_net_exp")["value_gbp_thousands"] == "-1.5"


def test_identity_columns_are_found_by_name_in_any_order(data: bytes, frame) -> None:
    lines = data.decode("utf-8-sig").splitlines()
    moved = "\n".join(",".join(cells[3:7] + cells[:3] + cells[7:]) for cells in (line.split(",") for line in lines))
    other = src.parse(moved.encode(), file=FILE, period="all")
    row = other[
        (other["la_name"] == "Birmingham")
        & (other["year_ending"] == 201803)
        & (other["item_code"] == "RS_totsx_net_exp")
    ]
    assert row["value_gbp_thousands"].tolist() == ["400000"]
    assert len(other) == len(frame)


def test_a_non_numeric_cell_raises_naming_row_and_column(data: bytes) -> None:
    corrupt = data.replace(
        b"E4605,Solihull,submitted,MD,MD,4000,400,20000,", b"E4605,Solihull,submitted,MD,MD,4000,400,twenty,", 1
    )
    with pytest.raises(SourceError) as err:
        src.parse(corrupt, file=FILE, period="all")
    assert FILE in str(err.value)
    assert (err.value.row, err.value.column) == (4, "J")


def test_a_file_without_year_ending_raises(data: bytes) -> None:
    with pytest.raises(SourceError, match="no header row with a 'year_ending' column"):
        src.parse(data.replace(b"year_ending", b"year", 1), file=FILE, period="all")


def test_a_year_ending_that_is_not_march_raises(data: bytes) -> None:
    corrupt = data.replace(b"\n201903,E08000029", b"\n2018-19,E08000029", 1)
    with pytest.raises(SourceError, match=r"row 8, column A: year_ending '2018-19'"):
        src.parse(corrupt, file=FILE, period="all")


def test_loading_as_a_single_year_raises(data: bytes) -> None:
    with pytest.raises(SourceError, match="holds every year"):
        src.parse(data, file=FILE, period="2023-24")
