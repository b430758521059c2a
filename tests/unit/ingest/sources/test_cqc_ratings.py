"""cqc_ratings: CQC's Latest ratings workbook, parsed from the bundled SYNTHETIC sample.

No real CQC file is held: the sample's locations and ratings are made up (see the catalogue), so
these tests check the parser's behaviour on the publisher's layout, not published ratings.
"""

from __future__ import annotations

import csv
import io

import duckdb
import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sources import cqc_ratings
from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
SNAPSHOT = ROOT / "ingest" / "snapshots" / "cqc_ratings" / "01_April_2024_Latest_ratings_SYNTHETIC.ods"
SEED = ROOT / "dbt_project" / "seeds" / "cqc_local_authority_names.csv"
FILE = SNAPSHOT.name
HEADER = [
    "Location ID",
    "Location ODS Code",
    "Location Name",
    "Care Home?",
    "Location Type",
    "Location Primary Inspection Category",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location Post Code",
    "Location Local Authority",
    "Location Region",
    "Location NHS Region",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG Name",
    "Service / Population Group",
    "Domain",
    "Latest Rating",
    "Publication Date",
    "Report Type",
    "Inherited Rating (Y/N)",
    "URL",
    "Provider ID",
    "Provider Name",
    "Brand ID",
    "Brand Name",
]


def location(**changes: str) -> list[str]:
    """One data row in the header's order, with cells overridden by heading."""
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Location ID": "1-000000001",
            "Location Name": "Synthetic Care Home 001",
            "Care Home?": "Y",
            "Location Type": "Social Care Org",
            "Location Primary Inspection Category": "Residential social care",
            "Location Local Authority": "Birmingham",
            "Service / Population Group": "Overall",
            "Domain": "Overall",
            "Latest Rating": "Good",
            "Publication Date": "05/03/2024",
            "Provider ID": "1-100000001",
            "Provider Name": "Synthetic Care Provider 001",
        }
    )
    row.update(changes)
    return list(row.values())


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def ods_bytes(rows: list[list[object]]) -> bytes:
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    buffer = io.BytesIO()
    frame.to_excel(buffer, engine="odf", sheet_name="Locations", index=False, header=False)
    return buffer.getvalue()


def parse_csv(rows: list[list[str]], *, period: str = "2024-04") -> pd.DataFrame:
    return cqc_ratings.parse(csv_bytes(rows), file="ratings.csv", period=period)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return cqc_ratings.parse(SNAPSHOT.read_bytes(), file=FILE, period="2024-04")


def test_frame_has_exactly_the_declared_columns(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(cqc_ratings.COLUMNS)


def test_header_is_found_below_the_notice_block(frame: pd.DataFrame) -> None:
    # two notice rows and a blank row above the header (row 4): data start on row 5
    assert frame._source_row.min() == 5
    assert frame._source_row.tolist() == list(range(5, 5 + len(frame)))


def test_one_row_per_location_and_domain(frame: pd.DataFrame) -> None:
    assert frame.location_id.nunique() == 300
    assert len(frame) == 300 * 6
    assert set(frame.domain) == {"Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"}
    assert set(frame.service_population_group) == {"Overall"}
    assert not frame.duplicated(["location_id", "service_population_group", "domain"]).any()


def test_first_location_is_read_with_types(frame: pd.DataFrame) -> None:
    row = frame.iloc[0]
    assert row.location_id == "1-000000001"
    assert row.location_name == "Synthetic Care Home 001"
    assert bool(row.is_care_home) is True
    assert (row.domain, row.latest_rating, row.publication_date) == ("Overall", "Good", "2019-04-08")
    assert (row.provider_id, row.local_authority_name) == ("1-100000001", "Birmingham")


def test_ratings_and_location_types_are_the_known_values(frame: pd.DataFrame) -> None:
    assert set(frame.latest_rating) == set(cqc_ratings.RATINGS)
    assert set(frame.location_type) == {"Social Care Org", "Primary Medical Services"}
    assert not frame[frame.location_type == "Primary Medical Services"].is_care_home.any()


def test_every_local_authority_name_is_in_the_seed(frame: pd.DataFrame) -> None:
    seed = pd.read_csv(SEED, dtype=str)
    assert set(frame.local_authority_name) <= set(seed.cqc_local_authority_name)
    assert seed.set_index("cqc_local_authority_name").loc["Solihull", "area_code"] == "E08000029"


def test_frame_casts_to_the_declared_duckdb_types(frame: pd.DataFrame) -> None:
    con = duckdb.connect()
    con.register("frame", frame)
    select = ", ".join(f'cast(frame."{n}" as {t}) as "{n}"' for n, t in cqc_ratings.COLUMNS.items())
    got = con.execute(
        f"select is_care_home, cast(publication_date as varchar) from (select {select} from frame) limit 1"
    ).fetchone()
    assert got == (True, "2019-04-08")


def test_csv_export_with_header_on_row_1_and_other_spellings() -> None:
    header = [{"Care Home?": "Care home?", "Location Type": "Location Type/Sector"}.get(h, h).upper() for h in HEADER]
    frame = parse_csv([header, location(**{"Care Home?": "N", "Publication Date": "2024-03-05"})])
    assert frame.iloc[0][["is_care_home", "location_type", "publication_date", "_source_row"]].tolist() == [
        False,
        "Social Care Org",
        "2024-03-05",
        2,
    ]


def test_rating_case_is_normalised_to_the_known_spelling() -> None:
    frame = parse_csv([HEADER, location(**{"Latest Rating": "Requires Improvement"})])
    assert frame.iloc[0].latest_rating == "Requires improvement"


def test_unknown_rating_names_file_sheet_row_and_column() -> None:
    data = ods_bytes([["A notice"], [], HEADER, location(), location(**{"Latest Rating": "Excellent"})])
    with pytest.raises(SourceError) as exc:
        cqc_ratings.parse(data, file="ratings.ods", period="2024-04")
    assert str(exc.value).startswith(
        "cqc_ratings: ratings.ods (sheet 'Locations'), row 5, column T: rating 'Excellent'"
    )


def test_header_without_location_local_authority_is_refused() -> None:
    header = [h for h in HEADER if h != "Location Local Authority"]
    with pytest.raises(SourceError, match=r"ratings\.csv, row 1: missing required column 'Location Local Authority'"):
        parse_csv([header, location()[: len(header)]])


def test_sheet_without_a_location_id_header_is_refused() -> None:
    with pytest.raises(SourceError, match=r"no header row with a 'Location ID' column"):
        parse_csv([["Notice"], ["Nothing to see"]])


def test_care_home_flag_other_than_y_or_n_names_row_and_column() -> None:
    with pytest.raises(SourceError, match=r"row 2, column D: 'Care Home\?' is 'Yes', not Y or N"):
        parse_csv([HEADER, location(**{"Care Home?": "Yes"})])


def test_publication_date_that_is_not_a_date_names_row_and_column() -> None:
    with pytest.raises(SourceError, match=r"row 2, column U: publication date '2024-13-01' is not a date"):
        parse_csv([HEADER, location(**{"Publication Date": "2024-13-01"})])


def test_rating_published_after_the_files_month_is_refused() -> None:
    with pytest.raises(SourceError, match=r"row 2, column U: publication date 2024-05-02 is after the file's month"):
        parse_csv([HEADER, location(**{"Publication Date": "02/05/2024"})])


def test_location_id_must_be_a_cqc_id() -> None:
    with pytest.raises(SourceError, match=r"row 2, column A: location id 'RXK01' is not a CQC id"):
        parse_csv([HEADER, location(**{"Location ID": "RXK01"})])


def test_blank_local_authority_is_refused() -> None:
    with pytest.raises(SourceError, match=r"row 2, column K: local authority is blank"):
        parse_csv([HEADER, location(**{"Location Local Authority": ""})])


@pytest.mark.parametrize("period", ["2024-13", "2024", "2023-24", "April 2024"])
def test_period_must_be_a_month(period: str) -> None:
    with pytest.raises(SourceError, match=rf"^cqc_ratings: ratings\.csv: period '{period}' is not a month"):
        parse_csv([HEADER, location()], period=period)
