"""A staged release checked before it is moved into place: ``datapackage.json`` and every CSV with
Frictionless, every Parquet file against its schema; PublishError naming each problem."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

from core.errors import PublishError
from core.landing import sha256_file
from warehouse.publication.metadata.files import csv_header, is_csv

MAX_REPORTED_ERRORS = 5

# ---- validation ----------------------------------------------------------------------------------


def validate_release(release_dir: Path) -> None:
    """Validate datapackage.json and its data with Frictionless; PublishError with the first errors.

    Checked: the file is strict JSON (no NaN), the descriptor against its profile, every resource
    as ``frictionless validate datapackage.json`` checks it (each CSV against its schema: types,
    primary key, bytes, sha256, row count; each Parquet file, a file resource, for its bytes and
    sha256), and each Parquet file's columns and row count against the CSV whose rows it holds
    (read with pyarrow: Frictionless reads Parquet tables through pandas, which turns a NULL
    integer into NaN).
    """
    from frictionless import FrictionlessException, Package

    path = release_dir / "datapackage.json"
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"datapackage.json is not readable JSON: {exc}") from exc
    problems: list[str] = []
    nan = _non_finite(descriptor)
    if nan:
        more = f" and {len(nan) - 3} more" if len(nan) > 3 else ""
        problems.append(
            f"datapackage.json: NaN is not JSON (write null): {len(nan)} value(s) at {', '.join(nan[:3])}{more}"
        )

    report = Package.validate_descriptor(copy.deepcopy(descriptor), basepath=str(release_dir))
    problems += _dedupe(f"datapackage.json: {e.message}" for e in report.errors)

    # the data through Frictionless: CSVs as tables, the Parquet files as files (the package's
    # profile is reported above)
    data = copy.deepcopy(descriptor)
    data.pop("profile", None)
    data["resources"] = [r for r in data.get("resources", []) if is_csv(r) or r.get("type") == "file"]
    for r in data["resources"]:
        header_path = release_dir / str(r.get("path", ""))
        if is_csv(r) and not r.get("schema") and header_path.is_file():
            # no schema: read every column as a string rather than let Frictionless guess types from
            # a sample (a guess is not a contract, and a wrong guess fails good rows)
            r["schema"] = {"fields": [{"name": n, "type": "string"} for n in csv_header(header_path)]}
    try:
        package = Package(data, basepath=str(release_dir))
        report = package.validate(limit_errors=100)
    except FrictionlessException as exc:
        problems.append(f"datapackage.json: {exc.error.message}")
    else:
        for task in report.tasks:
            for error in task.errors:
                problems.append(_describe_error(task.name, error))
        problems += [f"datapackage.json: {e.message}" for e in report.errors]

    by_name = {r.get("name"): r for r in descriptor.get("resources", [])}
    for resource in descriptor.get("resources", []):
        if (resource.get("format") or "").lower() == "parquet":
            problems += _check_parquet(release_dir, resource, by_name.get(resource.get("same_rows_as")) or resource)

    if problems:
        shown = "\n  ".join(problems[:MAX_REPORTED_ERRORS])
        more = f"\n  ... and {len(problems) - MAX_REPORTED_ERRORS} more" if len(problems) > MAX_REPORTED_ERRORS else ""
        raise PublishError(f"the release does not validate ({len(problems)} problem(s)):\n  {shown}{more}")


def _describe_error(resource: str, error: Any) -> str:
    where = [f"resource {resource}"]
    if getattr(error, "row_number", None) is not None:
        where.append(f"row {error.row_number}")
    if getattr(error, "field_name", None):
        where.append(f"field {error.field_name}")
    return ", ".join(where) + f": {error.message}"


def _check_parquet(release_dir: Path, resource: dict, table: dict) -> list[str]:
    """The Parquet file's bytes and sha256 (its own resource), its columns and rows (``table``: the
    resource whose rows it holds, else its own)."""
    import pyarrow.parquet as pq

    name = resource.get("name", resource.get("path"))
    path = release_dir / resource["path"]
    if not path.exists():
        return [f"resource {name}: {resource['path']} does not exist"]
    problems = []
    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a problem to report
        return [f"resource {name}: not readable Parquet ({exc})"]
    fields = [f["name"] for f in (table.get("schema") or {}).get("fields", [])]
    if fields and meta.schema.names != fields:
        problems.append(f"resource {name}: columns {meta.schema.names} differ from the schema {fields}")
    if table.get("rows") is not None and meta.num_rows != table["rows"]:
        problems.append(f"resource {name}: {meta.num_rows} rows, the datapackage says {table['rows']}")
    if resource.get("bytes") is not None and path.stat().st_size != resource["bytes"]:
        problems.append(f"resource {name}: {path.stat().st_size} bytes, the datapackage says {resource['bytes']}")
    declared = str(resource.get("hash") or "")
    if declared and declared.removeprefix("sha256:") != sha256_file(path):
        problems.append(f"resource {name}: sha256 differs from the datapackage's hash")
    return problems


def _non_finite(value: Any, where: str = "$") -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [where]
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in _non_finite(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [w for i, v in enumerate(value) for w in _non_finite(v, f"{where}[{i}]")]
    return []


def _dedupe(messages: Any) -> list[str]:
    counts: dict[str, int] = {}
    for m in messages:
        counts[m] = counts.get(m, 0) + 1
    return [m if n == 1 else f"{m} (x{n})" for m, n in counts.items()]
