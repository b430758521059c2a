"""What changed against the previous release (``changelog.json``): rows added, removed and changed
per mart by primary key, restated and new source files; and its summary in RELEASE_NOTES.md."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from warehouse.publication.metadata.columns import primary_key_of
from warehouse.publication.metadata.files import csv_resources, is_csv, text_or_none

RELEASE_NOTES_HEADING = "## Changes by primary key"
# ---- changelog -----------------------------------------------------------------------------------


def build_changelog(release_dir: Path, package: dict, previous: Path | None) -> dict:
    """Per mart rows added / removed / changed by primary key, and new or restated source files."""
    prev_package: dict = {}
    if previous is not None and (Path(previous) / "datapackage.json").exists():
        prev_package = json.loads((Path(previous) / "datapackage.json").read_text(encoding="utf-8"))
    prev_resources = {r.get("name"): r for r in prev_package.get("resources", []) if is_csv(r)}

    marts: dict[str, dict] = {}
    for resource in csv_resources(package):
        key = primary_key_of(resource)
        if not key:
            continue  # not a mart (source_files.csv): no key to compare rows by
        prev_resource = prev_resources.get(resource["name"])
        prev_path = Path(previous) / prev_resource["path"] if previous is not None and prev_resource else None
        marts[resource["name"]] = _compare_table(
            release_dir / resource["path"], prev_path if prev_path and prev_path.exists() else None, key
        )
    current_names = {r["name"] for r in csv_resources(package)}
    removed_marts = sorted(n for n, r in prev_resources.items() if n not in current_names and primary_key_of(r))

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
                    "period": text_or_none(f.get("period")) or "",
                    "file_name": text_or_none(f.get("file_name")) or "",
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


def append_release_notes(notes: Path, changelog: dict) -> None:
    text = notes.read_text(encoding="utf-8")
    if RELEASE_NOTES_HEADING in text:  # written before (a retry): replace our section, keep the rest
        text = text[: text.index(RELEASE_NOTES_HEADING)]
    text = text.rstrip("\n") + "\n\n" + "\n".join(changelog_summary(changelog))
    notes.write_text(text, encoding="utf-8")
