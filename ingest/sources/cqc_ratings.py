"""Care Quality Commission (CQC) care directory with ratings: the monthly "Latest ratings" ODS.

CQC publishes on the first of each month a workbook of every active location's latest ratings.
Sheet ``Locations`` is long: one row per location x service / population group x domain
(``Overall``, ``Safe``, ``Effective``, ``Caring``, ``Responsive``, ``Well-led``). The header row
starts with ``Location ID`` and may sit below a notice block (CQC has put migration notices
above it), so it is found by content. Headings (compared case-insensitively):

``Location ID, Location ODS Code, Location Name, Care Home?, Location Type, Location Primary
Inspection Category, Location Street Address, Location Address Line 2, Location City, Location
Post Code, Location Local Authority, Location Region, Location NHS Region, Location ONSPD CCG
Code, Location ONSPD CCG, Location Commissioning CCG Code, Location Commissioning CCG Name,
Service / Population Group, Domain, Latest Rating, Publication Date, Report Type, Inherited
Rating (Y/N), URL, Provider ID, Provider Name, Brand ID, Brand Name``

The local authority is a name as CQC writes it (no GSS code): it is kept as published and mapped
to a code through the ``cqc_local_authority_names`` seed, never joined on elsewhere. Ratings must
be one of the known values; a new value is refused (naming the row) rather than passed through.
The partition period is the month of the file (``2024-04``); no rating may be published after it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

import pandas as pd

from core.errors import SourceError
from ingest.sheets import Grid, read_grid
from ingest.sources import source_id
from ingest.sources.shared.columns import columns_by_heading, is_blank_row, norm

ID = source_id(__name__)  # the module's name is the source id
SHEET = "Locations"

COLUMNS: dict[str, str] = {
    "location_id": "VARCHAR",
    "location_name": "VARCHAR",
    "is_care_home": "BOOLEAN",
    "location_type": "VARCHAR",
    "primary_inspection_category": "VARCHAR",
    "local_authority_name": "VARCHAR",
    "service_population_group": "VARCHAR",
    "domain": "VARCHAR",
    "latest_rating": "VARCHAR",
    "publication_date": "DATE",
    "provider_id": "VARCHAR",
    "provider_name": "VARCHAR",
    "_source_row": "INTEGER",
}

# output column -> the publisher's headings for it (any case; the first is the ratings file's,
# later ones the spellings of CQC's other directory files)
HEADINGS: dict[str, tuple[str, ...]] = {
    "location_id": ("Location ID",),
    "location_name": ("Location Name",),
    "is_care_home": ("Care Home?",),
    "location_type": ("Location Type", "Location Type/Sector"),
    "primary_inspection_category": ("Location Primary Inspection Category",),
    "local_authority_name": ("Location Local Authority",),
    "service_population_group": ("Service / Population Group",),
    "domain": ("Domain",),
    "latest_rating": ("Latest Rating",),
    "publication_date": ("Publication Date",),
    "provider_id": ("Provider ID",),
    "provider_name": ("Provider Name",),
}

RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate", "Not Rated")
_RATINGS = {r.lower(): r for r in RATINGS}
_CARE_HOME = {"y": True, "n": False}
_CQC_ID = re.compile(r"^1-\d+$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")
_HEADER_SEARCH_ROWS = 50


def _is_header(row: list[str]) -> bool:
    return any(norm(c) == "location id" for c in row)


def _period_end(period: str, file: str) -> date:
    m = _MONTH.match(period)
    if not m:
        raise SourceError(ID, file, f"period {period!r} is not a month such as 2024-04")
    year, month = int(m[1]), int(m[2])
    return date(year, month, calendar.monthrange(year, month)[1])


def _header(grid: Grid) -> int:
    for i in range(min(_HEADER_SEARCH_ROWS, len(grid.rows))):
        if _is_header(grid.rows[i]):
            return i
    raise grid.error(f"no header row with a 'Location ID' column in the first {_HEADER_SEARCH_ROWS} rows")


def _cqc_id(grid: Grid, i: int, j: int, what: str) -> str:
    text = grid.cell(i, j)
    if not _CQC_ID.match(text):
        raise grid.error(f"{what} {text!r} is not a CQC id such as 1-101234567", row=i, col=j)
    return text


def _care_home(grid: Grid, i: int, j: int) -> bool | None:
    text = grid.cell(i, j)
    if not text:
        return None
    if text.lower() not in _CARE_HOME:
        raise grid.error(f"'Care Home?' is {text!r}, not Y or N", row=i, col=j)
    return _CARE_HOME[text.lower()]


def _rating(grid: Grid, i: int, j: int) -> str:
    text = grid.cell(i, j)
    if norm(text) not in _RATINGS:
        raise grid.error(f"rating {text!r} is not one of {', '.join(RATINGS)}", row=i, col=j)
    return _RATINGS[norm(text)]


def _date(grid: Grid, i: int, j: int, latest: date) -> str:
    """A date cell (ODS dates read as ``2024-03-05 00:00:00``) or text as CSV exports show it."""
    text = grid.cell(i, j)
    for fmt in _DATE_FORMATS:
        try:
            value = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if value.time() != datetime.min.time():
            break
        if value.date() > latest:
            raise grid.error(f"publication date {value.date()} is after the file's month (to {latest})", row=i, col=j)
        return value.date().isoformat()
    raise grid.error(f"publication date {text!r} is not a date", row=i, col=j)


def _required(grid: Grid, i: int, j: int, what: str) -> str:
    text = grid.cell(i, j)
    if not text:
        raise grid.error(f"{what} is blank", row=i, col=j)
    return text


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    latest = _period_end(period, file)
    grid = read_grid(data, source_id=ID, file=file, sheet=SHEET)
    header = _header(grid)
    col = columns_by_heading(grid, header, HEADINGS)
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        records.append(
            {
                "location_id": _cqc_id(grid, i, col["location_id"], "location id"),
                "location_name": _required(grid, i, col["location_name"], "location name"),
                "is_care_home": _care_home(grid, i, col["is_care_home"]),
                "location_type": grid.cell(i, col["location_type"]) or None,
                "primary_inspection_category": grid.cell(i, col["primary_inspection_category"]) or None,
                "local_authority_name": _required(grid, i, col["local_authority_name"], "local authority"),
                "service_population_group": _required(grid, i, col["service_population_group"], "service group"),
                "domain": _required(grid, i, col["domain"], "domain"),
                "latest_rating": _rating(grid, i, col["latest_rating"]),
                "publication_date": _date(grid, i, col["publication_date"], latest),
                "provider_id": _cqc_id(grid, i, col["provider_id"], "provider id"),
                "provider_name": grid.cell(i, col["provider_name"]) or None,
                **grid.lineage(i),
            }
        )
    if not records:
        raise grid.error("no data rows below the header", row=header)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
