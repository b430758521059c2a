"""source_files.csv: every raw file a published figure was read from, with where it came from.

Each row is a file of ``raw.fetch_manifest`` that a raw table holds (its columns documented on the
dbt source ``meta.fetch_manifest``), with the catalogue's word on it (``Source.file_provenance``):
the publisher's page and file link, the unit and multiplier the figures were published in, and
whether the file held is the publisher's own or a republished copy. A figure traces from its mart
row (``source_file_sha256``, row, column) to here, and from here to the publisher.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from core.catalogue import catalogue

# raw.fetch_manifest's columns, then the catalogue's (all documented on the dbt source)
MANIFEST_COLUMNS = ("sha256", "source_id", "period", "file_name", "url", "origin_url", "mirror_url", "mode", "bytes")
PROVENANCE_COLUMNS = (
    "publisher_page",
    "publisher_file_url",
    "unit",
    "unit_multiplier",
    "copy_status",
    "copy_note",
)
SOURCE_FILES_COLUMNS = MANIFEST_COLUMNS + PROVENANCE_COLUMNS
INTEGER_COLUMNS = ("bytes", "unit_multiplier")


def write_source_files(con: duckdb.DuckDBPyConnection, loaded: str, path: Path) -> int:
    """Write ``path`` for the files whose sha256 the query ``loaded`` returns; return the row count."""
    rows = con.execute(
        f"select distinct {', '.join(MANIFEST_COLUMNS)} from raw.fetch_manifest where sha256 in ({loaded}) order by all"
    ).fetchall()
    known = {s.id: s for s in catalogue()}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(SOURCE_FILES_COLUMNS)
        for row in rows:
            record = dict(zip(MANIFEST_COLUMNS, row, strict=True))
            source = known.get(record["source_id"])
            extra = source.file_provenance(record["period"], record["file_name"]) if source else {}
            out.writerow(
                ["" if v is None else v for v in row]
                + ["" if extra.get(c) is None else extra[c] for c in PROVENANCE_COLUMNS]
            )
    return len(rows)
