"""ons_lad_icb_lookup: the bundled SYNTHETIC hand-compiled snapshot in ONS's layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import SourceError
from ingest.sources import ons_lad_icb_lookup as src

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "ingest/snapshots/ons_lad_icb_lookup/LAD23_ICB23_EN_LU_WMCA_SYNTHETIC.csv"
FILE = SNAPSHOT.name


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes):
    return src.parse(data, file=FILE, period="2023")


def test_columns_are_exactly_the_declared_ones(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)
    assert set(frame["vintage_year"]) == {2023}


def test_each_council_maps_to_its_icb(frame) -> None:
    icb = frame.set_index("lad_code")["icb_ods_code"].to_dict()
    assert icb == {
        "E08000025": "QHL",
        "E08000026": "QWU",
        "E08000027": "QUA",
        "E08000028": "QUA",
        "E08000029": "QHL",
        "E08000030": "QUA",
        "E08000031": "QUA",
    }
    bsol = frame[frame["icb_code"] == "E54000055"]
    assert set(bsol["icb_name"]) == {"NHS Birmingham and Solihull Integrated Care Board"}
    assert set(bsol["lad_name"]) == {"Birmingham", "Solihull"}


def test_sub_icb_columns_are_tolerated_and_ignored(data: bytes) -> None:
    rows = [line.split(",") for line in data.decode("utf-8-sig").splitlines()]
    sub_icb = [["SICBL23CD", "SICBL23CDH", "SICBL23NM"]] + [["E38999999", "ZZZ", "Made-up sub-ICB"]] * 7
    text = "\n".join(",".join(r[:2] + extra + r[2:]) for r, extra in zip(rows, sub_icb, strict=True))
    frame = src.parse(("\ufeff" + text).encode(), file=FILE, period="2023")
    assert frame["icb_ods_code"].tolist()[:2] == ["QHL", "QWU"]
    assert "E38999999" not in frame.to_string()


def test_icb_code_and_ods_code_columns_are_not_confused(data: bytes) -> None:
    swapped = data.replace(b"ICB23CD,ICB23CDH", b"ICB23CDH,ICB23CD", 1)
    with pytest.raises(SourceError, match=r"row 2, column D: 'QHL' is not an ICB GSS code"):
        src.parse(swapped, file=FILE, period="2023")


def test_an_unknown_icb_code_format_raises_naming_file_row_and_column(data: bytes) -> None:
    corrupt = data.replace(b"Coventry,E54000018", b"Coventry,QWU", 1)
    with pytest.raises(SourceError) as err:
        src.parse(corrupt, file=FILE, period="2023")
    assert FILE in str(err.value)
    assert (err.value.row, err.value.column) == (3, "C")


def test_the_period_must_match_the_vintage(data: bytes) -> None:
    with pytest.raises(SourceError, match="columns are for 2023"):
        src.parse(data, file=FILE, period="2022")
