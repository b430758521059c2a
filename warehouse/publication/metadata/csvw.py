"""W3C CSV on the Web metadata of each published CSV (``<table>.csv-metadata.json``), and its check
against the CSV's header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.errors import PublishError
from warehouse.publication.metadata.columns import ColumnDoc, primary_key_of
from warehouse.publication.metadata.files import csv_header, csv_resources
from warehouse.publication.metadata.validation import MAX_REPORTED_ERRORS

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
# Frictionless field type -> CSVW datatype (XML Schema names); anything else is read as a string
CSVW_DATATYPES = {
    "string": "string",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "year": "gYear",
}
# ---- CSVW ----------------------------------------------------------------------------------------


def build_csvw(resource: dict, docs: list[ColumnDoc], package: dict, licence: str) -> dict:
    """W3C CSVW metadata (JSON-LD) of one CSV resource."""
    key = primary_key_of(resource)
    columns = []
    for doc in docs:
        column: dict[str, Any] = {
            "name": doc.column,
            "titles": doc.column,
            "datatype": CSVW_DATATYPES.get(doc.type, "string"),
            "dc:description": doc.description,
        }
        if doc.column in key:
            column["required"] = True
        columns.append(column)
    table_schema: dict[str, Any] = {"columns": columns}
    if key:
        table_schema["primaryKey"] = key[0] if len(key) == 1 else key
    metadata: dict[str, Any] = {
        "@context": CSVW_CONTEXT,
        "url": resource["path"],
        "dc:title": f"{package.get('title') or package.get('name')}: {resource['name']}",
        "dc:license": {"@id": licence},
        "dc:identifier": f"{package.get('version', '')}/{resource['path']}",
        "dc:issued": package.get("created", ""),
        "dialect": {
            "header": True,
            "encoding": (resource.get("encoding") or "utf-8").lower(),
            "delimiter": (resource.get("dialect") or {}).get("delimiter", ","),
        },
        "tableSchema": table_schema,
    }
    if resource.get("description"):
        metadata["dc:description"] = resource["description"]
    return metadata


def check_csvw(release_dir: Path, package: dict) -> None:
    """Each CSV's CSVW file parses as JSON, has the required keys and names every CSV column."""
    problems = []
    for resource in csv_resources(package):
        path = release_dir / f"{resource['name']}.csv-metadata.json"
        try:
            metadata = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: not readable JSON ({exc})")
            continue
        missing = [
            k for k in ("@context", "url", "dc:title", "dc:license", "tableSchema", "dialect") if k not in metadata
        ]
        if missing:
            problems.append(f"{path.name}: missing {', '.join(missing)}")
            continue
        if metadata["@context"] != CSVW_CONTEXT:
            problems.append(f"{path.name}: @context is not {CSVW_CONTEXT}")
        columns = metadata["tableSchema"].get("columns") or []
        if any(not {"name", "datatype"} <= set(c) for c in columns):
            problems.append(f"{path.name}: a column has no name or datatype")
        header = csv_header(release_dir / metadata["url"])
        if [c.get("name") for c in columns] != header:
            problems.append(
                f"{path.name}: columns {[c.get('name') for c in columns]} differ from the CSV header {header}"
            )
    if problems:
        raise PublishError("CSVW metadata is not well formed: " + "; ".join(problems[:MAX_REPORTED_ERRORS]))
