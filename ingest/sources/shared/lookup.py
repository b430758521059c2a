"""What the ONS Open Geography lookups have in common, as ONS publishes them and as republished.

A lookup is a CSV with one row per lower area and the areas it lies in. ONS names its fields with
the boundary vintage (``LAD23CD``, ``LAD23NM``, ``ICB23CDH`` for the NHS code); the geographr R
package republishes the same values as ``ltla23_code``, ``ltla23_name``, ``icb24_code_nhs``.
Columns are found by a pattern that accepts both spellings and captures the two-digit vintage;
extra columns and column order do not matter. The partition's period must be the vintage of the
lookup's own field (``vintage_field``), so a new edition is a new partition, not a silent swap.

A lookup may repeat its key (ONS's LAD to community safety partnership to police force area table
repeats a district once per old partnership): a repeat that agrees on the fields it maps to is
skipped with its reason, one that disagrees is an error naming both rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ingest.sheets import read_grid
from ingest.sources.shared.columns import is_blank_row, norm


@dataclass(frozen=True)
class Field:
    name: str  # the output column
    pattern: str  # the heading, in full, with (\d\d) for the vintage, e.g. r"(?:lad|ltla)(\d\d)(?:cd|_code)"
    code: str | None = None  # a pattern every value must match, e.g. r"^E0[6-9]\d{6}$"
    what: str = "code"  # what the value is, for messages ("a GSS district code")


def gss(kind: str, name: str, code: str, what: str) -> tuple[Field, Field]:
    """The code and name fields of an area kind (``lad``, ``cauth``, ...), in ONS's and geographr's
    spellings (``ltla`` for ``lad``)."""
    stem = "(?:lad|ltla)" if kind == "lad" else kind
    return (
        Field(f"{name}_code", rf"{stem}(\d\d)(?:cd|_code)", code, what),
        Field(f"{name}_name", rf"{stem}(\d\d)(?:nm|_name)"),
    )


def _column(grid, header: int, field: Field) -> tuple[int, int]:
    regex = re.compile(field.pattern, re.IGNORECASE)
    head = grid.rows[header]
    hits = [(j, m) for j, text in enumerate(head) if (m := regex.fullmatch(norm(text)))]
    shown = field.pattern.replace(r"(\d\d)", "yy")
    if not hits:
        raise grid.error(f"the header has no column like {shown}", row=header)
    if len(hits) > 1:
        raise grid.error(
            f"several columns look like {shown} ({', '.join(head[j] for j, _ in hits)})", row=header, col=hits[1][0]
        )
    j, m = hits[0]
    return j, 2000 + int(m.group(1))


def parse_lookup(
    data: bytes,
    *,
    source_id: str,
    file: str,
    period: str,
    fields: Sequence[Field],
    vintage_field: str,
    key: Sequence[str],
    repeated_key: str = "repeat",
) -> pd.DataFrame:
    """One row per ``key``, each field as published, with the lookup's vintage and the source row."""
    grid = read_grid(data, source_id=source_id, file=file)
    first = re.compile(fields[0].pattern, re.IGNORECASE)
    header = grid.find_row(lambda r: any(first.fullmatch(norm(c)) for c in r), what="header row")
    columns = {f.name: _column(grid, header, f) for f in fields}
    vintage = columns[vintage_field][1]
    if period != str(vintage):
        raise grid.error(
            f"the {vintage_field} columns are for {vintage} but the catalogue loads the file as {period}", row=header
        )
    checks = {f.name: (re.compile(f.code), f.what) for f in fields if f.code}
    seen: dict[tuple[str, ...], tuple[int, tuple[str, ...]]] = {}
    records = []
    for i, row in grid.iter_rows(header + 1):
        if is_blank_row(row):
            grid.skip(i, "blank")
            continue
        values = {name: grid.cell(i, j) for name, (j, _) in columns.items()}
        for name, (pattern, what) in checks.items():
            if not pattern.match(values[name]):
                raise grid.error(f"{values[name]!r} is not {what}", row=i, col=columns[name][0])
        k = tuple(values[f] for f in key)
        mapped = tuple(v for name, v in values.items() if name not in key and not name.endswith("_name"))
        if k in seen:
            first_row, first_mapped = seen[k]
            if first_mapped != mapped:
                raise grid.error(
                    f"{', '.join(k)} is mapped differently here and in row {first_row + 1}",
                    row=i,
                    col=columns[key[0]][0],
                )
            grid.skip(i, repeated_key)
            continue
        seen[k] = (i, mapped)
        records.append(values | {"vintage_year": vintage} | grid.lineage(i))
    if not records:
        raise grid.error("no rows under the header", row=header)
    return pd.DataFrame.from_records(records, columns=[*(f.name for f in fields), "vintage_year", "_source_row"])


def lookup_columns(fields: Sequence[Field]) -> dict[str, str]:
    return {f.name: "VARCHAR" for f in fields} | {"vintage_year": "INTEGER", "_source_row": "INTEGER"}
