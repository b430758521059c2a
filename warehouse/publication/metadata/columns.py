"""The published columns: their descriptions and units as dbt documents them (each mart's yml,
shared meanings in doc blocks of dbt_project/models/docs/columns.md; read from dbt's manifest),
units otherwise from the naming contract of overview.md, for every metadata file of a release."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.errors import PublishError
from core.marts import MARTS
from warehouse.publication.metadata.files import csv_header, csv_resources

# the naming contract of dbt_project/models/docs/overview.md: column name -> unit (first match wins)
UNIT_SUFFIXES = (
    ("_gbp_thousands", "thousands of pounds (GBP)"),
    ("_gbp", "pounds (GBP)"),
    ("_pct", "percent"),
    ("_count", "count"),
    ("_date", "date"),
    ("_at", "UTC timestamp"),
)
UNIT_PREFIXES = (("is_", "boolean flag"), ("has_", "boolean flag"))
UNIT_KEY = ("_key", "surrogate key (no unit)")
UNIT_CODE = ("_code", "code")
NO_UNIT = "none"


@dataclass(frozen=True)
class ColumnDoc:
    table: str
    column: str
    type: str
    unit: str
    description: str


# ---- columns, units and descriptions ------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMeaning:
    description: str
    unit: str | None = None  # where the naming contract does not give it (column meta.unit)
    type: str | None = None  # for a table published without a schema (column meta.type)


@dataclass(frozen=True)
class Documented:
    """What dbt's docs say of the published tables: each table's description and its columns'."""

    tables: dict[str, str]
    columns: dict[str, dict[str, ColumnMeaning]]


def documented_columns(manifest: Path) -> Documented:
    """From dbt's manifest: the published marts' descriptions and columns (their yml, doc blocks
    rendered) and source_files.csv's (the source table whose meta says ``published_as``)."""
    if not manifest.is_file():
        raise PublishError(f"no dbt manifest at {manifest}: the column descriptions come from it (run the dbt build)")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    published = [n for n in data.get("nodes", {}).values() if n.get("resource_type") == "model" and n["name"] in MARTS]
    tables = {n["name"]: n.get("description", "") for n in published}
    columns = {n["name"]: _meanings(n) for n in published}
    for source in data.get("sources", {}).values():
        name = _meta(source).get("published_as")
        if name:
            tables[name] = source.get("description", "")
            columns[name] = _meanings(source)
    return Documented(tables, columns)


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _meanings(node: dict) -> dict[str, ColumnMeaning]:
    out = {}
    for name, column in (node.get("columns") or {}).items():
        meta = _meta(column)
        out[name] = ColumnMeaning((column.get("description") or "").strip(), meta.get("unit"), meta.get("type"))
    return out


def unit_for(column: str, unit: str | None = None) -> str:
    """The column's unit: its documented one (column meta.unit), else from the naming contract,
    else 'none'."""
    if unit:
        return unit
    for suffix, unit in UNIT_SUFFIXES:
        if column.endswith(suffix):
            return unit
    for prefix, unit in UNIT_PREFIXES:
        if column.startswith(prefix):
            return unit
    for suffix, unit in (UNIT_KEY, UNIT_CODE):
        if column.endswith(suffix):
            return unit
    return NO_UNIT


def describe_columns(release_dir: Path, package: dict, documented: Documented) -> dict[str, list[ColumnDoc]]:
    """Every column of every CSV resource, described; PublishError names any column without one."""
    docs: dict[str, list[ColumnDoc]] = {}
    missing: list[str] = []
    for resource in csv_resources(package):
        table = resource["name"]
        docs[table] = []
        for field in _fields(release_dir, resource):
            meaning = documented.columns.get(table, {}).get(field["name"]) or ColumnMeaning("")
            description = (field.get("description") or "").strip() or meaning.description
            if not description:
                missing.append(f"{table}.{field['name']}")
            ftype = field.get("type") or meaning.type or "string"
            docs[table].append(
                ColumnDoc(table, field["name"], ftype, unit_for(field["name"], meaning.unit), description)
            )
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise PublishError(
            f"no description for {len(missing)} published column(s): {shown} "
            "(describe each in its mart's yml, or with a doc block in dbt_project/models/docs/columns.md)"
        )
    return docs


def _fields(release_dir: Path, resource: dict) -> list[dict]:
    """The resource's schema fields, or (no schema) its CSV header as string fields."""
    fields = (resource.get("schema") or {}).get("fields")
    if fields:
        return [dict(f) for f in fields]
    return [{"name": name} for name in csv_header(release_dir / resource["path"])]


def primary_key_of(resource: dict) -> list[str]:
    key = (resource.get("schema") or {}).get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)
