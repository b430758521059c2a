"""Release metadata: CSVW per CSV, a DCAT catalogue, a data dictionary, a changelog, validation.

``write_release_metadata`` runs on a staged release folder after ``datapackage.json`` is written
and before the folder is moved into place. It writes, beside the data::

    <table>.csv-metadata.json   W3C CSV on the Web (CSVW) metadata of each CSV: columns, datatypes,
                                descriptions, primary key, dialect
    catalog.jsonld              DCAT (JSON-LD) catalogue of the release as a dcat:Dataset with the
                                fields of the UK cross-government metadata exchange model that
                                apply, one dcat:Distribution per file (size, sha256) and its sources
    data_dictionary.csv / .md   every column of every published table: type, unit, description
    changelog.json              rows added / removed / changed per mart by primary key against the
                                previous release, and restated (new vintage) or new source files

and appends a summary of the changelog to ``RELEASE_NOTES.md``. It refuses (``PublishError``) a
release with an undescribed column, or (``validate=True``) whose ``datapackage.json`` or CSVs do
not validate with Frictionless. Output is deterministic: the only timestamp is package["created"].
"""

from __future__ import annotations

import copy
import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.errors import PublishError
from core.landing import sha256_file

GLOSSARY = Path(__file__).with_name("dictionary.yml")

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
OGL_URI = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
GOVERNMENT_YEAR_URI = "http://reference.data.gov.uk/id/government-year/{start}-{end}"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
RELEASE_NOTES_HEADING = "## Changes by primary key"
MAX_REPORTED_ERRORS = 5

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

JSONLD_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    # the project's own terms (no public vocabulary says "this source is a synthetic sample")
    "wholeplace": "urn:wholeplace:terms:",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:startDate": {"@type": "xsd:date"},
    "dcat:endDate": {"@type": "xsd:date"},
    "dcat:byteSize": {"@type": "xsd:nonNegativeInteger"},
    "spdx:checksumValue": {"@type": "xsd:hexBinary"},
}
KEYWORDS = [
    "whole place",
    "public spending",
    "local government finance",
    "budget",
    "outturn",
    "NHS allocations",
    "integrated care boards",
    "Better Care Fund",
    "pooled budgets",
    "adult social care",
    "health outcomes",
    "combined authority",
]
THEMES = [
    # data.gov.uk topics, as the metadata exchange model's examples give them, and the EU data themes
    "https://www.data.gov.uk/search?filters%5Btopic%5D=Government%20spending",
    "https://www.data.gov.uk/search?filters%5Btopic%5D=Health",
    "http://publications.europa.eu/resource/authority/data-theme/GOVE",
    "http://publications.europa.eu/resource/authority/data-theme/ECON",
    "http://publications.europa.eu/resource/authority/data-theme/HEAL",
]
# releases are content-addressed: a new one is published whenever a source publishes new data
ACCRUAL_PERIODICITY = "http://purl.org/cld/freq/irregular"
_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class ColumnDoc:
    table: str
    column: str
    type: str
    unit: str
    description: str


# ---- entry point ------------------------------------------------------------------------------


def write_release_metadata(
    release_dir: Path,
    package: dict,
    previous: Path | None,
    *,
    validate: bool = True,
    glossary: Path = GLOSSARY,
) -> dict:
    """Write the release's metadata files into ``release_dir``; return the changelog.

    ``package`` is the datapackage publish wrote to ``release_dir/datapackage.json``; ``previous``
    the folder of the release before it (None for the first). With ``validate`` the datapackage
    and every CSV (and Parquet) resource are checked first; any problem is a PublishError.
    """
    release_dir = Path(release_dir)
    if validate:
        validate_release(release_dir)
    docs = describe_columns(release_dir, package, load_glossary(glossary))
    changelog = build_changelog(release_dir, package, previous)

    licence = _licence_uri(package)
    for resource in _csv_resources(package):
        csvw = build_csvw(resource, docs[resource["name"]], package, licence)
        _write_json(release_dir / f"{resource['name']}.csv-metadata.json", csvw)
    _write_json(release_dir / "catalog.jsonld", build_catalog(release_dir, package, licence))
    write_data_dictionary(release_dir, package, docs)
    _write_json(release_dir / "changelog.json", changelog)
    notes = release_dir / "RELEASE_NOTES.md"
    if notes.exists():
        _append_release_notes(notes, changelog)

    check_csvw(release_dir, package)
    return changelog


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
    for resource in _csv_resources(package):
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
            "(document them in the dbt model yml or in warehouse/publication/dictionary.yml)"
        )
    return docs


def _fields(release_dir: Path, resource: dict) -> list[dict]:
    """The resource's schema fields, or (no schema) its CSV header as string fields."""
    fields = (resource.get("schema") or {}).get("fields")
    if fields:
        return [dict(f) for f in fields]
    return [{"name": name} for name in _csv_header(release_dir / resource["path"])]


def _primary_key(resource: dict) -> list[str]:
    key = (resource.get("schema") or {}).get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


# ---- CSVW ----------------------------------------------------------------------------------------


def build_csvw(resource: dict, docs: list[ColumnDoc], package: dict, licence: str) -> dict:
    """W3C CSVW metadata (JSON-LD) of one CSV resource."""
    key = _primary_key(resource)
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
    for resource in _csv_resources(package):
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
        header = _csv_header(release_dir / metadata["url"])
        if [c.get("name") for c in columns] != header:
            problems.append(
                f"{path.name}: columns {[c.get('name') for c in columns]} differ from the CSV header {header}"
            )
    if problems:
        raise PublishError("CSVW metadata is not well formed: " + "; ".join(problems[:MAX_REPORTED_ERRORS]))


# ---- DCAT ----------------------------------------------------------------------------------------


def place_phrase(package: dict) -> str:
    """The place a release describes, from its region block: 'the <combined authority> area
    (<code>) and its <n> councils' (DCAT, Datasette and the release texts say it alike)."""
    region = package.get("region") or {}
    if not region:
        return "a city region"
    return (
        f"the {region.get('combined_authority_name')} area ({region.get('combined_authority_code')}) and its "
        f"{region.get('council_count')} councils"
    )


def build_catalog(release_dir: Path, package: dict, licence: str) -> dict:
    """A DCAT catalogue (JSON-LD) holding the release as one dcat:Dataset."""
    version = package.get("version", "")
    created = package.get("created", "")
    title = package.get("title") or package.get("name") or "wholeplace"
    publisher = {
        "@id": "#publisher",
        "@type": ["foaf:Organization", "foaf:Agent"],
        "foaf:name": f"{package.get('name', 'wholeplace')} project",
    }
    synthetic = list(package.get("synthetic_sources") or [])
    region = package.get("region") or {}
    description = (
        f"Public money in {place_phrase(package)}, joined from what each body publishes: spend by place, financial "
        "year, service theme and agency (councils, the combined authority, NHS integrated care "
        "boards), per head, budget against outturn, pooled budgets, adult social care expenditure, "
        "and the outcomes people get, with every figure traceable to the file it came from."
    )
    if synthetic:
        description += (
            " Contains synthetic data: the sources "
            + ", ".join(synthetic)
            + " are samples in the publisher's format, not real publications; rows derived from "
            "them carry is_synthetic = true."
        )
    dataset: dict[str, Any] = {
        "@id": "#dataset",
        "@type": "dcat:Dataset",
        "dct:title": title,
        "dct:alternative": package.get("name", "wholeplace"),
        "dct:description": description,
        "rdfs:comment": "Whole-place budget and outcomes for a UK city region, as versioned open data.",
        "dct:identifier": version,
        "dcat:version": version,
        "dct:issued": created,
        "dct:modified": created,
        "dct:publisher": publisher,
        "dcat:contactPoint": {
            "@id": "#contact",
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": f"{package.get('name', 'wholeplace')} project",
            "vcard:note": "Placeholder contact: the project's maintainers (no personal data is published).",
        },
        "dct:license": {"@id": licence},
        "dct:accessRights": {"@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
        "dcat:keyword": KEYWORDS + ([region["title"]] if region.get("title") else []),
        "dcat:theme": [{"@id": uri} for uri in THEMES],
        "dct:spatial": {
            "@id": STATISTICAL_GEOGRAPHY + str(region.get("combined_authority_code", "E92000001")),
            "@type": "dct:Location",
            "rdfs:label": f"{region.get('combined_authority_name', 'England')} area",
        },
        "dct:temporal": [_government_year(fy) for fy in financial_years(release_dir, package)],
        "dct:accrualPeriodicity": {"@id": ACCRUAL_PERIODICITY},
        "wholeplace:containsSyntheticData": bool(synthetic),
        "foaf:page": [{"@id": "data_dictionary.md"}, {"@id": "RELEASE_NOTES.md"}],
        "dcat:distribution": [_distribution(release_dir, r, licence) for r in package.get("resources", [])],
        "dct:source": [_source(s) for s in package.get("sources", [])],
    }
    return {
        "@context": JSONLD_CONTEXT,
        "@id": "#catalog",
        "@type": "dcat:Catalog",
        "dct:title": f"{title}: release {version}",
        "dct:publisher": {"@id": "#publisher"},
        "dct:license": {"@id": licence},
        "dct:issued": created,
        "dct:modified": created,
        "dcat:dataset": dataset,
    }


def financial_years(release_dir: Path, package: dict) -> list[str]:
    """The financial years (like 2023-24) in the financial_year columns of the published facts.

    Dimension tables (dim_*) are left out: dim_period lists the calendar, not the data.
    """
    years: set[str] = set()
    for resource in _csv_resources(package):
        if resource["name"].startswith("dim_"):
            continue
        path = release_dir / resource["path"]
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if "financial_year" not in (reader.fieldnames or []):
                continue
            for row in reader:
                value = row["financial_year"] or ""
                match = _FINANCIAL_YEAR.match(value)
                if match and (int(match[1]) + 1) % 100 == int(match[2]):
                    years.add(value)
    return sorted(years)


def _government_year(financial_year: str) -> dict:
    start = int(financial_year[:4])
    return {
        "@id": GOVERNMENT_YEAR_URI.format(start=start, end=start + 1),
        "@type": "dct:PeriodOfTime",
        "rdfs:label": financial_year,
        "dcat:startDate": f"{start}-04-01",
        "dcat:endDate": f"{start + 1}-03-31",
    }


def _distribution(release_dir: Path, resource: dict, licence: str) -> dict:
    path = release_dir / resource["path"]
    if not path.is_file():
        raise PublishError(f"resource {resource['name']}: {resource['path']} does not exist in {release_dir}")
    media = resource.get("mediatype") or ("text/csv" if resource.get("format") == "csv" else "")
    distribution: dict[str, Any] = {
        "@id": f"#distribution-{resource['name']}",
        "@type": "dcat:Distribution",
        "dct:identifier": resource["name"],
        "dct:title": f"{resource['name']} ({(resource.get('format') or path.suffix.lstrip('.')).upper()})",
        "dcat:downloadURL": {"@id": resource["path"]},
        "dcat:accessURL": {"@id": resource["path"]},
        "dcat:byteSize": path.stat().st_size,
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": sha256_file(path),
        },
        "dct:license": {"@id": licence},
    }
    if resource.get("description"):
        distribution["dct:description"] = resource["description"]
    if media:
        distribution["dcat:mediaType"] = {"@id": IANA_MEDIA_TYPES + media}
    if resource.get("format") == "csv":
        distribution["dct:conformsTo"] = {"@id": f"{resource['name']}.csv-metadata.json"}
    return distribution


def _source(source: dict) -> dict:
    node: dict[str, Any] = {"@type": "dcat:Dataset"}
    landing = _text(source.get("path"))
    if landing:
        node["@id"] = landing
        node["dcat:landingPage"] = {"@id": landing}
    node["dct:identifier"] = source.get("name", "")
    node["dct:title"] = _text(source.get("title")) or source.get("name", "")
    if _text(source.get("publisher")):
        node["dct:publisher"] = {"@type": "foaf:Organization", "foaf:name": source["publisher"]}
    licence = _text(source.get("licence"))
    if licence:
        node["dct:license"] = {"@id": OGL_URI} if licence.upper().startswith("OGL") else licence
    if _text(source.get("attribution")):
        node["dct:rights"] = {"@type": "dct:RightsStatement", "rdfs:label": source["attribution"]}
    if _text(source.get("provenance")):
        node["dct:provenance"] = {"@type": "dct:ProvenanceStatement", "rdfs:label": source["provenance"]}
    node["wholeplace:synthetic"] = bool(source.get("synthetic"))
    node["dcat:distribution"] = [
        _source_file(f)
        for f in sorted(source.get("files") or [], key=lambda f: (str(f.get("period")), str(f.get("file_name"))))
    ]
    return node


def _source_file(file: dict) -> dict:
    """One raw file a source contributed: where it was read from, its period and sha256."""
    node: dict[str, Any] = {
        "@type": "dcat:Distribution",
        "dct:title": _text(file.get("file_name")) or "",
        "wholeplace:period": _text(file.get("period")) or "",
        "wholeplace:readFrom": _text(file.get("url")) or "",
    }
    origin = _text(file.get("origin_url")) or _text(file.get("url"))
    if origin and not origin.startswith("snapshot:"):
        node["dcat:accessURL"] = {"@id": origin}
    node["spdx:checksum"] = {
        "@type": "spdx:Checksum",
        "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
        "spdx:checksumValue": file.get("sha256", ""),
    }
    return node


# ---- data dictionary -----------------------------------------------------------------------------


def write_data_dictionary(release_dir: Path, package: dict, docs: dict[str, list[ColumnDoc]]) -> None:
    with open(release_dir / "data_dictionary.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["table", "column", "type", "unit", "description"])
        for table_docs in docs.values():
            for d in table_docs:
                writer.writerow([d.table, d.column, d.type, d.unit, d.description])

    resources = {r["name"]: r for r in _csv_resources(package)}
    lines = [
        f"# Data dictionary: {package.get('title') or package.get('name')}, release {package.get('version', '')}",
        "",
        "Every column of every published table. Units follow the naming contract: `_gbp` pounds (nominal), "
        "`_gbp_thousands` thousands of pounds, `_pct` percent, `_count` count, `_date` dates, `_at` UTC "
        "timestamps, `is_`/`has_` boolean flags, `_key` surrogate keys, `_code` published codes. "
        "An empty cell is NULL: not available is never zero. Machine-readable: `data_dictionary.csv` "
        "and each table's `<table>.csv-metadata.json` (CSVW).",
        "",
    ]
    for table, table_docs in docs.items():
        resource = resources[table]
        lines += [f"## {table}", ""]
        if resource.get("description"):
            lines += [_md(resource["description"]), ""]
        facts = [f"File: `{resource['path']}`"]
        if resource.get("rows") is not None:
            facts.append(f"rows: {resource['rows']}")
        if _primary_key(resource):
            facts.append("primary key: " + ", ".join(f"`{k}`" for k in _primary_key(resource)))
        lines += ["; ".join(facts) + ".", "", "| column | type | unit | description |", "|---|---|---|---|"]
        lines += [f"| `{d.column}` | {d.type} | {_md(d.unit)} | {_md(d.description)} |" for d in table_docs]
        lines.append("")
    (release_dir / "data_dictionary.md").write_text("\n".join(lines), encoding="utf-8")


def _md(text: str) -> str:
    text = " ".join(str(text).split())
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


# ---- changelog -----------------------------------------------------------------------------------


def build_changelog(release_dir: Path, package: dict, previous: Path | None) -> dict:
    """Per mart rows added / removed / changed by primary key, and new or restated source files."""
    prev_package: dict = {}
    if previous is not None and (Path(previous) / "datapackage.json").exists():
        prev_package = json.loads((Path(previous) / "datapackage.json").read_text(encoding="utf-8"))
    prev_resources = {r.get("name"): r for r in prev_package.get("resources", []) if _is_csv(r)}

    marts: dict[str, dict] = {}
    for resource in _csv_resources(package):
        key = _primary_key(resource)
        if not key:
            continue  # not a mart (source_files.csv): no key to compare rows by
        prev_resource = prev_resources.get(resource["name"])
        prev_path = Path(previous) / prev_resource["path"] if previous is not None and prev_resource else None
        marts[resource["name"]] = _compare_table(
            release_dir / resource["path"], prev_path if prev_path and prev_path.exists() else None, key
        )
    current_names = {r["name"] for r in _csv_resources(package)}
    removed_marts = sorted(n for n, r in prev_resources.items() if n not in current_names and _primary_key(r))

    now = _source_files(package)
    before = _source_files(prev_package)
    before_shas = {f["sha256"] for f in before}
    before_periods: dict[tuple[str, str], list[str]] = {}
    for f in before:
        before_periods.setdefault((f["source"], f["period"]), []).append(f["sha256"])
    now_periods = {(f["source"], f["period"]) for f in now}
    restated, new = [], []
    for f in now:
        if f["sha256"] in before_shas:
            continue
        if (f["source"], f["period"]) in before_periods:
            replaced = sorted(set(before_periods[(f["source"], f["period"])]) - {f["sha256"]})
            restated.append({**f, "replaces_sha256": replaced})
        else:
            new.append(f)
    removed_sources = [{"source": s, "period": p} for (s, p) in sorted(before_periods) if (s, p) not in now_periods]
    return {
        "version": package.get("version"),
        "previous_version": prev_package.get("version") or (Path(previous).name if previous is not None else None),
        "created": package.get("created"),
        "marts": marts,
        "removed_marts": removed_marts,
        "restated_sources": restated,
        "new_sources": new,
        "removed_sources": removed_sources,
    }


def _compare_table(path: Path, previous: Path | None, key: list[str]) -> dict:
    header, rows = _read_keyed(path, key)
    if previous is None:
        return {
            "primary_key": key,
            "rows_before": 0,
            "rows_after": len(rows),
            "added": len(rows),
            "removed": 0,
            "changed": 0,
            "columns_added": [],
            "columns_removed": [],
        }
    prev_header, prev_rows = _read_keyed(previous, key)
    common = [c for c in header if c in prev_header and c not in key]
    changed = sum(1 for k, row in rows.items() if k in prev_rows and any(row[c] != prev_rows[k][c] for c in common))
    return {
        "primary_key": key,
        "rows_before": len(prev_rows),
        "rows_after": len(rows),
        "added": sum(1 for k in rows if k not in prev_rows),
        "removed": sum(1 for k in prev_rows if k not in rows),
        "changed": changed,
        "columns_added": [c for c in header if c not in prev_header],
        "columns_removed": [c for c in prev_header if c not in header],
    }


def _read_keyed(path: Path, key: list[str]) -> tuple[list[str], dict[tuple, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        if not set(key) <= set(header):
            # a key the file does not have (renamed since): every row counts as different
            return header, {("__row__", i): row for i, row in enumerate(reader)}
        return header, {tuple(row[k] for k in key): row for row in reader}


def _source_files(package: dict) -> list[dict]:
    files = []
    for source in package.get("sources", []) or []:
        for f in source.get("files", []) or []:
            files.append(
                {
                    "source": source.get("name", ""),
                    "period": _text(f.get("period")) or "",
                    "file_name": _text(f.get("file_name")) or "",
                    "sha256": f.get("sha256", ""),
                    **({"accepted_fewer_rows": f["accepted_fewer_rows"]} if f.get("accepted_fewer_rows") else {}),
                }
            )
    return sorted(files, key=lambda f: (f["source"], f["period"], f["file_name"], f["sha256"]))


def changelog_summary(changelog: dict) -> list[str]:
    """A few Markdown lines: per mart +added / -removed / ~changed, and restated sources."""
    lines = [RELEASE_NOTES_HEADING, ""]
    previous = changelog.get("previous_version")
    marts = changelog.get("marts", {})
    if previous:
        lines.append(f"Rows by primary key since {previous} (+added / -removed / ~changed; details in changelog.json):")
    else:
        lines.append("First release: every row is added (details in changelog.json):")
    lines.append("")
    unchanged = []
    for name, c in marts.items():
        if previous and not (c["added"] or c["removed"] or c["changed"] or c["columns_added"] or c["columns_removed"]):
            unchanged.append(name)
            continue
        line = f"- {name}: +{c['added']} / -{c['removed']} / ~{c['changed']} ({c['rows_after']} rows)"
        if c["columns_added"] or c["columns_removed"]:
            line += "; columns " + ", ".join(
                [f"+{x}" for x in c["columns_added"]] + [f"-{x}" for x in c["columns_removed"]]
            )
        lines.append(line)
    if unchanged:
        lines.append(f"- unchanged: {', '.join(unchanged)}")
    for name in changelog.get("removed_marts", []):
        lines.append(f"- {name}: no longer published")
    restated = changelog.get("restated_sources", [])
    if previous:
        lines += ["", "Restated sources (a new file for a period loaded before: a new vintage):"]
        lines += [f"- {f['source']} {f['period']}: {f['file_name']} (sha256 {f['sha256'][:12]})" for f in restated] or [
            "- none"
        ]
    accepted = [f for f in [*restated, *changelog.get("new_sources", [])] if f.get("accepted_fewer_rows")]
    if accepted:
        lines += ["", "Accepted with fewer rows or areas than the previous vintage (acknowledged: ACCEPT_FEWER_ROWS):"]
        for f in accepted:
            a = f["accepted_fewer_rows"]
            lacks = [*a.get("missing_region_areas", []), *a.get("missing_previous_areas", [])]
            lines.append(
                f"- {f['source']} {f['period']}: {f['file_name']} has {a['rows']:,} rows"
                + (f" where {a['previous_file']} had {a['previous_rows']:,}" if a.get("previous_rows") else "")
                + (f"; lacks {', '.join(lacks)}" if lacks else "")
            )
    lines.append("")
    return lines


def _append_release_notes(notes: Path, changelog: dict) -> None:
    text = notes.read_text(encoding="utf-8")
    if RELEASE_NOTES_HEADING in text:  # written before (a retry): replace our section, keep the rest
        text = text[: text.index(RELEASE_NOTES_HEADING)]
    text = text.rstrip("\n") + "\n\n" + "\n".join(changelog_summary(changelog))
    notes.write_text(text, encoding="utf-8")


# ---- validation ----------------------------------------------------------------------------------


def validate_release(release_dir: Path) -> None:
    """Validate datapackage.json and its data with Frictionless; PublishError with the first errors.

    Checked: the file is strict JSON (no NaN), the descriptor against its profile, every CSV
    resource against its schema (types, primary key, bytes, sha256, row count), and each Parquet
    resource's columns, row count, bytes and sha256 (read with pyarrow: Frictionless reads Parquet
    through pandas, which turns a NULL integer into NaN and cannot measure bytes or hashes).
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

    # the data: CSV resources through Frictionless (without the package profile, reported above)
    data = copy.deepcopy(descriptor)
    data.pop("profile", None)
    data["resources"] = [r for r in descriptor.get("resources", []) if _is_csv(r)]
    for r in data["resources"]:
        header_path = release_dir / str(r.get("path", ""))
        if not r.get("schema") and header_path.is_file():
            # no schema: read every column as a string rather than let Frictionless guess types from
            # a sample (a guess is not a contract, and a wrong guess fails good rows)
            r["schema"] = {"fields": [{"name": n, "type": "string"} for n in _csv_header(header_path)]}
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

    for resource in descriptor.get("resources", []):
        if (resource.get("format") or "").lower() == "parquet":
            problems += _check_parquet(release_dir, resource)

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


def _check_parquet(release_dir: Path, resource: dict) -> list[str]:
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
    fields = [f["name"] for f in (resource.get("schema") or {}).get("fields", [])]
    if fields and meta.schema.names != fields:
        problems.append(f"resource {name}: columns {meta.schema.names} differ from the schema {fields}")
    if resource.get("rows") is not None and meta.num_rows != resource["rows"]:
        problems.append(f"resource {name}: {meta.num_rows} rows, the datapackage says {resource['rows']}")
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


# ---- helpers -------------------------------------------------------------------------------------


def _is_csv(resource: dict) -> bool:
    fmt = (resource.get("format") or "").lower()
    return fmt == "csv" or (not fmt and str(resource.get("path", "")).lower().endswith(".csv"))


def _csv_resources(package: dict) -> list[dict]:
    return [r for r in package.get("resources", []) if _is_csv(r)]


def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def _licence_uri(package: dict) -> str:
    for licence in package.get("licenses") or []:
        if _text(licence.get("path")):
            return licence["path"]
    return OGL_URI


def _text(value: Any) -> str | None:
    """A string value, or None for None / NaN (pandas' missing value) / empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text or None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
