"""hmt_gdp_deflators: HM Treasury's December 2023 edition as published, and bad copies of it.

Check values are the ones ../shared/data/README.md gives for the file."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import hmt_gdp_deflators as src
from tests.paths import SNAPSHOTS_DIR

FILE = SNAPSHOTS_DIR / "hmt_gdp_deflators" / "GDP_Deflators_Qtrly_National_Accounts_December_2023_update.csv"


@pytest.fixture(scope="module")
def deflators() -> pd.DataFrame:
    return src.parse(FILE.read_bytes(), file=FILE.name, period="2023-12")


def index(frame: pd.DataFrame, year: str) -> pd.Series:
    return frame.set_index("financial_year").loc[year]


def test_frame_has_exactly_the_declared_columns(deflators) -> None:
    assert list(deflators.columns) == list(src.COLUMNS)


@pytest.mark.parametrize(("year", "expected"), [("2019-20", "89.527"), ("2020-21", "94.403"), ("2021-22", "93.629")])
def test_outturn_indices_are_the_published_check_values(deflators, year, expected) -> None:
    row = index(deflators, year)
    assert Decimal(row.deflator_index) == Decimal(expected)
    assert (row.index_basis, bool(row.is_forecast)) == ("published", False)


def test_the_edition_base_year_and_outturn_date_are_data(deflators) -> None:
    assert set(deflators.edition) == {"2023-12"}
    assert set(deflators.base_year) == {"2022-23"}
    assert set(deflators.outturn_as_at_date) == {"2023-12-22"}
    assert Decimal(index(deflators, "2022-23").deflator_index) == 100
    assert index(deflators, "2022-23").money_gdp_gbp_m == "2552763"
    assert deflators.financial_year.iloc[0] == "1955-56" and deflators.financial_year.iloc[-1] == "2028-29"


def test_forecast_years_are_chained_from_the_last_outturn_by_the_growth_rates(deflators) -> None:
    growth = {"2023-24": Decimal("6.10"), "2024-25": Decimal("1.68"), "2025-26": Decimal("1.71")}
    level = Decimal(100)
    for year, rate in growth.items():
        level *= 1 + rate / 100
        row = index(deflators, year)
        assert Decimal(row.growth_pct) == rate
        assert abs(Decimal(row.deflator_index) - level) < Decimal("0.000001")
        assert (row.index_basis, bool(row.is_forecast)) == ("chained", True)
    assert deflators[deflators.is_forecast].financial_year.min() == "2023-24"


def edited(old: bytes, new: bytes) -> bytes:
    data = FILE.read_bytes()
    assert old in data
    return data.replace(old, new, 1)


def test_an_edition_without_the_base_year_is_refused_naming_the_cell() -> None:
    with pytest.raises(SourceError, match="states no base year") as caught:
        src.parse(edited(b"2022-23 = 100", b"Index"), file=FILE.name, period="2023-12")
    assert (caught.value.row, caught.value.column) == (7, "C")


def test_an_outturn_index_that_does_not_follow_its_growth_rate_is_refused() -> None:
    with pytest.raises(SourceError, match="does not follow") as caught:
        src.parse(edited(b",2021-22,93.629,", b",2021-22,95.629,"), file=FILE.name, period="2023-12")
    assert caught.value.column == "C"


def test_a_year_in_another_form_is_refused() -> None:
    with pytest.raises(SourceError, match="not a financial year"):
        src.parse(edited(b",2019-20,89.527", b",2019/20,89.527"), file=FILE.name, period="2023-12")


def test_a_period_that_is_not_an_edition_is_refused() -> None:
    with pytest.raises(SourceError, match="not an edition"):
        src.parse(FILE.read_bytes(), file=FILE.name, period="2023-24")
