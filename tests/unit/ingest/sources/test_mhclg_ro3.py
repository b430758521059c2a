"""mhclg_ro3: the real RO3 (social care and public health) files, 2022-23 to 2024-25, as published.

Check values from ../shared/data/README.md (RO3's group totals are RSX's service lines).
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import mhclg_ro3 as src
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
SNAPSHOTS = ROOT / "ingest/snapshots/mhclg_ro3"
FILES = {
    "2022-23": SNAPSHOTS / "RO3_2022-23_data_by_LA.ods",
    "2023-24": SNAPSHOTS / "RO3_2023-24_data_by_LA_first_release.ods",
    "2024-25": SNAPSHOTS / "RO3_2024-25_data_by_LA.ods",
}
COVENTRY, BIRMINGHAM, ENGLAND = "E08000026", "E08000025", "E92000001"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {p: src.parse(f.read_bytes(), file=f.name, period=p) for p, f in FILES.items()}


def _value(frame: pd.DataFrame, area: str, item: str) -> pd.Series:
    (row,) = frame[(frame["ons_code"] == area) & (frame["item_code"] == item)].to_dict("records")
    return row


def test_columns_are_exactly_the_declared_ones(frames) -> None:
    for frame in frames.values():
        assert list(frame.columns) == list(src.COLUMNS)


@pytest.mark.parametrize(
    ("period", "area", "item", "expected"),
    [
        ("2022-23", ENGLAND, "RO3-asctot-net-cur-exp", "20516549.947"),  # README: 20516549.94660061
        ("2022-23", COVENTRY, "RO3-asctot-net-cur-exp", "110849"),
        ("2023-24", ENGLAND, "RO3-asctot-net-cur-exp", "23321572.533"),
        ("2023-24", COVENTRY, "RO3-asctot-net-cur-exp", "147196"),
        ("2024-25", ENGLAND, "RO3-asctot-net-cur-exp", "25243898.401"),
        ("2024-25", COVENTRY, "RO3-asctot-net-cur-exp", "148514"),
    ],
)
def test_adult_social_care_totals_are_the_published_check_values(frames, period, area, item, expected) -> None:
    value = Decimal(_value(frames[period], area, item)["value_gbp_thousands"])
    assert value.quantize(Decimal("0.001")) == Decimal(expected)


def test_item_codes_are_read_above_the_header_and_from_the_hidden_last_row(frames) -> None:
    # 2022-23: 518 value columns with codes above the header; 2024-25: 490, codes in the last row
    assert frames["2022-23"]["item_code"].nunique() == 518
    assert frames["2024-25"]["item_code"].nunique() == 490
    for frame in frames.values():
        assert frame["item_code"].str.match(r"^RO3-[a-z0-9]+-[a-z0-9-]+$").all()
        assert (frame.groupby("ons_code").size() == frame["item_code"].nunique()).all()


def test_a_return_not_submitted_stays_not_available(frames) -> None:
    for frame in frames.values():
        birmingham = frame[frame["ons_code"] == BIRMINGHAM]
        assert len(birmingham) > 0
        assert (birmingham["value_status"] == "not_available").all()
        assert birmingham["value_gbp_thousands"].isna().all()


def test_withheld_cells_are_not_available_with_the_publishers_note(frames) -> None:
    noted = frames["2024-25"][frames["2024-25"]["value_text"].str.startswith("[note", na=False)]
    assert len(noted) > 0
    assert set(noted["value_status"]) == {"not_available"}
    assert set(noted["value_text"]) <= {"[note 3]", "[note 4]"}
    no_estimate = frames["2023-24"][frames["2023-24"]["value_text"] == "[n]"]
    assert len(no_estimate) > 0 and set(no_estimate["value_status"]) == {"not_available"}


def test_a_stray_text_in_a_value_cell_is_reported_not_loaded_as_a_figure(caplog) -> None:
    path = FILES["2022-23"]
    with caplog.at_level(logging.WARNING):
        frame = src.parse(path.read_bytes(), file=path.name, period="2022-23")
    (row,) = frame[frame["value_status"] == "unreadable"].to_dict("records")
    assert (row["la_name"].startswith("Wakefield"), row["value_text"], row["_source_row"], row["_source_column"]) == (
        True,
        ">",
        391,
        "SO",
    )
    assert row["item_code"] == "RO3-phprmcarservprov-dent-net-cur-exp"
    assert row["value_gbp_thousands"] is None or pd.isna(row["value_gbp_thousands"])
    assert any("row 391, column SO" in r.getMessage() and "'>'" in r.getMessage() for r in caplog.records)


def test_the_wrong_year_is_refused_naming_the_file() -> None:
    path = FILES["2024-25"]
    with pytest.raises(SourceError, match=r"RO3_2024-25_data_by_LA\.ods.*2024-25.*2023-24"):
        src.parse(path.read_bytes(), file=path.name, period="2023-24")
