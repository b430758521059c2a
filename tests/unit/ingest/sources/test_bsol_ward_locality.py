"""bsol_ward_locality: the bundled real file (a byte copy of ../shared/data/geography/)."""

from __future__ import annotations

import pytest

from core.errors import SourceError
from ingest.sources import bsol_ward_locality as src
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
SNAPSHOT = ROOT / "ingest/snapshots/bsol_ward_locality/bsol_ward_to_locality.csv"
FILE = SNAPSHOT.name


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes):
    return src.parse(data, file=FILE, period="2023")


def test_columns_are_exactly_the_declared_ones(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)


def test_ward_counts_per_locality(frame) -> None:
    counts = frame["locality_name"].value_counts().to_dict()
    assert counts == {"Solihull": 17, "Central": 15, "North": 15, "East": 14, "West": 13, "South": 12}
    assert len(frame) == 86
    assert frame["ward_code"].is_unique


def test_birmingham_has_69_wards_in_five_localities(frame) -> None:
    brum = frame[frame["la_code"] == "E08000025"]
    assert len(brum) == 69
    assert set(brum["la_name"]) == {"Birmingham"}
    assert set(brum["locality_name"]) == {"Central", "North", "East", "West", "South"}


def test_a_known_ward_is_read_from_its_row(frame) -> None:
    ladywood = frame.set_index("ward_code").loc["E05011151"]
    assert (ladywood["ward_name"], ladywood["locality_name"]) == ("Ladywood", "West")
    first = frame.iloc[0]
    assert (first["ward_code"], first["ward_name"], first["_source_row"]) == ("E05001284", "Bickenhill", 2)


def test_a_ward_code_that_is_not_e05_raises_naming_file_row_and_column(data: bytes) -> None:
    corrupt = data.replace(b'"E05001285"', b'"E5001285"', 1)
    with pytest.raises(SourceError) as err:
        src.parse(corrupt, file=FILE, period="2023")
    assert FILE in str(err.value)
    assert (err.value.row, err.value.column) == (3, "C")


def test_a_ward_without_a_locality_raises(data: bytes) -> None:
    corrupt = data.replace(b'"Blythe","Solihull"', b'"Blythe",""', 1)
    with pytest.raises(SourceError, match="row 3, column E: ward E05001285 has no locality"):
        src.parse(corrupt, file=FILE, period="2023")


def test_a_ward_listed_twice_raises(data: bytes) -> None:
    doubled = data + b'"E08000029","Solihull","E05001284","Bickenhill","Solihull"\n'
    with pytest.raises(SourceError, match=r"row 88.*listed twice \(first at row 2\)"):
        src.parse(doubled, file=FILE, period="2023")


def test_a_file_without_the_locality_column_raises(data: bytes) -> None:
    with pytest.raises(SourceError, match="no header row"):
        src.parse(data.replace(b'"Locality"', b'"Area"', 1), file=FILE, period="2023")
