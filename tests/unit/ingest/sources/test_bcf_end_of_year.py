"""bcf_end_of_year: the real BCF 2022-23 end-of-year planned expenditure (the Health Foundation's extract).

Check values from ../shared/data/README.md, section bcf/.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import bcf_end_of_year as src
from tests.paths import PROJECT_ROOT

FILE = PROJECT_ROOT / (
    "ingest/snapshots/bcf_end_of_year/bcf_eoy_2022-23_planned_expenditure_bedbased_reablement_hf.csv"
)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return src.parse(FILE.read_bytes(), file=FILE.name, period="2022-23")


def _amount(frame: pd.DataFrame, code: str | None, scheme: str) -> Decimal | None:
    rows = frame[
        (frame["scheme_type"] == scheme) & (frame["hwb_code"] == code if code else frame["row_kind"] == "total")
    ]
    (value,) = rows["planned_spend_gbp"].tolist()
    return None if value is None or pd.isna(value) else Decimal(value)


def test_only_the_publishers_columns_are_loaded(frame) -> None:
    assert list(frame.columns) == list(src.COLUMNS)
    assert len(frame) == 152 * 2  # 151 boards and the Total, two scheme types each


@pytest.mark.parametrize(
    ("code", "bed_based", "reablement"),
    [
        ("E08000025", "12928140", "18015178"),  # Birmingham
        ("E08000026", "1336397", "872526"),  # Coventry
        ("E08000030", "2393516.33", "1746589.48"),  # Walsall, stored with long fractions
        ("E08000031", "8471467", "1265000"),  # Wolverhampton
        (None, "624155185.28", "579656507.75"),  # the Total row
    ],
)
def test_the_published_check_values(frame, code, bed_based, reablement) -> None:
    assert _amount(frame, code, "bed_based_intermediate_care") == Decimal(bed_based)
    assert _amount(frame, code, "reablement_at_home") == Decimal(reablement)


def test_na_is_not_available_never_zero(frame) -> None:
    missing = frame[frame["value_status"] == "not_available"]
    assert missing.groupby("scheme_type").size().to_dict() == {
        "bed_based_intermediate_care": 29,
        "reablement_at_home": 12,
    }
    assert missing["planned_spend_gbp"].isna().all() and set(missing["value_text"]) == {"NA"}


def test_a_board_that_no_longer_adds_up_to_the_total_is_refused_naming_the_cell() -> None:
    text = FILE.read_text(encoding="utf-8").replace(",Birmingham,12928140,", ",Birmingham,12938140,")
    with pytest.raises(SourceError, match=r"row 153, column C.*Total row .* is not the sum of the boards"):
        src.parse(text.encode(), file=FILE.name, period="2022-23")


def test_a_row_that_is_neither_a_board_nor_the_total_is_refused() -> None:
    text = FILE.read_text(encoding="utf-8").replace("E08000025,Birmingham", "Brum,Birmingham")
    with pytest.raises(SourceError, match=r"row 83, column A: 'Brum' is neither"):
        src.parse(text.encode(), file=FILE.name, period="2022-23")
