"""oflog_asc: the Oflog adult social care measures, parsed from the real bundled file."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import oflog_asc
from tests.paths import SNAPSHOTS_DIR

SNAPSHOT = SNAPSHOTS_DIR / "oflog_asc" / "oflog_adult_social_care.csv"
FILE = SNAPSHOT.name
# The start of file row 86 (Birmingham, ASC1, 2016-17), up to its Value cell.
BIRMINGHAM_ASC1_2016_17 = (
    b"2016-17,E08000025,Birmingham,LA_Raw,Metropolitan Districts,West Midlands,"
    + b'"Outcome, ASC Carer Quality of Life",ASC1,'
)


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes) -> pd.DataFrame:
    return oflog_asc.parse(data, file=FILE, period="all")


def one(frame: pd.DataFrame, year: str, code: str, measure: str) -> pd.Series:
    rows = frame[(frame.financial_year == year) & (frame.la_code == code) & (frame.measure_code == measure)]
    assert len(rows) == 1
    return rows.iloc[0]


def corrupt(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1
    return data.replace(old, new)


def test_frame_has_exactly_the_declared_columns(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(oflog_asc.COLUMNS)


def test_every_row_of_the_file_becomes_one_row(frame: pd.DataFrame) -> None:
    assert len(frame) == 6376
    assert frame._source_row.tolist() == list(range(2, 6378))


def test_real_measure_codes_and_years(frame: pd.DataFrame) -> None:
    assert sorted(frame.measure_code.unique()) == ["ASC1", "ASC2", "ASC3", "ASC4", "ASC5", "ASC6", "ASC7"]
    assert sorted(frame.financial_year.unique()) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2015, 2023)]
    # carers' measures come from the biennial carers' survey
    assert sorted(frame[frame.measure_code == "ASC1"].financial_year.unique()) == ["2016-17", "2018-19", "2021-22"]


def test_birmingham_carer_quality_of_life_2016_17_is_7(frame: pd.DataFrame) -> None:
    row = one(frame, "2016-17", "E08000025", "ASC1")
    assert row.la_name == "Birmingham"
    assert row.measure_name == "Outcome, ASC Carer Quality of Life"
    assert row.value == "7"
    assert row.value_status == "published"
    assert row.median_value == "7.6"
    assert row.mads_from_median == "-2"
    assert row.rank_order == "desc"
    assert row.region == "West Midlands"
    assert row.entity_name == "Metropolitan Districts"
    assert row._source_row == 86


def test_full_precision_is_kept_as_published(frame: pd.DataFrame) -> None:
    row = one(frame, "2022-23", "E08000025", "ASC6")
    assert row.value == "1734.594233437837"
    assert row.value_text == "1734.594233437837"
    assert row.median_value == "1695.266068066904"
    assert row.rank_order == "None"  # the publisher's text, not a missing value


def test_blank_value_is_not_published_not_zero(frame: pd.DataFrame) -> None:
    blanks = frame[frame.value_status == "blank"]
    assert len(blanks) == 298
    assert blanks.value.isna().all()
    assert (blanks.value_text == "").all()
    assert blanks.mads_from_median.isna().all()
    assert blanks.rank_order.isna().all()
    scilly = one(frame, "2016-17", "E06000053", "ASC1")
    assert scilly.value_status == "blank"
    assert pd.isna(scilly.value)
    assert scilly.median_value == "7.6"  # the England median is still published


def test_reorganised_councils_keep_each_code(frame: pd.DataFrame) -> None:
    dorset = frame[frame.la_name == "Dorset"].groupby("la_code").financial_year.min().to_dict()
    assert dorset == {"E10000009": "2015-16", "E06000059": "2019-20"}


def test_frame_casts_to_the_declared_duckdb_types(frame: pd.DataFrame) -> None:
    con = duckdb.connect()
    con.register("frame", frame)
    select = ", ".join(f'cast(frame."{n}" as {t}) as "{n}"' for n, t in oflog_asc.COLUMNS.items())
    value, median = con.execute(
        f"select value, median_value from (select {select} from frame) "
        "where la_code = 'E08000025' and measure_code = 'ASC1' and financial_year = '2016-17'"
    ).fetchone()
    assert (value, median) == (7.0, 7.6)


def test_a_financial_year_partition_must_match_every_row(data: bytes) -> None:
    with pytest.raises(SourceError, match=r"row 2, column A: row is for 2016-17, not the period 2015-16"):
        oflog_asc.parse(data, file=FILE, period="2015-16")


def test_unknown_period_label_is_rejected(data: bytes) -> None:
    with pytest.raises(SourceError, match="period '2015-16_to_2022-23'"):
        oflog_asc.parse(data, file=FILE, period="2015-16_to_2022-23")


def test_value_that_is_not_a_number_names_file_row_and_column(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_ASC1_2016_17 + b"7,7.6,", BIRMINGHAM_ASC1_2016_17 + b"seven,7.6,")
    with pytest.raises(SourceError) as exc:
        oflog_asc.parse(bad, file=FILE, period="all")
    assert str(exc.value).startswith(f"oflog_asc: {FILE}, row 86, column I:")
    assert "'seven' is not a number" in str(exc.value)


def test_malformed_financial_year_is_rejected(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_ASC1_2016_17, b"2016-18" + BIRMINGHAM_ASC1_2016_17[7:])
    with pytest.raises(SourceError, match=r"row 86, column A: financial year '2016-18'"):
        oflog_asc.parse(bad, file=FILE, period="all")


def test_unknown_authority_code_format_is_rejected(data: bytes) -> None:
    bad = corrupt(data, BIRMINGHAM_ASC1_2016_17, BIRMINGHAM_ASC1_2016_17.replace(b"E08000025", b"Birmingham"))
    with pytest.raises(SourceError, match=r"row 86, column B: local authority code 'Birmingham'"):
        oflog_asc.parse(bad, file=FILE, period="all")


def test_missing_required_column_names_it(data: bytes) -> None:
    bad = corrupt(data, b",MEDIAN,", b",MEAN,")
    with pytest.raises(SourceError, match=r"row 1: missing required column 'MEDIAN'"):
        oflog_asc.parse(bad, file=FILE, period="all")


def test_columns_are_found_by_name_when_reordered() -> None:
    text = (
        "Code,Value,Financial year,Local authority code,Local authority name,Grouping,Entity_Name,Region,"
        "Measure,MEDIAN,MADs_from_median,rank_order\r\n"
        "ASC1,7,2016-17,E08000025,Birmingham,LA_Raw,Metropolitan Districts,West Midlands,"
        '"Outcome, ASC Carer Quality of Life",7.6,-2,desc\r\n'
    )
    frame = oflog_asc.parse(text.encode("utf-8-sig"), file="reordered.csv", period="all")
    assert frame.iloc[0][["measure_code", "value", "la_code"]].tolist() == ["ASC1", "7", "E08000025"]
