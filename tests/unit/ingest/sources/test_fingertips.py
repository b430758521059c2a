"""fingertips: the OHID Fingertips API CSV (live mode), and the real values republished by Trafford
Data Lab (the bundled snapshot).

No export in the API's layout is held: the API tests use a SYNTHETIC fixture generated in its
format by tests/fixtures/fingertips/make_synthetic_sample.py, so they check layout and behaviour,
never published figures. The republished files are real: their tests check published values.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from datetime import date

import duckdb
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import fingertips
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
SNAPSHOT = ROOT / "tests" / "fixtures" / "fingertips" / "fingertips_all_data_SYNTHETIC.csv"
GENERATOR = ROOT / "tests" / "fixtures" / "fingertips" / "make_synthetic_sample.py"
FILE = SNAPSHOT.name
COUNCILS = [f"E080000{n}" for n in range(25, 32)]


@pytest.fixture(scope="module")
def data() -> bytes:
    return SNAPSHOT.read_bytes()


@pytest.fixture(scope="module")
def frame(data: bytes) -> pd.DataFrame:
    return fingertips.parse(data, file=FILE, period="all")


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def with_cell(data: bytes, heading: str, row: int, text: str) -> bytes:
    """The sample with one cell replaced (``row`` is the 1-based line as a spreadsheet shows it)."""
    rows = rows_of(data)
    rows[row - 1][rows[0].index(heading)] = text
    return csv_bytes(rows)


def test_snapshot_is_what_the_generator_writes(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_synthetic_sample", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.build() == data


def test_sample_is_in_the_api_layout(data: bytes) -> None:
    header = data.split(b"\r\n", 1)[0].decode()
    assert header.split(",") == [
        "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
        "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
        "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
        "Count", "Denominator", "Value note", "Recent Trend", "Compared to England value or percentiles",
        "Compared to Region value or percentiles", "Time period Sortable", "New data", "Compared to goal",
        "Time period range",
    ]  # fmt: skip
    assert all(len(r) == 27 for r in rows_of(data))


def test_frame_has_exactly_the_declared_columns(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(fingertips.COLUMNS)


def test_sample_covers_three_indicators_nine_areas(frame: pd.DataFrame) -> None:
    assert len(frame) == 9 * (2 * 4 + 2 * 4 + 3)
    assert frame.groupby("indicator_id").size().to_dict() == {90362: 72, 90366: 72, 93721: 27}
    assert sorted(frame.area_code.unique()) == sorted(["E92000001", "E12000005", *COUNCILS])
    assert frame._source_row.tolist() == list(range(2, 2 + len(frame)))


def test_rows_keep_the_published_labels(frame: pd.DataFrame) -> None:
    row = frame[(frame.area_code == "E08000025") & (frame.indicator_id == 93721) & (frame.time_period == "2022")]
    row = row.iloc[0]
    assert row.indicator_name == "Under 75 mortality rate from causes considered preventable (2019 definition)"
    assert (row.parent_code, row.parent_name) == ("E12000005", "West Midlands region")
    assert (row.area_name, row.area_type) == ("Birmingham", "Counties & UAs (from Apr 2023)")
    assert (row.sex, row.age) == ("Persons", "<75 yrs")
    assert row.time_period_sortable == 20220000
    assert (row.period_start_date, row.period_end_date) == ("2022-01-01", "2022-12-31")
    assert row.value_status == "published"
    assert pd.notna(row["count"]) and pd.notna(row.denominator)


def test_empty_strings_are_missing_not_zero(frame: pd.DataFrame) -> None:
    england = frame[(frame.area_code == "E92000001") & (frame.indicator_id == 90366)].iloc[0]
    assert england[["parent_code", "parent_name", "category_type", "value_note"]].isna().all()
    assert england[["count", "denominator"]].isna().all()  # life expectancy has no count
    assert england.compared_to_england == "Not compared"


def test_blank_value_is_not_published_not_zero(data: bytes) -> None:
    frame = fingertips.parse(with_cell(data, "Value", 4, ""), file=FILE, period="all")
    row = frame[frame._source_row == 4].iloc[0]
    assert pd.isna(row.value)
    assert row.value_status == "blank"
    assert row.value_text == ""


def test_three_year_period_gets_its_dates(frame: pd.DataFrame) -> None:
    row = frame[frame.time_period == "2021 - 23"].iloc[0]
    assert (row.period_start_date, row.period_end_date, row.time_period_sortable) == (
        "2021-01-01",
        "2023-12-31",
        20210000,
    )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2021 - 23", date(2021, 1, 1), date(2023, 12, 31)),
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2011/12", date(2011, 4, 1), date(2012, 3, 31)),
        ("2016/17 - 20/21", date(2016, 4, 1), date(2021, 3, 31)),
        ("1998 - 02", date(1998, 1, 1), date(2002, 12, 31)),
    ],
)
def test_time_period_text_gives_first_and_last_day(text: str, start: date, end: date) -> None:
    assert fingertips.period_dates(text) == (start, end)


@pytest.mark.parametrize("text", ["2021-23", "2011/13", "2022/23 Q1", "2021 - 21", "Jan 2022", ""])
def test_other_time_period_forms_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        fingertips.period_dates(text)


def test_unknown_time_period_names_row_and_column(data: bytes) -> None:
    bad = with_cell(data, "Time period", 5, "2022/23 Q1")
    with pytest.raises(SourceError) as exc:
        fingertips.parse(bad, file=FILE, period="all")
    assert str(exc.value).startswith(f"fingertips: {FILE}, row 5, column L: time period '2022/23 Q1'")


def test_sortable_period_must_start_in_the_period_year(data: bytes) -> None:
    bad = with_cell(data, "Time period Sortable", 5, "20190000")
    with pytest.raises(SourceError, match=r"row 5, column X: time period sortable '20190000'"):
        fingertips.parse(bad, file=FILE, period="all")


def test_value_that_is_not_a_number_names_row_and_column(data: bytes) -> None:
    bad = with_cell(data, "Upper CI 95.0 limit", 7, "high")
    with pytest.raises(SourceError, match=r"row 7, column O: 'high' is not a number"):
        fingertips.parse(bad, file=FILE, period="all")


def test_header_without_time_period_range_still_parses(data: bytes, frame: pd.DataFrame) -> None:
    older = [r[:26] for r in rows_of(data)]
    assert older[0][-1] == "Compared to goal"
    parsed = fingertips.parse(csv_bytes(older), file="older.csv", period="all")
    pd.testing.assert_frame_equal(parsed, frame)


def test_parent_type_variant_of_the_comparison_column_parses(data: bytes, frame: pd.DataFrame) -> None:
    rows = rows_of(data)
    rows[0][22] = "Compared to percentiles"
    parsed = fingertips.parse(csv_bytes(rows), file="percentiles.csv", period="all")
    pd.testing.assert_frame_equal(parsed, frame)


def test_columns_are_found_by_name_when_reordered(data: bytes, frame: pd.DataFrame) -> None:
    rows = rows_of(data)
    order = list(reversed(range(len(rows[0]))))
    parsed = fingertips.parse(csv_bytes([[r[j] for j in order] for r in rows]), file="reversed.csv", period="all")
    pd.testing.assert_frame_equal(parsed, frame)


def test_byte_order_mark_is_tolerated(data: bytes, frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(fingertips.parse(b"\xef\xbb\xbf" + data, file=FILE, period="all"), frame)


@pytest.mark.parametrize("heading", ["Area Code", "Time period Sortable", "Compared to England value or percentiles"])
def test_missing_required_column_names_it(data: bytes, heading: str) -> None:
    rows = rows_of(data)
    rows[0][rows[0].index(heading)] = "Something else"
    with pytest.raises(SourceError, match=rf"row 1: missing required column '{heading}'"):
        fingertips.parse(csv_bytes(rows), file=FILE, period="all")


def test_unknown_area_code_format_is_rejected(data: bytes) -> None:
    bad = with_cell(data, "Area Code", 3, "Birmingham")
    with pytest.raises(SourceError, match=r"row 3, column E: area code 'Birmingham'"):
        fingertips.parse(bad, file=FILE, period="all")


def test_period_other_than_all_is_rejected(data: bytes) -> None:
    with pytest.raises(SourceError, match="expected period 'all', got '2021-22'"):
        fingertips.parse(data, file=FILE, period="2021-22")


def test_frame_casts_to_the_declared_duckdb_types(frame: pd.DataFrame) -> None:
    con = duckdb.connect()
    con.register("frame", frame)
    select = ", ".join(f'cast(frame."{n}" as {t}) as "{n}"' for n, t in fingertips.COLUMNS.items())
    start, end, indicator, count = con.execute(
        f"select period_start_date, period_end_date, indicator_id, count from (select {select} from frame) "
        "where indicator_id = 93721 and area_code = 'E92000001' and time_period = '2023'"
    ).fetchone()
    assert (start, end, indicator) == (date(2023, 1, 1), date(2023, 12, 31), 93721)
    assert count > 0


# ---- the bundled snapshot: real values in Trafford Data Lab's layout ------------------------------
TRAFFORD = ROOT / "ingest" / "snapshots" / "fingertips"
TRAFFORD_FILES = {
    "90366": TRAFFORD / "trafforddatalab_life_expectancy.csv",
    "90362": TRAFFORD / "trafforddatalab_healthy_life_expectancy.csv",
    "93721": TRAFFORD / "trafforddatalab_mortality_rate.csv",
}


def trafford(indicator: str) -> pd.DataFrame:
    path = TRAFFORD_FILES[indicator]
    return fingertips.parse(path.read_bytes(), file=path.name, period=indicator)


def value_of(frame: pd.DataFrame, area: str, period: str, sex: str) -> str:
    (value,) = frame[(frame.area_code == area) & (frame.time_period == period) & (frame.sex == sex)].value
    return value


@pytest.mark.parametrize(
    ("indicator", "area", "period", "sex", "expected"),
    [
        ("90366", "E08000025", "2023 - 25", "Male", "77.1"),
        ("90366", "E08000025", "2023 - 25", "Female", "82"),
        ("90366", "E92000001", "2023 - 25", "Female", "83.5"),
        ("90362", "E08000025", "2022 - 24", "Male", "58.3"),
        ("90362", "E92000001", "2022 - 24", "Female", "61.3"),
        ("93721", "E08000025", "2024", "Persons", "180.3"),
        ("93721", "E08000025", "2024", "Male", "241.3"),
        ("93721", "E92000001", "2024", "Persons", "145.8"),
    ],
)
def test_the_republished_files_give_the_check_values(indicator, area, period, sex, expected) -> None:
    frame = trafford(indicator)
    assert list(frame.columns) == list(fingertips.COLUMNS)
    assert float(value_of(frame, area, period, sex)) == float(expected)
    assert set(frame.indicator_id) == {int(indicator)}


def test_the_republished_birmingham_life_expectancy_series_is_read_whole() -> None:
    frame = trafford("90366")
    male = frame[(frame.area_code == "E08000025") & (frame.sex == "Male")].sort_values("period_start_date")
    assert [float(v) for v in male.value] == [77.6, 77.8, 78, 77.3, 76.6, 76.3, 76.6, 77.1, 77.1]
    assert set(male.age) == {"All ages"} and (male.lower_ci_95.isna()).all()
    assert male.value_note.str.contains("rounded to 1 decimal place").all()


def test_na_in_a_republished_file_is_not_available_never_zero() -> None:
    frame = trafford("90362")
    missing = frame[frame.value_status == "not_available"]
    assert len(missing) > 0 and missing.value.isna().all() and set(missing.value_text) == {"NA"}


def test_a_republished_file_loaded_as_another_indicator_is_refused() -> None:
    path = TRAFFORD_FILES["90366"]
    with pytest.raises(SourceError, match=r"row 2, column E: indicator 'Life expectancy at birth' is Fingertips 90366"):
        fingertips.parse(path.read_bytes(), file=path.name, period="90362")


def test_a_bad_republished_value_is_refused_naming_file_row_and_column() -> None:
    path = TRAFFORD_FILES["93721"]
    data = path.read_bytes().replace(b",Male,196.5,", b",Male,19x.5,", 1)
    with pytest.raises(
        SourceError, match=r"trafforddatalab_mortality_rate.csv, row 2, column H: '19x.5' is not a number"
    ):
        fingertips.parse(data, file=path.name, period="93721")
