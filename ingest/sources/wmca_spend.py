"""West Midlands Combined Authority: its own payments of £500 and over (financial disclosures under
the Local Government Transparency Code), one XLSX a month, read as the WMCA publishes it.

The workbook has one sheet, ``Disclosure``, with eight columns:

- the header is split over two rows in most months (row 1 ``Cost Centre, Account, Expense Type,
  Supplier, Supplier Name, Trans, Payment, Amount``; row 2 ``, , , ID, , No., Date, excl vat``; cells
  not merged) and is one row in others (``Supplier ID``, ``Trans No.``, ``Payment Date``, ``Amount
  excl. vat``): the two rows are joined cell by cell and matched on their words, whatever the case,
  spacing or full stops, so ``Amount`` / ``excl vat`` and ``Amount excl. vat`` are one column;
- ``Payment Date`` is an Excel serial number shown with a date format (read as a date; a bare
  serial number, as another tool might save it, is read as the date it stands for);
- amounts exclude VAT, in pounds, at most two decimals; payments are rows below the header with
  the cost centre filled in.

Payments are loaded file by file into ``raw.wmca_spend`` like the councils' payments over £500
(ingest.sources.shared.payments): a file whose sha256 is recorded is not read again, a changed one
replaces its rows. A row whose date or amount does not read is quarantined in
``raw.wmca_spend_rejects`` with its file, row and column; a file with more than 1% of such rows is
refused whole, naming the first."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from core.errors import SourceError, column_letter
from core.landing import NamedFile, sha256_file
from ingest.sheets import Grid, read_grid
from ingest.sources import source_id
from ingest.sources.shared import payments
from ingest.sources.shared.payments import FileLoad, FileRecord

ID = source_id(__name__)
log = logging.getLogger(__name__)

SHEET = "Disclosure"
BODY_CODE, BODY_NAME = "E47000007", "West Midlands Combined Authority"
MAX_REJECTED_SHARE = 0.01
TABLES = payments.FileTables(ID)

# Our column -> the words of the published heading (both header rows joined), lower case, no full stops
HEADINGS = {
    "service": "cost centre",
    "expense_code": "account",
    "expense_type": "expense type",
    "supplier_id": "supplier id",
    "supplier_name": "supplier name",
    "reference": "trans no",
    "payment_date": "payment date",
    "net_amount_gbp": "amount excl vat",
}

COLUMNS: dict[str, str] = {
    "body_code": "VARCHAR",
    "body_name": "VARCHAR",
    "payment_date": "DATE",
    "service": "VARCHAR",
    "expense_code": "VARCHAR",
    "expense_type": "VARCHAR",
    "reference": "VARCHAR",
    "supplier_id": "VARCHAR",
    "supplier_name": "VARCHAR",
    "net_amount_gbp": "DECIMAL(18,2)",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
}

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 29 February 1900


def _words(text: str) -> str:
    return " ".join(text.replace(".", " ").split()).casefold()


def header(grid: Grid) -> tuple[dict[str, int], int]:
    """Our column -> its index, and the first data row (0-based): the header is row 1, or rows 1-2
    when row 2 continues it (column A empty, D = ``ID``)."""
    first = grid.rows[0] if grid.rows else []
    two_rows = len(grid.rows) > 1 and not grid.cell(1, 0).strip() and grid.cell(1, 3).strip().casefold() == "id"
    cells = [_words(f"{h} {grid.cell(1, i) if two_rows else ''}") for i, h in enumerate(first)]
    found = {}
    for ours, heading in HEADINGS.items():
        if heading not in cells:
            raise grid.error(f"no {heading!r} column in the header {cells} (sheet {SHEET!r})", row=0)
        found[ours] = cells.index(heading)
    return found, 2 if two_rows else 1


def payment_date(text: str) -> date | None:
    """A cell's date: ISO text (a date-formatted cell), or an Excel serial number."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?", text):
        return datetime.strptime(text[:10], "%Y-%m-%d").date()
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    return None


def amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None


@dataclass
class FileRows:
    """One workbook read: its payments, its refused rows and how many payment rows it had."""

    rows: list[dict]
    rejects: list[dict]
    rows_in: int

    @property
    def refused(self) -> bool:
        return len(self.rejects) > self.rows_in * MAX_REJECTED_SHARE


def read(data: bytes, *, file: str) -> FileRows:
    """A month's workbook as payment rows (COLUMNS) and quarantined rows, each with its sheet row."""
    grid = read_grid(data, source_id=ID, file=file, sheet=SHEET)
    columns, first = header(grid)
    rows, rejects, rows_in = [], [], 0
    for n in range(first, len(grid.rows)):
        if not grid.cell(n, columns["service"]).strip():
            continue  # not a payment row (rows rule: column A filled in)
        rows_in += 1
        value = {ours: grid.cell(n, i).strip() for ours, i in columns.items()}
        parsed = {
            "payment_date": payment_date(value["payment_date"]),
            "net_amount_gbp": amount(value["net_amount_gbp"]),
        }
        bad = next((c for c, v in parsed.items() if v is None), None)
        if bad is not None:
            what = "not a date (an Excel date or serial number)" if bad == "payment_date" else "not an amount in pounds"
            rejects.append(
                {
                    "_source_file": file,
                    "_source_row": n + 1,
                    "column_name": f"{column_letter(columns[bad])} ({HEADINGS[bad]})",
                    "value": value[bad],
                    "reason": what,
                }
            )
            continue
        rows.append(
            {
                "body_code": BODY_CODE,
                "body_name": BODY_NAME,
                **{k: (v or None) for k, v in value.items()},
                **parsed,
                "_source_file": file,
                "_source_row": n + 1,
            }
        )
    return FileRows(rows, rejects, rows_in)


def load_files(
    con: duckdb.DuckDBPyConnection, files: list[NamedFile | Path], workdir: Path | None = None
) -> list[FileLoad]:
    """Load only new or changed workbooks into raw.wmca_spend (see the module's description)."""
    payments.ensure_tables(con, TABLES, COLUMNS)
    known = payments.known_files(con, TABLES)
    outcomes: dict[str, FileLoad] = {}
    named = [f if isinstance(f, NamedFile) else NamedFile(f.name, f) for f in files]
    for f in named:
        digest = f.sha256 or sha256_file(f.path)
        if known.get(f.name) == digest:
            outcomes[f.name] = FileLoad(f.name, digest, None, 0, 0, "unchanged")
            continue
        found = read(f.path.read_bytes(), file=f.name)
        if found.refused:
            first = found.rejects[0]
            raise SourceError(
                ID,
                f.name,
                f"{first['value']!r} is {first['reason']}; {len(found.rejects):,} of {found.rows_in:,} rows refused "
                f"(a file is refused when more than {MAX_REJECTED_SHARE:.0%} of its rows are)",
                row=first["_source_row"],
                column=first["column_name"],
            )
        import pandas as pd  # only when a workbook is read: a load with nothing new does not pay for it

        rows = pd.DataFrame(found.rows, columns=list(COLUMNS)).assign(_source_file_sha256=digest)
        rejects = pd.DataFrame(
            found.rejects, columns=["_source_file", "_source_row", "column_name", "value", "reason"]
        ).assign(_source_file_sha256=digest)
        con.register("wmca_rows", rows)
        con.register("wmca_rejects", rejects)
        try:
            casts = ", ".join(f"cast({c} as {kind}) as {c}" for c, kind in COLUMNS.items())
            record = FileRecord(f.name, digest, SHEET, found.rows_in, len(found.rejects))
            outcomes.update(
                payments.write_files(
                    con,
                    TABLES,
                    COLUMNS,
                    [record],
                    f"select {casts}, _source_file_sha256 from wmca_rows",
                    "select _source_file, _source_file_sha256, _source_row, column_name, value, reason "
                    "from wmca_rejects",
                    known,
                )
            )
        finally:
            con.unregister("wmca_rows")
            con.unregister("wmca_rejects")
        log.info("%s: %s: %d payments loaded, %d refused", ID, f.name, len(found.rows), len(found.rejects))
    return [outcomes[f.name] for f in named]
