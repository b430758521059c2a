"""ascof: the ASCOF measures CSV, parsed from the bundled SYNTHETIC sample in the publisher's layout.

No real ASCOF file is held: the sample's figures are made up (see the catalogue), so these tests
check the parser's behaviour on the publisher's layout, not published values.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import ascof
from tests.paths import PROJECT_ROOT

SNAPSHOT = PROJECT_ROOT / "tests" / "fixtures" / "ascof" / "ASCOF_measures_2023-24_SYNTHETIC.csv"
FILE = SNAPSHOT.name
BIRMINGHAM_2C_OUTCOME = b"406,Birmingham,Local authority,E08000025,2C,Total,Outcome,560.2"  # file row 28
HEADER = (
    "Geographical code,Geographical description,Geographical level,ONS code,ASCOF measure code,"
    "Disaggregation level,Measure type,Measure value"
)


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes) -> pd.DataFrame:
    return ascof.parse(data, file=FILE, period="2023-24")


def one(frame: pd.DataFrame, area: str, measure: str, measure_type: str) -> pd.Series:
    rows = frame[(frame.area_code == area) & (frame.measure_code == measure) & (frame.measure_type == measure_type)]
    assert len(rows) == 1
    return rows.iloc[0]


def corrupt(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def parse_text(text: str, *, period: str = "2023-24") -> pd.DataFrame:
    return ascof.parse(text.encode("utf-8-sig"), file="variant.csv", period=period)


def test_frame_has_exactly_the_declared_columns(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(ascof.COLUMNS)


def test_every_row_of_the_file_becomes_one_row(frame: pd.DataFrame) -> None:
    # England, the West Midlands region and seven councils; 1A outcome plus three parts of 2B, 2C, 2D
    assert len(frame) == 9 * 10
    assert frame._source_row.tolist() == list(range(2, 92))


def test_areas_keep_their_published_codes(frame: pd.DataFrame) -> None:
    areas = frame.drop_duplicates("area_code").set_index("area_code")
    assert areas.loc["E92000001", "geographical_code"] == "England"
    assert areas.loc["E12000005", "geographical_level"] == "Regional"
    # councils' Geographical code is their CASSR code (taken from the real ASC-FR file)
    assert areas.loc["E08000025", ["geographical_code", "geographical_description"]].tolist() == ["406", "Birmingham"]
    assert areas.loc["E08000031", "geographical_code"] == "412"
    assert sorted(frame.measure_code.unique()) == ["1A", "2B", "2C", "2D"]
    assert set(frame.disaggregation_level) == {"Total"}


def test_birmingham_admissions_65_plus_outcome_is_numerator_over_denominator(frame: pd.DataFrame) -> None:
    outcome = one(frame, "E08000025", "2C", "Outcome")
    numerator = Decimal(one(frame, "E08000025", "2C", "Numerator").value)
    denominator = Decimal(one(frame, "E08000025", "2C", "Denominator").value)
    assert (outcome.value, outcome.value_status, outcome._source_row) == ("560.2", "published", 28)
    assert abs(numerator / denominator * 100_000 - Decimal(outcome.value)) <= Decimal("0.1")


def test_suppressed_and_not_applicable_cells_are_not_available_not_zero(frame: pd.DataFrame) -> None:
    suppressed = one(frame, "E08000029", "2B", "Numerator")
    not_applicable = one(frame, "E08000030", "2D", "Outcome")
    assert (suppressed.value_status, suppressed.value_text) == ("not_available", "[c]")
    assert (not_applicable.value_status, not_applicable.value_text) == ("not_available", "[z]")
    assert pd.isna(suppressed.value) and pd.isna(not_applicable.value)
    assert one(frame, "E08000029", "2B", "Denominator").value_status == "published"


def test_frame_casts_to_the_declared_duckdb_types(frame: pd.DataFrame) -> None:
    con = duckdb.connect()
    con.register("frame", frame)
    select = ", ".join(f'cast(frame."{n}" as {t}) as "{n}"' for n, t in ascof.COLUMNS.items())
    got = con.execute(
        f"select value from (select {select} from frame) "
        "where area_code = 'E08000025' and measure_code = '2C' and measure_type = 'Outcome'"
    ).fetchone()
    assert got == (560.2,)


def test_title_case_headings_ons_area_code_and_measure_group_columns_are_accepted() -> None:
    frame = parse_text(
        "Geographical Code,Geographical Description,Geographical Level,ONS Area Code,ASCOF Measure Code,"
        "Disaggregation Level,Measure Type,Measure Value,Measure Group,Measure Group Description\r\n"
        "406,Birmingham,Council,E08000025,1A,Total,Outcome,18.5,1A,Social care-related quality of life\r\n"
    )
    assert frame.iloc[0][["area_code", "measure_code", "value", "geographical_level"]].tolist() == [
        "E08000025",
        "1A",
        "18.5",
        "Council",
    ]


def test_columns_are_found_by_name_when_reordered() -> None:
    frame = parse_text(
        "Measure value,Measure type,ONS code,ASCOF measure code,Geographical code,Geographical description,"
        "Geographical level,Disaggregation level\r\n"
        "14.0,Outcome,E08000025,2B,406,Birmingham,Local authority,Total\r\n"
    )
    assert frame.iloc[0][["value", "measure_type", "area_code", "geographical_code"]].tolist() == [
        "14.0",
        "Outcome",
        "E08000025",
        "406",
    ]


def test_council_type_rows_may_have_no_ons_code() -> None:
    frame = parse_text(f"{HEADER}\r\nMD,Metropolitan districts,Council type,,1A,Total,Outcome,18.9\r\n")
    assert frame.iloc[0].area_code is None


def test_a_council_without_a_gss_code_names_file_row_and_column(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_2C_OUTCOME, BIRMINGHAM_2C_OUTCOME.replace(b"E08000025", b"Birmingham"))
    with pytest.raises(SourceError) as exc:
        ascof.parse(bad, file=FILE, period="2023-24")
    assert str(exc.value).startswith(f"ascof: {FILE}, row 28, column D: ONS code 'Birmingham'")


def test_unknown_measure_type_names_file_row_and_column(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_2C_OUTCOME, BIRMINGHAM_2C_OUTCOME.replace(b"Outcome", b"Rate"))
    with pytest.raises(SourceError, match=rf"^ascof: {FILE}, row 28, column G: measure type 'Rate' is not one of"):
        ascof.parse(bad, file=FILE, period="2023-24")


def test_value_that_is_not_a_number_names_file_row_and_column(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_2C_OUTCOME, BIRMINGHAM_2C_OUTCOME.replace(b"560.2", b"about 560"))
    with pytest.raises(SourceError, match=rf"^ascof: {FILE}, row 28, column H: 'about 560' is not a number"):
        ascof.parse(bad, file=FILE, period="2023-24")


def test_malformed_measure_code_is_rejected(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_2C_OUTCOME, BIRMINGHAM_2C_OUTCOME.replace(b",2C,", b",ASC6,"))
    with pytest.raises(SourceError, match=r"row 28, column E: ASCOF measure code 'ASC6'"):
        ascof.parse(bad, file=FILE, period="2023-24")


def test_missing_required_column_names_it(data: bytes) -> None:
    bad = corrupt(data, b",Disaggregation level,", b",Breakdown,")
    with pytest.raises(SourceError, match=r"row 1: missing required column 'Disaggregation level'"):
        ascof.parse(bad, file=FILE, period="2023-24")


@pytest.mark.parametrize("period", ["2023", "2023/24", "2023-25", "all"])
def test_period_must_be_a_financial_year_because_the_file_has_no_year_column(data: bytes, period: str) -> None:
    with pytest.raises(SourceError, match=rf"^ascof: {FILE}: period '{period}' is not a financial year"):
        ascof.parse(data, file=FILE, period=period)
