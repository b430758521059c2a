"""ons_census_population: the bundled real file (a byte copy of ../shared/data/ons/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import SourceError
from ingest.sources import ons_census_population as src

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "ingest/snapshots/ons_census_population/census2021_population_by_lad.csv"
FILE = SNAPSHOT.name
WMCA_COUNCILS = [f"E080000{n}" for n in range(25, 32)]


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes):
    return src.parse(data, file=FILE, period="2021")


def test_columns_are_exactly_the_declared_ones(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_every_district_of_england_and_wales_is_read_once(frame) -> None:
    assert len(frame) == 331
    assert frame["lad_code"].is_unique
    assert frame["lad_code"].str[0].value_counts().to_dict() == {"E": 309, "W": 22}


def test_birmingham_figures_and_source_row(frame) -> None:
    brum = frame.set_index("lad_code").loc["E08000025"]
    assert brum["lad_name"] == "Birmingham"
    assert brum["region_name"] == "West Midlands"
    assert brum["census2021_usual_residents_rounded"] == 1_140_300
    assert brum["census2011_usual_residents"] == 1_073_045
    assert brum["_source_row"] == 2


def test_the_seven_west_midlands_councils_total_2_912_500(frame) -> None:
    wm = frame[frame["lad_code"].isin(WMCA_COUNCILS)]
    assert len(wm) == 7
    assert wm["census2021_usual_residents_rounded"].sum() == 2_912_500


def test_2011_counts_sum_to_the_2011_census_total_for_england_and_wales(frame) -> None:
    assert frame["census2011_usual_residents"].sum() == 56_075_912


def test_an_exact_repeat_of_a_row_is_dropped_keeping_the_first(data: bytes) -> None:
    lines = data.split(b"\r\n")
    repeated = b"\r\n".join([*lines[:3], lines[1], *lines[3:]])  # Birmingham again after Leeds
    frame = src.parse(repeated, file=FILE, period="2021")
    assert len(frame) == 331
    assert frame.loc[frame["lad_code"] == "E08000025", "_source_row"].tolist() == [2]


def test_a_district_repeated_with_different_figures_raises(data: bytes) -> None:
    conflicting = data.replace(
        b"\r\nE08000035,Leeds", b"\r\nE08000025,Birmingham,West Midlands,1073045,1140400\r\nE08000035,Leeds", 1
    )
    with pytest.raises(SourceError, match=r"row 3.*E08000025 appears again with different figures \(first at row 2\)"):
        src.parse(conflicting, file=FILE, period="2021")


def test_a_count_that_is_not_a_number_raises_naming_file_row_and_column(data: bytes) -> None:
    corrupt = data.replace(b"1073045,1140300", b"1073045,about a million", 1)
    with pytest.raises(SourceError) as err:
        src.parse(corrupt, file=FILE, period="2021")
    assert FILE in str(err.value)
    assert (err.value.row, err.value.column) == (2, "E")


def test_a_missing_count_is_not_read_as_zero(data: bytes) -> None:
    corrupt = data.replace(b"1073045,1140300", b"1073045,", 1)
    with pytest.raises(SourceError, match="row 2, column E"):
        src.parse(corrupt, file=FILE, period="2021")


def test_a_file_without_the_2021_column_raises(data: bytes) -> None:
    corrupt = data.replace(b"census2021_usual_residents_rounded", b"census2021", 1)
    with pytest.raises(SourceError, match="no header row"):
        src.parse(corrupt, file=FILE, period="2021")


def test_loading_as_another_year_raises(data: bytes) -> None:
    with pytest.raises(SourceError, match="Census 2021 .* as 2022"):
        src.parse(data, file=FILE, period="2022")
