"""mhclg_rsx: the real Revenue Outturn Service Expenditure Summary files, 2021-22 to 2024-25 (CSV exports and ODS)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import mhclg_rsx as src
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
RSX_2021 = ROOT / "ingest/snapshots/mhclg_rsx/RSX_2021-22_data_by_LA_Live.csv"
RSX_2023 = ROOT / "ingest/snapshots/mhclg_rsx/RSX_2023-24_data_by_LA.csv"

BIRMINGHAM = "E08000025"
GLA = "E12000007"
SERVICES = ["edu", "trans", "csc", "asc", "phs", "hous", "cul", "env", "plan", "pol", "frs", "cen", "oth"]
MEASURES = {"empl", "run-exp", "tot-exp", "sfc", "oth-inc", "tot-inc", "net-cur-exp"}


@pytest.fixture(scope="module")
def rsx21() -> pd.DataFrame:
    return src.parse(RSX_2021.read_bytes(), file=RSX_2021.name, period="2021-22")


@pytest.fixture(scope="module")
def rsx23() -> pd.DataFrame:
    return src.parse(RSX_2023.read_bytes(), file=RSX_2023.name, period="2023-24")


@pytest.fixture(scope="module", params=["2021-22", "2023-24"])
def frame(request, rsx21, rsx23) -> pd.DataFrame:
    return rsx21 if request.param == "2021-22" else rsx23


def test_columns_are_exactly_the_declared_ones(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_fourteen_services_by_seven_measures(frame) -> None:
    assert list(frame["service_code"].unique()) == [*SERVICES, "totsx"]
    assert set(frame["measure_code"]) == MEASURES
    items = frame.drop_duplicates("item_code")
    assert len(items) == 14 * 7
    assert (items["item_code"] == "RSX-" + items["service_code"] + "-" + items["measure_code"]).all()
    assert frame.groupby("ons_code").size().eq(98).all()  # every authority has every item once


def test_item_codes_carry_their_form_cell(rsx21) -> None:
    item = rsx21.drop_duplicates("item_code").set_index("item_code")
    assert item.loc["RSX-edu-empl", ["cell_ref", "line_number", "column_number"]].tolist() == ["C1R190", 190, 1]
    assert item.loc["RSX-totsx-net-cur-exp", ["cell_ref", "line_number", "column_number"]].tolist() == [
        "C7R699",
        699,
        7,
    ]


def test_birmingham_2021_total_net_current_expenditure(rsx21) -> None:
    hit = rsx21[(rsx21["ons_code"] == BIRMINGHAM) & (rsx21["item_code"] == "RSX-totsx-net-cur-exp")]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["la_name"] == "Birmingham"
    assert (row["value_gbp_thousands"], row["value_text"], row["value_status"]) == ("1893860", "1,893,860", "published")
    assert (row["_source_row"], row["_source_column"]) == (34, "CZ")


def test_birmingham_2023_did_not_submit_so_every_value_is_not_available_never_zero(rsx23) -> None:
    birmingham = rsx23[rsx23["ons_code"] == BIRMINGHAM]
    assert len(birmingham) == 98
    assert set(birmingham["value_status"]) == {"not_available"}
    assert set(birmingham["value_text"]) == {"[x]"}
    assert birmingham["value_gbp_thousands"].isna().all()


def test_only_the_first_table_is_read_in_2023(rsx23) -> None:
    assert rsx23["_source_row"].max() == 423  # the England row; the class breakdown starts at 424
    assert not rsx23["ons_code"].isin(["E06", "E07", "E08", "E09", "E10", "E47"]).any()
    assert not rsx23["la_name"].isin(["Metropolitan Districts", "Unitary Authorities", "Combined Authorities"]).any()
    gla = rsx23[rsx23["ons_code"] == GLA]
    assert gla["item_code"].is_unique and len(gla) == 98  # once per item, not again from row 430
    assert set(gla["_source_row"]) == {149}
    england = rsx23[rsx23["row_kind"] == "england"]
    assert set(england["ons_code"]) == {"E92000001"} and len(england) == 98


def test_unlabelled_check_sum_rows_under_the_2021_england_row_are_ignored(rsx21) -> None:
    england = rsx21[rsx21["row_kind"] == "england"]
    assert set(england["_source_row"]) == {438}
    assert rsx21["_source_row"].max() == 438  # rows 440-441 hold column check sums, no labels
    assert rsx21["la_name"].notna().all() and rsx21["ons_code"].notna().all()
    edu = england[england["item_code"] == "RSX-edu-empl"]
    assert edu["value_gbp_thousands"].tolist() == ["20680786"]


def test_service_lines_sum_to_total_service_expenditure_within_rounding(frame) -> None:
    net = frame[frame["measure_code"] == "net-cur-exp"]
    submitted = net.groupby("ons_code")["value_status"].transform(lambda s: (s == "published").all())
    values = net[submitted].pivot(index="ons_code", columns="service_code", values="value_gbp_thousands")
    values = values.astype("int64")
    assert len(values) >= 398  # 2021-22: 423 of 427 rows; 2023-24: 398 of 412 (14 did not submit)
    gap = (values[SERVICES].sum(axis=1) - values["totsx"]).abs()
    assert gap.max() <= 2, gap.sort_values().tail()


def test_a_missing_item_code_row_is_refused() -> None:
    lines = RSX_2021.read_bytes().split(b"\n")
    assert lines[6].startswith(b",,,,,,RSX-edu-empl,")
    del lines[6]
    with pytest.raises(SourceError) as info:
        src.parse(b"\n".join(lines), file=RSX_2021.name, period="2021-22")
    message = str(info.value)
    assert message.startswith(f"mhclg_rsx: {RSX_2021.name}, row 10")  # the header, one row up
    assert "no row of item codes" in message


ODS = {
    "2022-23": ROOT / "ingest/snapshots/mhclg_rsx/RSX_2022-23_data_by_LA.ods",
    "2024-25": ROOT / "ingest/snapshots/mhclg_rsx/RSX_2024-25_data_by_LA.ods",
}


@pytest.fixture(scope="module", params=sorted(ODS))
def rsx_ods(request) -> tuple[str, object]:
    path = ODS[request.param]
    return request.param, src.parse(path.read_bytes(), file=path.name, period=request.param)


# The publisher's check values (../shared/data/README.md, RSX TSE net current expenditure, £ thousand)
ODS_CHECKS = {
    "2022-23": {"E92000001": "113540350.31985876", "E08000026": "584903", "E47000007": "374359", "E08000028": "632168"},
    "2024-25": {"E92000001": "134158660.76614", "E08000026": "648440", "E47000007": "453100.99", "E08000028": "661017"},
}


def test_the_publishers_ods_files_give_the_published_totals(rsx_ods) -> None:
    year, frame = rsx_ods
    tse = frame[(frame.service_code == "totsx") & (frame.measure_code == "net-cur-exp")].set_index("ons_code")
    for code, expected in ODS_CHECKS[year].items():
        assert Decimal(tse.loc[code, "value_gbp_thousands"]) == Decimal(expected), (year, code)
    # Birmingham did not submit: not available, never zero
    assert tse.loc["E08000025", "value_status"] == "not_available"
    assert pd.isna(tse.loc["E08000025", "value_gbp_thousands"])


def test_2024_25_item_codes_are_read_from_the_hidden_last_row(rsx_ods) -> None:
    year, frame = rsx_ods
    assert set(frame.service_code) == {
        "edu", "trans", "csc", "asc", "phs", "hous", "cul", "env", "plan", "pol", "frs", "cen", "oth", "totsx"
    }  # fmt: skip
    assert frame.item_code.str.match(r"^RSX-[a-z]+-[a-z-]+$").all()
    assert frame.certified.isin(["Y", "N", "[x]", "[Y]", None]).all(), year
