"""The data dictionary of a release (``data_dictionary.csv`` and ``.md``): every column of every
published table with its type, unit and description."""

from __future__ import annotations

import csv
from pathlib import Path

from warehouse.publication.metadata.columns import ColumnDoc, primary_key_of
from warehouse.publication.metadata.files import csv_resources

# ---- data dictionary -----------------------------------------------------------------------------


def write_data_dictionary(release_dir: Path, package: dict, docs: dict[str, list[ColumnDoc]]) -> None:
    with open(release_dir / "data_dictionary.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["table", "column", "type", "unit", "description"])
        for table_docs in docs.values():
            for d in table_docs:
                writer.writerow([d.table, d.column, d.type, d.unit, d.description])

    resources = {r["name"]: r for r in csv_resources(package)}
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
        if primary_key_of(resource):
            facts.append("primary key: " + ", ".join(f"`{k}`" for k in primary_key_of(resource)))
        lines += ["; ".join(facts) + ".", "", "| column | type | unit | description |", "|---|---|---|---|"]
        lines += [f"| `{d.column}` | {d.type} | {_md(d.unit)} | {_md(d.description)} |" for d in table_docs]
        lines.append("")
    (release_dir / "data_dictionary.md").write_text("\n".join(lines), encoding="utf-8")


def _md(text: str) -> str:
    text = " ".join(str(text).split())
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
