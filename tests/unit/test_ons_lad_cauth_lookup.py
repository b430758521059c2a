"""ons_lad_cauth_lookup: the bundled SYNTHETIC hand-compiled snapshot in ONS's layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import SourceError
from ingest.sources import ons_lad_cauth_lookup as src

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "ingest/snapshots/ons_lad_cauth_lookup/LAD23_CAUTH23_EN_LU_SYNTHETIC.csv"
FILE = SNAPSHOT.name


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


def test_each_configured_regions_councils_map_to_their_combined_authority(data: bytes) -> None:
    frame = src.parse(data, file=FILE, period="2023")
    assert list(frame.columns) == list(src.COLUMNS)
    members = frame.groupby("cauth_code")["lad_code"].apply(list).to_dict()
    assert members["E47000007"] == [f"E080000{n}" for n in range(25, 32)]  # West Midlands
    assert members["E47000001"] == [f"E0800000{n}" for n in range(1, 10)] + ["E08000010"]  # Greater Manchester
    assert members["E47000003"] == [f"E080000{n}" for n in range(32, 37)]  # West Yorkshire
    assert set(frame.loc[frame.cauth_code == "E47000007", "cauth_name"]) == {"West Midlands"}
    assert set(frame["vintage_year"]) == {2023}
    assert frame.loc[0, "lad_name"] == "Birmingham"
    assert frame.loc[0, "_source_row"] == 2


def test_a_later_vintage_with_extra_columns_in_another_order_is_read(data: bytes) -> None:
    text = data.decode("utf-8-sig").replace("23", "24")  # LAD24CD ... and no code holds "23"
    lines = [line.split(",") for line in text.splitlines()]
    reordered = "\n".join(",".join([r[4], r[2], r[3], "x", r[0], r[1]]) for r in lines).encode()
    frame = src.parse(reordered, file="LAD24_CAUTH24_EN_LU.csv", period="2024")
    assert set(frame["vintage_year"]) == {2024}
    assert frame.loc[6, ["lad_code", "lad_name", "cauth_code"]].tolist() == ["E08000031", "Wolverhampton", "E47000007"]


def test_mixed_vintages_raise(data: bytes) -> None:
    with pytest.raises(SourceError, match="different vintages"):
        src.parse(data.replace(b"CAUTH23CD", b"CAUTH24CD"), file=FILE, period="2023")


def test_a_missing_column_raises_naming_the_pattern(data: bytes) -> None:
    with pytest.raises(SourceError, match="no column like CAUTHyyNM"):
        src.parse(data.replace(b"CAUTH23NM", b"CAUTH_NAME"), file=FILE, period="2023")


def test_the_period_must_match_the_vintage(data: bytes) -> None:
    with pytest.raises(SourceError, match="columns are for 2023 .* as 2024"):
        src.parse(data, file=FILE, period="2024")


def test_a_bad_combined_authority_code_raises_naming_row_and_column(data: bytes) -> None:
    corrupt = data.replace(b"Dudley,E47000007", b"Dudley,E4700007", 1)
    with pytest.raises(SourceError) as err:
        src.parse(corrupt, file=FILE, period="2023")
    assert FILE in str(err.value)
    assert (err.value.row, err.value.column) == (4, "C")


def test_a_district_in_two_combined_authorities_raises(data: bytes) -> None:
    extra = data + b"E08000025,Birmingham,E47000001,Greater Manchester,23\n"
    with pytest.raises(SourceError, match=r"row 24, column C: district E08000025 is also in E47000007"):
        src.parse(extra, file=FILE, period="2023")
