"""Spending over £500: councils' transaction-level transparency files, streamed through DuckDB.

Every council publishes its own layout; each layout is a declaration in ``spend500_layouts.yml``
(column mapping, encoding, date format, redaction markers), never a code path. A file is matched
to the layout whose header row it has, then read by DuckDB's ``read_csv`` with the declared column
names and explicit types (no sniffing, no row-by-row Python, no whole-file pandas): malformed rows
land in DuckDB's rejects table and are reported with the file, line and column; values that do not
parse as the layout's date or a money amount are reported the same way.

``load_files`` loads incrementally into ``raw.spend500``: a file whose sha256 is already recorded in
``raw.spend500_files`` is not read again; a changed file replaces its own rows in one transaction.

Modules: layouts (declarations and matching), read (the DuckDB reader), loads (incremental loads).
"""

from __future__ import annotations

from ingest.sources.spend500.layouts import (
    ENCODINGS,
    ID,
    LAYOUTS_FILE,
    OPTIONAL,
    REQUIRED,
    Layout,
    layouts,
    match_layout,
)
from ingest.sources.spend500.loads import (
    BATCH_FILES,
    FILES_TABLE,
    REJECTS_TABLE,
    TABLE,
    FileLoad,
    SpendFile,
    ensure_tables,
    load_files,
)
from ingest.sources.spend500.reader import COLUMNS, MAX_REJECTED_SHARE, FileRead, Read, batch_rows, read, read_batch

__all__ = [
    "BATCH_FILES",
    "COLUMNS",
    "ENCODINGS",
    "FILES_TABLE",
    "ID",
    "LAYOUTS_FILE",
    "MAX_REJECTED_SHARE",
    "OPTIONAL",
    "REJECTS_TABLE",
    "REQUIRED",
    "TABLE",
    "FileLoad",
    "FileRead",
    "Layout",
    "Read",
    "SpendFile",
    "batch_rows",
    "ensure_tables",
    "layouts",
    "load_files",
    "match_layout",
    "read",
    "read_batch",
]
