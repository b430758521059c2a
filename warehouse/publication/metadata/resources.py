"""The resources of a release's datapackage.json: each CSV a tabular resource, each Parquet twin a
file resource.

The Parquet twin is a file resource (its bytes and sha256 checked by any Frictionless validator),
not a table: Frictionless reads Parquet tables through pandas, which turns a NULL integer into NaN
and a valid file into type errors. Its columns and rows are its CSV's (``same_rows_as``), which the
release's own validation checks with pyarrow (metadata/validation.py)."""

from __future__ import annotations

from pathlib import Path

from core.landing import sha256_file


def _file(path: Path) -> dict:
    return {"path": path.name, "bytes": path.stat().st_size, "hash": f"sha256:{sha256_file(path)}"}


def csv_resource(
    path: Path, name: str, *, description: str, schema: dict, rows: int | None = None, synthetic: bool | None = None
) -> dict:
    """A CSV as a tabular data resource (UTF-8, one header row)."""
    resource = {
        "profile": "tabular-data-resource",
        "name": name,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        **_file(path),
        "description": description,
        "schema": schema,
    }
    if rows is not None:
        resource["rows"] = rows
    if synthetic is not None:
        resource["has_synthetic_rows"] = synthetic
    return resource


def parquet_resource(path: Path, table: str, *, description: str, synthetic: bool) -> dict:
    """A CSV's Parquet twin (``table``: the CSV resource's name) as a file resource."""
    return {
        "profile": "data-resource",
        "type": "file",
        "name": f"{table}_parquet",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        **_file(path),
        "description": description,
        "same_rows_as": table,
        "has_synthetic_rows": synthetic,
    }
