"""nhs_gp_weighted_population: the real practice-level files of NHS England's allocation tool."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import nhs_gp_weighted_population as src
from tests.paths import SNAPSHOTS_DIR

SNAPSHOTS = SNAPSHOTS_DIR / "nhs_gp_weighted_population"
FILES = {
    "2023-24": "gp_practice_weighted_population_2023_2024.csv",
    "2024-25": "gp_practice_weighted_population_2024_2025.csv",
}
PRACTICES = 6553
WEST_MIDLANDS_ICBS = {
    "QHL": ("NHS Birmingham and Solihull ICB", 183),
    "QUA": ("NHS Black Country ICB", 182),
    "QWU": ("NHS Coventry and Warwickshire ICB", 120),
}
BIRMINGHAM, WALSALL = "E08000025", "E08000030"
# Frankley Health Centre (Birmingham, QHL): file row 4666; ICS22 is column L, Final WP column AB.
FRANKLEY = b"M81062"
FRANKLEY_ROW = 4666


@pytest.fixture(scope="module", params=sorted(FILES))
def year(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {p: src.parse((SNAPSHOTS / f).read_bytes(), file=f, period=p) for p, f in FILES.items()}


@pytest.fixture(scope="module")
def data_2023() -> bytes:
    return (SNAPSHOTS / FILES["2023-24"]).read_bytes()


def practices(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates("practice_code")


def one(frame: pd.DataFrame, practice: str, component: str) -> pd.Series:
    hit = frame[(frame.practice_code == practice) & (frame.component_code == component)]
    assert len(hit) == 1
    return hit.iloc[0]


def edit_practice_line(data: bytes, practice: bytes, old: bytes, new: bytes) -> bytes:
    """Replace ``old`` (once) in the line of one practice, leaving the rest of the file as it is."""
    start = data.index(b"\n" + practice + b",") + 1
    end = data.index(b"\n", start)
    line = data[start:end]
    assert line.count(old) == 1
    return data[:start] + line.replace(old, new) + data[end:]


def test_frame_has_exactly_the_declared_columns(frames, year) -> None:
    assert list(frames[year].columns) == list(src.COLUMNS)


def test_every_practice_gets_one_row_per_component(frames, year) -> None:
    frame = frames[year]
    assert len(frame) == PRACTICES * len(src.COMPONENTS)
    assert frame.practice_code.nunique() == PRACTICES
    assert (frame.groupby("practice_code").component_code.nunique() == len(src.COMPONENTS)).all()
    assert set(frame.component_code) == set(src.COMPONENTS.values())
    assert frame._source_row.min() == 2
    assert frame._source_row.max() == PRACTICES + 1


def test_components_are_read_from_their_published_columns(frames) -> None:
    frame = frames["2023-24"]
    registered = one(frame, "M81062", "registered")
    assert (registered.component_label, registered._source_column) == ("pop 2022/23", "U")
    core = one(frame, "M81062", "core_services")
    assert (core.component_label, core._source_column, core._source_row) == ("Final WP", "AB", FRANKLEY_ROW)
    assert core.population == "4604.1091707853"  # exactly as published, no float rounding
    assert one(frames["2024-25"], "M81062", "core_services").population == "4610.217804"


def test_the_three_west_midlands_icbs_and_their_practice_counts(frames, year) -> None:
    prs = practices(frames[year])
    wm = prs[prs.icb_ods_code.isin(WEST_MIDLANDS_ICBS)]
    found = {code: (g.icb_name.iloc[0], len(g)) for code, g in wm.groupby("icb_ods_code")}
    assert found == WEST_MIDLANDS_ICBS
    assert set(wm.nhs_region_code) == {"Y60"}  # NHS England Midlands
    assert prs.icb_ods_code.nunique() == 42


def test_west_midlands_icb_practices_lie_in_these_districts(frames, year) -> None:
    prs = practices(frames[year])
    districts = {code: set(prs.loc[prs.icb_ods_code == code, "lad_name"]) for code in WEST_MIDLANDS_ICBS}
    assert districts == {
        "QHL": {"Birmingham", "Solihull", "Walsall"},
        "QUA": {"Birmingham", "Dudley", "Sandwell", "Walsall", "Wolverhampton"},
        "QWU": {
            "Coventry",
            "North Warwickshire",
            "Nuneaton and Bedworth",
            "Rugby",
            "Stratford-on-Avon",
            "Warwick",
        },
    }


def test_birmingham_practices_belong_to_three_icbs(frames, year) -> None:
    prs = practices(frames[year])
    bham = prs[prs.lad_code == BIRMINGHAM]
    assert bham.groupby("icb_ods_code").size().to_dict() == {"QHL": 163, "QRV": 1, "QUA": 1}
    # Babylon GP at Hand's Birmingham site is registered with North West London ICB
    assert bham.loc[bham.icb_ods_code == "QRV", "practice_code"].tolist() == ["Y06487"]
    assert bham.loc[bham.icb_ods_code == "QUA", "practice_name"].tolist() == ["Great Barr Practice"]


def test_walsall_has_one_birmingham_and_solihull_practice(frames, year) -> None:
    prs = practices(frames[year])
    walsall = prs[prs.lad_code == WALSALL]
    assert walsall.groupby("icb_ods_code").size().to_dict() == {"QHL": 1, "QUA": 52}
    qhl = walsall[walsall.icb_ods_code == "QHL"].iloc[0]
    assert (qhl.practice_code, qhl.practice_name) == ("M91642", "Queslett Medical Centre")


def test_each_weighted_component_sums_to_the_registered_total_for_england(frames, year) -> None:
    frame = frames[year]
    totals = frame.groupby("component_code").population.agg(lambda s: sum(Decimal(v) for v in s))
    registered = totals["registered"]
    assert 61_000_000 < registered < 63_000_000  # patients registered with English practices
    for component, total in totals.items():
        assert abs(total / registered - 1) < Decimal("0.005"), component


def test_a_weighted_population_given_as_n_a_is_refused_naming_file_row_and_column(data_2023) -> None:
    bad = edit_practice_line(data_2023, FRANKLEY, b",4604.1091707853,", b",n/a,")
    with pytest.raises(SourceError) as err:
        src.parse(bad, file="corrupted.csv", period="2023-24")
    assert (err.value.row, err.value.column) == (FRANKLEY_ROW, "AB")
    assert str(err.value).startswith(f"nhs_gp_weighted_population: corrupted.csv, row {FRANKLEY_ROW}, column AB:")
    assert "'n/a' is not a population" in str(err.value)


@pytest.mark.parametrize("text", [b"NaN", b"Infinity", b""])
def test_a_weighted_population_that_is_not_a_finite_number_is_refused(data_2023, text: bytes) -> None:
    bad = edit_practice_line(data_2023, FRANKLEY, b",4604.1091707853,", b"," + text + b",")
    with pytest.raises(SourceError) as err:
        src.parse(bad, file="corrupted.csv", period="2023-24")
    assert (err.value.row, err.value.column) == (FRANKLEY_ROW, "AB")


def test_a_negative_population_is_refused(data_2023) -> None:
    bad = edit_practice_line(data_2023, FRANKLEY, b",4604.1091707853,", b",-4604.1091707853,")
    with pytest.raises(SourceError, match=rf"row {FRANKLEY_ROW}, column AB: population .* is negative"):
        src.parse(bad, file="corrupted.csv", period="2023-24")


def test_an_icb_code_that_is_not_an_ods_code_is_refused_naming_row_and_column(data_2023) -> None:
    bad = edit_practice_line(data_2023, FRANKLEY, b",QHL,", b",X99,")
    with pytest.raises(SourceError) as err:
        src.parse(bad, file="corrupted.csv", period="2023-24")
    assert (err.value.row, err.value.column) == (FRANKLEY_ROW, "L")
    assert "ICB code 'X99' is not an ODS code" in str(err.value)


def test_a_district_code_that_is_not_a_gss_code_is_refused(data_2023) -> None:
    bad = edit_practice_line(
        data_2023, FRANKLEY, b",E08000025,Birmingham,E08000025,", b",Birmingham,Birmingham,E08000025,"
    )
    with pytest.raises(SourceError, match=rf"row {FRANKLEY_ROW}, column P: district code 'Birmingham'"):
        src.parse(bad, file="corrupted.csv", period="2023-24")


def test_a_missing_component_column_is_refused(data_2023) -> None:
    bad = data_2023.replace(b",Final PMC WP\n", b",Final PMC\n", 1)
    assert bad != data_2023
    with pytest.raises(SourceError, match="row 1: the header has no 'Final PMC WP' column"):
        src.parse(bad, file="renamed.csv", period="2023-24")


@pytest.mark.parametrize("period", ["2023/24", "2023", "FY24", "2023-2024", ""])
def test_a_period_not_in_the_form_2023_24_is_refused(data_2023, period: str) -> None:
    with pytest.raises(SourceError, match="is not a financial year like 2023-24"):
        src.parse(data_2023, file=FILES["2023-24"], period=period)
