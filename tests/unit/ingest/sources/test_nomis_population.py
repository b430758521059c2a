"""nomis_population: a SYNTHETIC fixture in the exact layout the Nomis API returns (no real copy held)."""

from __future__ import annotations

import pytest

from core.errors import SourceError
from ingest.sources import nomis_population as src
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
FIXTURE = ROOT / "tests/fixtures/nomis_population/NM_2002_1_SYNTHETIC.csv"
FILE = FIXTURE.name


@pytest.fixture(scope="module")
def data() -> bytes:
    return FIXTURE.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes):
    return src.parse(data, file=FILE, period="2021-22")


def test_columns_are_exactly_the_declared_ones(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_one_row_per_requested_geography(frame) -> None:
    assert len(frame) == 10
    assert set(frame["geography_code"]) >= {"E47000007", "E12000005", "E92000001", "E08000025"}


def test_values_and_labels_are_read_from_the_quoted_csv(frame) -> None:
    brum = frame.set_index("geography_code").loc["E08000025"]
    assert brum["mid_year"] == 2021
    assert brum["geography_name"] == "Birmingham"
    assert (brum["gender"], brum["age"], brum["measure"], brum["obs_status"]) == (
        "Total",
        "All Ages",
        "Value",
        "Normal Value",
    )
    assert brum["population"] == 1_100_000  # synthetic figure
    assert brum["_source_row"] == 2


def test_financial_year_maps_to_the_mid_year_at_its_start() -> None:
    assert src.mid_year_for("2021-22") == 2021
    assert src.mid_year_for("2023-24") == 2023
    assert src.mid_year_for("2021-23") is None
    assert src.mid_year_for("2021") is None


def test_a_file_for_another_mid_year_raises(data: bytes) -> None:
    with pytest.raises(SourceError, match=r"row 2, column A: the estimate is for mid-2021 .* 2023-24"):
        src.parse(data, file=FILE, period="2023-24")


def test_a_non_integer_obs_value_raises_naming_row_and_column(data: bytes) -> None:
    corrupt = data.replace(b'"Value",340000,', b'"Value",340000.5,', 1)
    with pytest.raises(SourceError) as err:
        src.parse(corrupt, file=FILE, period="2021-22")
    assert FILE in str(err.value)
    assert (err.value.row, err.value.column) == (3, "G")


def test_a_blank_obs_value_raises_rather_than_reading_zero(data: bytes) -> None:
    corrupt = data.replace(b'"Value",340000,', b'"Value",,', 1)
    with pytest.raises(SourceError, match="row 3, column G"):
        src.parse(corrupt, file=FILE, period="2021-22")


def test_columns_are_found_by_name_not_position(data: bytes) -> None:
    lines = data.decode().splitlines()
    swapped = "\n".join(",".join(reversed(line.split(","))) for line in lines).encode()
    frame = src.parse(swapped, file=FILE, period="2021-22")
    assert frame.set_index("geography_code").loc["E08000026", "population"] == 340_000


def test_a_header_only_response_raises(data: bytes) -> None:
    header_only = data.splitlines(keepends=True)[0]
    with pytest.raises(SourceError, match="no rows"):
        src.parse(header_only, file=FILE, period="2021-22")


def test_a_bad_period_label_raises(data: bytes) -> None:
    with pytest.raises(SourceError, match="not a financial year"):
        src.parse(data, file=FILE, period="2021")
