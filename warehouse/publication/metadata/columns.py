"""The published columns: their descriptions (dbt docs, else the glossary dictionary.yml), units
(the naming contract of overview.md) and types, for every metadata file of a release."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from core.errors import PublishError
from warehouse.publication.metadata.files import csv_header, csv_resources

GLOSSARY = Path(__file__).with_name("dictionary.yml")

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


def load_glossary(path: Path = GLOSSARY) -> dict[str, dict[str, str]]:
    """The glossary: ``column`` or ``table.column`` -> {description, unit, type}."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise PublishError(f"{path}: the glossary must map column names to {{description, unit}}")
    out: dict[str, dict[str, str]] = {}
    for name, entry in data.items():
        if isinstance(entry, str):
            entry = {"description": entry}
        if not isinstance(entry, dict):
            raise PublishError(f"{path}: entry {name!r} must be a mapping with a description")
        out[str(name)] = {k: str(v).strip() for k, v in entry.items() if v is not None}
    return out


def glossary_entry(glossary: dict[str, dict[str, str]], table: str, column: str) -> dict[str, str]:
    """The glossary entry of a column: the table's own meaning first, else the column's."""
    return {**glossary.get(column, {}), **glossary.get(f"{table}.{column}", {})}


def unit_for(column: str, entry: dict[str, str] | None = None) -> str:
    """The column's unit: the glossary's, else from the naming contract, else 'none'."""
    if entry and entry.get("unit"):
        return entry["unit"]
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


def describe_columns(
    release_dir: Path, package: dict, glossary: dict[str, dict[str, str]]
) -> dict[str, list[ColumnDoc]]:
    """Every column of every CSV resource, described; PublishError names any column without one."""
    docs: dict[str, list[ColumnDoc]] = {}
    missing: list[str] = []
    for resource in csv_resources(package):
        table = resource["name"]
        docs[table] = []
        for field in _fields(release_dir, resource):
            entry = glossary_entry(glossary, table, field["name"])
            description = (field.get("description") or "").strip() or entry.get("description", "")
            if not description:
                missing.append(f"{table}.{field['name']}")
            ftype = field.get("type") or entry.get("type") or "string"
            docs[table].append(ColumnDoc(table, field["name"], ftype, unit_for(field["name"], entry), description))
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        raise PublishError(
            f"no description for {len(missing)} published column(s): {shown} "
            "(document them in the dbt model yml or in warehouse/publication/metadata/dictionary.yml)"
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
