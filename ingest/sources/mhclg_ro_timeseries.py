"""MHCLG revenue outturn multi-year data set (``Revenue_Outturn_time_series_data_v*.csv``).

One CSV holds every year since 2017-18: wide, one row per authority (and England, and each class
of authority) per year, figures in £ thousand, cash terms. Identity columns come first, found by
name because their order varies: ``year_ending`` (``201803`` = financial year 2017-18),
``ONS_code``, ``LA_LGF_code``, ``LA_name`` (``England`` on the England row), ``status``
(``submitted`` / ``not submitted``), ``LA_class``, ``LA_subclass``. Then about 2,500 data
columns named ``<FORM>_<assetid>_<measure>``: ``RS_edu_net_exp``, ``RO1_eduerl_net_cur_exp``,
``RSX_edu_tot_exp``. The asset id has no underscore; the measure may (``net_cur_exp``).
The file is UTF-8 with a byte-order mark; missing values are blanks or ``..``, ``x``, ``c``, ``-``.

Only the ``RS_`` columns are kept: the revenue summary (service totals such as ``RS_edu_net_exp``
and ``RS_totsx_net_exp``, and financing down to ``RS_netcurrtot_net_exp`` and
``RS_ctrtot_net_exp``) is what the warehouse uses, and the detail forms would multiply the
raw table a hundredfold. Output is long: one row per authority, year and RS item.

A blank cell on a ``not submitted`` row is ``not_available`` (the authority made no return),
never zero and never merely blank. The file holds every year, so its one partition is ``all``.

The ~24 MB file is read as a stream, keeping only the identity and RS cells, rather than as a
full grid of ~10 million cells.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pandas as pd

from core.errors import SourceError, column_letter
from ingest.sheets import Grid, Number, decode_text, parse_number
from ingest.sources import source_id

ID = source_id(__name__)  # the module's name is the source id
PERIOD = "all"
KEPT_FORM = "RS"
NOT_SUBMITTED = "not submitted"  # the other status is "submitted"; aggregate rows' status is kept as published

COLUMNS: dict[str, str] = {
    "ons_code": "VARCHAR",
    "lgf_code": "VARCHAR",
    "la_name": "VARCHAR",
    "la_class": "VARCHAR",
    "la_subclass": "VARCHAR",
    "submission_status": "VARCHAR",
    "year_ending": "INTEGER",
    "financial_year": "VARCHAR",
    "item_code": "VARCHAR",
    "form": "VARCHAR",
    "asset_id": "VARCHAR",
    "measure": "VARCHAR",
    "value_gbp_thousands": "DECIMAL(18,3)",
    "value_status": "VARCHAR",
    "value_text": "VARCHAR",
    "_source_row": "INTEGER",
    "_source_column": "VARCHAR",
}

# output field -> publisher's header (matched in any case)
_IDENTITY = {
    "year_ending": "year_ending",
    "ons_code": "ONS_code",
    "lgf_code": "LA_LGF_code",
    "la_name": "LA_name",
    "submission_status": "status",
    "la_class": "LA_class",
    "la_subclass": "LA_subclass",
}
_REQUIRED = ("year_ending", "ons_code", "la_name", "submission_status")
_ITEM = re.compile(r"^(?P<form>[A-Z][A-Z0-9]*)_(?P<asset>[A-Za-z0-9]+)_(?P<measure>[A-Za-z0-9_]+)$")
_YEAR_ENDING = re.compile(r"^(\d{4})03$")
_HEADER_SEARCH_ROWS = 20


def financial_year(year_ending: int) -> str:
    """201803 -> '2017-18' (the year ending in March 2018)."""
    end = year_ending // 100
    return f"{end - 1}-{end % 100:02d}"


def _error(file: str, detail: str, *, row: int | None = None, col: int | None = None) -> SourceError:
    """An error at a 0-based (row, col), reported 1-based with a column letter."""
    return SourceError(
        ID,
        file,
        detail,
        row=None if row is None else row + 1,
        column=None if col is None else column_letter(col),
    )


def _rows(data: bytes, file: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text, _ = decode_text(data)
    except UnicodeDecodeError as exc:
        raise SourceError(ID, file, f"cannot decode the text: {exc.reason}") from exc
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SourceError(ID, file, f"not a readable CSV: {exc}") from exc


def _cell(row: list[str], j: int | None) -> str:
    return row[j].strip() if j is not None and j < len(row) else ""


def _find_header(rows: Iterator[tuple[int, list[str]]], file: str) -> tuple[int, list[str]]:
    for i, row in rows:
        if "year_ending" in {c.strip().lower() for c in row}:
            return i, row
        if i + 1 >= _HEADER_SEARCH_ROWS:
            break
    raise _error(file, f"no header row with a 'year_ending' column in the first {_HEADER_SEARCH_ROWS} rows")


def _identity_columns(header: list[str], i: int, file: str) -> dict[str, int | None]:
    index: dict[str, int] = {}
    for j, text in enumerate(header):
        index.setdefault(text.strip().lower(), j)
    cols = {field: index.get(name.lower()) for field, name in _IDENTITY.items()}
    for field in _REQUIRED:
        if cols[field] is None:
            raise _error(file, f"the header has no {_IDENTITY[field]!r} column", row=i)
    return cols


def _item_columns(header: list[str], i: int, file: str) -> list[tuple[int, str, str, str]]:
    """(column, item code, asset id, measure) for every RS_ data column."""
    items = []
    for j, text in enumerate(header):
        name = text.strip()
        if not name.startswith(f"{KEPT_FORM}_"):
            continue
        m = _ITEM.match(name)
        if not m or m["form"] != KEPT_FORM:
            raise _error(file, f"column {name!r} is not <form>_<assetid>_<measure>", row=i, col=j)
        items.append((j, name, m["asset"], m["measure"]))
    if not items:
        raise _error(file, f"the header has no {KEPT_FORM}_ columns (revenue summary)", row=i)
    return items


def _value(cell: str, not_submitted: bool, file: str, i: int, j: int) -> Number:
    try:
        number = parse_number(cell)
    except ValueError as exc:
        raise _error(file, str(exc), row=i, col=j) from None
    if not_submitted and number.status == "blank":
        return Number(None, "not_available", number.text)
    return number


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    if period != PERIOD:
        raise _error(file, f"the file holds every year; load it as period {PERIOD!r}, not {period!r}")
    rows = _rows(data, file)
    header_row, header = _find_header(rows, file)
    ident = _identity_columns(header, header_row, file)
    items = _item_columns(header, header_row, file)
    year_col, status_col = ident["year_ending"], ident["submission_status"]
    records: list[dict[str, object]] = []
    ledger = Grid(ID, file, rows=[])  # the file is streamed: the grid keeps the row ledger only
    for i, row in rows:
        ledger.walk(i)
        if not any(c.strip() for c in row):
            ledger.skip(i, "blank")
            continue
        year_text = _cell(row, year_col)
        m = _YEAR_ENDING.match(year_text)
        if not m:
            raise _error(file, f"year_ending {year_text!r} is not yyyy03", row=i, col=year_col)
        year_ending = int(year_text)
        base = {field: (_cell(row, j) or None) for field, j in ident.items()}
        base |= {"year_ending": year_ending, "financial_year": financial_year(year_ending), "form": KEPT_FORM}
        not_submitted = _cell(row, status_col).lower() == NOT_SUBMITTED
        for j, code, asset, measure in items:
            number = _value(_cell(row, j), not_submitted, file, i, j)
            records.append(
                base
                | {
                    "item_code": code,
                    "asset_id": asset,
                    "measure": measure,
                    "value_gbp_thousands": None if number.value is None else str(number.value),
                    "value_status": number.status,
                    "value_text": number.text,
                    **ledger.lineage(i, j),
                }
            )
    if not records:
        raise _error(file, "no rows under the header", row=header_row)
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
