"""ons_mid_year_estimates: ONS's MYE4 time series (2023 edition) and the mid-2024 MYE2 persons CSV.

Check values are the ones ../shared/data/README.md gives for the files."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import ons_mid_year_estimates as src
from tests.paths import SNAPSHOTS_DIR

SNAPSHOTS = SNAPSHOTS_DIR / "ons_mid_year_estimates"
MYE23 = SNAPSHOTS / "mye23tablesew.xlsx"
MYE24 = SNAPSHOTS / "mye24tablesew_MYE2_persons.csv"
WMCA = [f"E080000{n}" for n in range(25, 32)]


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return src.parse(MYE23.read_bytes(), file=MYE23.name, period="2023")


@pytest.fixture(scope="module")
def mid_2024() -> pd.DataFrame:
    return src.parse(MYE24.read_bytes(), file=MYE24.name, period="2024")


def pop(frame: pd.DataFrame, code: str, year: int) -> int:
    (value,) = frame[(frame.area_code == code) & (frame.mid_year == year)].population
    return int(value)


def test_the_time_series_holds_mid_2011_to_mid_2023_for_every_area(series) -> None:
    assert list(series.columns) == list(src.COLUMNS)
    assert sorted(series.mid_year.unique()) == list(range(2011, 2024))
    assert series.groupby("mid_year").area_code.nunique().eq(357).all()
    assert (series.edition_year == 2023).all() and (series.sheet_name == "MYE4").all()


@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        ("E92000001", 2023, 57_690_323),
        ("E92000001", 2022, 57_112_542),
        ("E92000001", 2011, 53_107_169),
        ("E08000025", 2023, 1_166_049),
        ("E08000025", 2022, 1_154_221),  # the mid-2023 edition's revision of mid-2022
        ("E08000025", 2021, 1_143_285),
        ("E08000026", 2023, 360_702),
    ],
)
def test_the_time_series_gives_onss_published_estimates(series, code, year, expected) -> None:
    assert pop(series, code, year) == expected


def test_the_english_districts_add_up_to_england_and_the_seven_to_the_met_county(series) -> None:
    districts = series[series.area_code.str.match(r"^E0[6-9]")]
    assert districts.area_code.nunique() == 296
    assert (districts.groupby("mid_year").population.sum() == series[series.area_code == "E92000001"]
            .set_index("mid_year").population).all()  # fmt: skip
    assert sum(pop(series, c, 2023) for c in WMCA) == 2_980_936 == pop(series, "E11000005", 2023)


def test_the_mid_2024_csv_is_one_year_named_by_its_edition(mid_2024) -> None:
    assert set(mid_2024.mid_year) == {2024}
    assert pop(mid_2024, "E08000025", 2024) == 1_183_618
    assert pop(mid_2024, "E92000001", 2024) == 58_620_101
    assert sum(pop(mid_2024, c, 2024) for c in WMCA) == 3_036_605


def test_a_time_series_whose_latest_year_is_not_the_edition_is_refused() -> None:
    with pytest.raises(SourceError, match="the latest year is mid-2023 but the catalogue loads this file as the 2024"):
        src.parse(MYE23.read_bytes(), file=MYE23.name, period="2024")


def test_a_count_that_is_not_a_whole_number_of_people_is_refused_naming_sheet_row_and_column() -> None:
    wb = openpyxl.load_workbook(MYE23)
    ws = wb["MYE4"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "E08000025")
    ws.cell(row, 4).value = "1,166,049.5"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SourceError, match=rf"sheet 'MYE4'\), row {row}, column D: '1,166,049.5' is not a count"):
        src.parse(out.getvalue(), file=MYE23.name, period="2023")


def test_a_csv_with_a_bad_area_code_is_refused_naming_its_row() -> None:
    text = MYE24.read_bytes().replace(b"E08000025,Birmingham", b"E0800002X,Birmingham")
    with pytest.raises(SourceError, match=r"row \d+, column A: 'E0800002X' is not a GSS area code"):
        src.parse(text, file=MYE24.name, period="2024")
