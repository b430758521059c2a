"""fingertips: the OHID Fingertips API CSV, parsed from the bundled SYNTHETIC sample.

No real export is held: the sample is generated in the API's format by
tests/fixtures/fingertips/make_synthetic_sample.py, so these tests check layout and behaviour,
never published figures.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.errors import SourceError
from ingest.sources import fingertips

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "ingest" / "snapshots" / "fingertips" / "fingertips_all_data_SYNTHETIC.csv"
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
