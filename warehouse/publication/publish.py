"""Publish an immutable open-data release, and move ``latest`` to it atomically.

A release is ``<warehouse>/releases/<version>/``::

    <mart>.csv            UTF-8 (no BOM), one header row, rows in a stable order
    <mart>.parquet
    source_files.csv      every raw file a figure came from: sha256, url, publisher URL, retrieved_at
    datapackage.json      Frictionless tabular data package: schemas, sha256 of every file,
                          sources, licences and OGL v3.0 attribution, synthetic flags, check results
    RELEASE_NOTES.md      what changed since the previous release; changelog.json the same, by key
    <mart>.csv-metadata.json, catalog.jsonld, data_dictionary.{csv,md}   CSVW, DCAT, dictionary
    wholeplace.sqlite, datasette-metadata.json   the release for Datasette (`make serve`)
    site/                 place profiles (static HTML, SVG charts), index, dbt docs
    data_docs/            the Great Expectations Data Docs of the checks that gated this release

``releases/feed.atom`` is an Atom feed of every release, rewritten when ``latest`` moves.

The version is ``<UTC date>-<first 12 hex of the content hash>``: the same marts give the same
version, so publishing unchanged data is a no-op and the last good release stays ``latest``.
Everything is written under ``staging/`` first and moved into place with one rename.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.codes import STATUS_SHORTHAND
from core.db import ACKNOWLEDGEMENTS, connect
from core.errors import PublishError
from core.landing import sha256_file
from core.marts import MARTS, PRIMARY_KEYS
from core.settings import Settings
from warehouse.publication.coverage import coverage_notes, payment_coverage
from warehouse.publication.datasette import build_sqlite, write_datasette_metadata
from warehouse.publication.dbt_docs import build_dbt_docs
from warehouse.publication.feed import write_feed
from warehouse.publication.integrity import verify_release, write_checksums
from warehouse.publication.metadata import ColumnMeaning, documented_columns, write_release_metadata
from warehouse.publication.metadata.resources import csv_resource, parquet_resource
from warehouse.publication.profiles import write_site
from warehouse.publication.source_files import INTEGER_COLUMNS, SOURCE_FILES_COLUMNS, write_source_files

log = logging.getLogger(__name__)

OGL = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
_FRICTIONLESS_TYPES = {
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "BIGINT": "integer",
    "INTEGER": "integer",
    "HUGEINT": "integer",
    "DOUBLE": "number",
}


@dataclass(frozen=True)
class Release:
    version: str
    path: Path
    created: bool  # False when the content equals the latest release (nothing new published)
    rows: dict[str, int]
    content_hash: str


def field_type(duckdb_type: str) -> str:
    base = duckdb_type.split("(")[0].upper()
    if base == "DECIMAL":
        return "number"
    return _FRICTIONLESS_TYPES.get(base, "string")


def latest_path(settings: Settings) -> Path:
    return settings.latest_link


def current_latest(settings: Settings) -> Path | None:
    return settings.current_release()


# GSS shorthand for a figure that is not there, in every *_status column of a release
# a text cell a spreadsheet would run as a formula starts with one of these (numbers keep signs)
_FORMULA_START = r"^[=+\-@\t\r]"


def published_select_list(cols: list[tuple[str, str]]) -> str:
    """The select list a release is written from: GSS status shorthand, and text cells that a
    spreadsheet would read as a formula escaped with a leading apostrophe."""
    out = []
    for name, dtype in cols:
        quoted = f'"{name}"'
        if dtype.upper() != "VARCHAR":
            out.append(quoted)
            continue
        expr = quoted
        if name.endswith("_status"):
            cases = " ".join(f"when '{k}' then '{v}'" for k, v in STATUS_SHORTHAND.items())
            expr = f"case {quoted} {cases} else {quoted} end"
        escaped = f"chr(39) || {expr}"
        out.append(f"case when regexp_matches({expr}, '{_FORMULA_START}') then {escaped} else {expr} end as {quoted}")
    return ", ".join(out)


def _stage(
    settings: Settings, stage_dir: Path
) -> tuple[dict[str, int], dict[str, list[tuple[str, str]]], set[str], set[str]]:
    rows: dict[str, int] = {}
    synthetic: set[str] = set()  # the marts with at least one synthetic row
    schemas: dict[str, list[tuple[str, str]]] = {}
    with connect(settings.duckdb_path) as con:
        for mart in MARTS:
            cols = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [mart],
            ).fetchall()
            if not cols:
                raise PublishError(f"mart marts.{mart} does not exist: run the dbt build first")
            schemas[mart] = cols
            # a stable, readable row order: by the natural columns left to right, surrogate key last
            key = PRIMARY_KEYS[mart]
            order = ", ".join([f'"{c}"' for c, _ in cols if c != key] + [f'"{key}"'])
            ordered = f"select {published_select_list(cols)} from marts.{mart} order by {order}"
            con.execute(f"copy ({ordered}) to '{stage_dir / (mart + '.csv')}' (header, delimiter ',')")
            con.execute(f"copy ({ordered}) to '{stage_dir / (mart + '.parquet')}' (format parquet)")
            rows[mart] = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            if (
                any(c == "is_synthetic" for c, _ in cols)
                and con.execute(f"select bool_or(is_synthetic) from marts.{mart}").fetchone()[0]
            ):
                synthetic.add(mart)
        # every raw file the warehouse is built from: the files currently loaded in raw.<source>
        raw_tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.columns "
                "where table_schema = 'raw' and column_name = '_source_file_sha256' order by 1"
            ).fetchall()
        ]
        loaded = " union ".join(f'select distinct _source_file_sha256 from raw."{t}"' for t in raw_tables)
        if not loaded:  # no raw source tables: no source files (an empty string is no query at all)
            loaded = "select null::varchar as _source_file_sha256 where false"
        write_source_files(con, loaded, stage_dir / "source_files.csv")
        loaded_shas = {sha for (sha,) in con.execute(loaded).fetchall()}
    return rows, schemas, loaded_shas, synthetic


def _sources(settings: Settings, loaded_shas: set[str]) -> list[dict]:
    """The catalogue entries with the raw files (currently loaded) each contributed."""

    def records(con, sql: str) -> list[dict]:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]  # None, never NaN

    with connect(settings.duckdb_path) as con:
        catalogue = records(con, "select * from raw.source_catalogue order by source_id")
        files = records(
            con,
            "select m.sha256, m.source_id, m.period, m.file_name, m.url, m.origin_url, m.mode, "
            "min(m.retrieved_at) as first_retrieved_at "
            "from raw.fetch_manifest m group by all order by all",
        )
        accepted = {}  # files loaded with fewer rows or areas than before, as the run acknowledged
        if con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?",
            [ACKNOWLEDGEMENTS.split(".")[1]],
        ).fetchall()[0][0]:
            for ack in records(con, f"select * from {ACKNOWLEDGEMENTS}"):
                accepted[ack["sha256"]] = {
                    "rows": ack["rows"],
                    "previous_rows": ack["previous_rows"],
                    "previous_file": ack["previous_file"],
                    "missing_region_areas": list(ack["missing_region_areas"] or []),
                    "missing_previous_areas": list(ack["missing_previous_areas"] or []),
                    "acknowledged_at": str(ack["acknowledged_at"]),
                }
    loaded = {}
    for row in files:
        if row["sha256"] not in loaded_shas:
            continue  # an older vintage, or a file since replaced
        loaded.setdefault(row["source_id"], []).append(
            {
                "sha256": row["sha256"],
                "period": row["period"],
                "file_name": row["file_name"],
                "url": row["url"],
                "origin_url": row["origin_url"],
                "mode": row["mode"],
                "first_retrieved_at": row["first_retrieved_at"],
                **({"accepted_fewer_rows": accepted[row["sha256"]]} if row["sha256"] in accepted else {}),
            }
        )
    out = []
    for s in catalogue:
        out.append(
            {
                "name": s["source_id"],
                "title": s["title"],
                "path": s["landing_page"],
                "publisher": s["publisher"],
                "licence": s["licence"],
                "attribution": s["attribution"],
                "synthetic": bool(s["synthetic"]),
                "provenance": s["provenance"],
                "files": loaded.get(s["source_id"], []),
            }
        )
    return out


def _region(settings: Settings) -> dict:
    """The region this release describes (raw.region_definitions, from regions/<name>.yml)."""
    with connect(settings.duckdb_path) as con:
        row = con.execute(
            "select region_name, region_title, combined_authority_code, combined_authority_name, "
            "ons_region_code, ons_region_name, count(*) from raw.region_definitions where is_current "
            "group by all"
        ).fetchone()
    if row is None:
        return {}
    keys = ("name", "title", "combined_authority_code", "combined_authority_name", "ons_region_code", "ons_region_name")
    return {**dict(zip(keys, row[:6], strict=True)), "council_count": row[6]}


# The shape of a release's files (datapackage profile, resources, DCAT, CSVW). Part of the content
# hash: when it changes, a warehouse whose marts have not changed still publishes a release in the
# new shape, rather than keep offering one that today's validators would refuse.
PUBLICATION_FORMAT = "3: parquet file resources, DCAT-AP 2.1.1 conformant catalogue, Vega-Lite charts with their specs"


def _content_hash(stage_dir: Path) -> str:
    digest = hashlib.sha256(f"format {PUBLICATION_FORMAT}\n".encode())
    for mart in MARTS:
        digest.update(f"{mart}.csv:{sha256_file(stage_dir / (mart + '.csv'))}\n".encode())
    return digest.hexdigest()


def stale_sources(settings: Settings) -> list[dict]:
    """The sources whose next publication is late today (core.freshness, as `make status`): a late
    source does not block the release, which is built from what is loaded, but it is named."""
    from core.freshness import statuses

    return [
        {
            "source_id": s.source_id,
            "due": s.next_due,
            "late_by_days": s.late_by_days,
            "latest_period": s.latest_period,
            "expected_period": s.expected_period,
            "expected_since": s.expected_since,
            "detail": s.detail,
            "last_new_file_at": s.last_new_file_at,
            "expected": s.expected,
        }
        for s in statuses(settings)
        if s.state == "LATE"
    ]


def _synthetic_sources(sources: list[dict]) -> list[str]:
    """The synthetic sources whose files are in the release (the demo), not those merely catalogued."""
    return [s["name"] for s in sources if s["synthetic"] and s["files"]]


def _release_notes(
    version: str,
    rows: dict[str, int],
    previous: Path | None,
    sources: list[dict],
    stale: list[dict],
    coverage: dict | None = None,
) -> str:
    lines = [f"# Release {version}", ""]
    if previous is None:
        lines += ["First release.", ""]
    else:
        prev_pkg = json.loads((previous / "datapackage.json").read_text())
        prev_rows = {r["name"]: r.get("rows") for r in prev_pkg["resources"] if r.get("format") == "csv"}
        prev_files = {f["sha256"] for s in prev_pkg.get("sources", []) for f in s.get("files", [])}
        lines += [f"Changes since {previous.name}:", "", "| mart | rows | change |", "|---|---:|---:|"]
        for mart, n in rows.items():
            before = prev_rows.get(mart)
            change = "new" if before is None else f"{n - before:+d}"
            lines.append(f"| {mart} | {n} | {change} |")
        new_files = [
            f"{s['name']} {f['period']}: {f['file_name']} (sha256 {f['sha256'][:12]})"
            for s in sources
            for f in s["files"]
            if f["sha256"] not in prev_files
        ]
        lines += ["", "New or restated source files (a new file for a period loaded before is a new vintage):", ""]
        lines += [f"- {f}" for f in new_files] or ["- none"]
        lines.append("")
    if stale:
        lines += ["**Stale sources.** A newer publication is late for these sources; this release holds:", ""]
        lines += [
            f"- {s['source_id']}: {s['latest_period'] or 'nothing'} ({s['detail']}; {s['expected']})" for s in stale
        ]
        lines.append("")
    lines += coverage_notes(coverage)
    synthetic = _synthetic_sources(sources)
    if synthetic:
        lines += [
            "**DEMO: contains synthetic data.** These sources are samples, not real publications: "
            + ", ".join(synthetic)
            + ". Rows built from them have is_synthetic = true.",
            "",
        ]
    return "\n".join(lines)


def publish_release(
    settings: Settings, *, checks: dict, docs_index: Path | None = None, with_site: bool = False
) -> Release:
    """Stage every mart, write the metadata, and move the release into place atomically.

    ``with_site`` also builds the release's SQLite database and Datasette metadata, the dbt docs
    and the place profiles (the pipeline does; small unit-test warehouses cannot).
    """
    settings.releases_dir.mkdir(parents=True, exist_ok=True)
    stage_dir = settings.staging_dir / "release"
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    stage_dir.mkdir(parents=True)

    rows, schemas, loaded_shas, synthetic_marts = _stage(settings, stage_dir)
    content_hash = _content_hash(stage_dir)
    previous = current_latest(settings)
    damaged = previous is not None and not verify_release(previous).ok
    if previous is not None and previous.name.endswith(content_hash[:12]) and not damaged:
        shutil.rmtree(stage_dir)
        log.info("marts unchanged since release %s: nothing new to publish", previous.name)
        return Release(previous.name, previous, False, rows, content_hash)
    if damaged:
        log.warning("the latest release %s differs from what was published: publishing an intact one", previous.name)

    created = datetime.now(UTC)
    version = f"{created:%Y-%m-%d}-{content_hash[:12]}"
    # a release of the same content that has since been damaged is not reused: the intact copy is
    # published beside it under the next free name (-r2, -r3, ...)
    repair = 1
    while (settings.releases_dir / version).exists() and not verify_release(settings.releases_dir / version).ok:
        repair += 1
        version = f"{created:%Y-%m-%d}-{content_hash[:12]}-r{repair}"
    sources = _sources(settings, loaded_shas)
    stale = stale_sources(settings)
    coverage = payment_coverage(settings.duckdb_path)
    documented = documented_columns(settings.dbt_target_dir / "manifest.json")
    synthetic_sources = _synthetic_sources(sources)
    resources = []
    for mart in MARTS:
        fields = [
            {
                "name": name,
                "type": field_type(dtype),
                "description": documented.columns.get(mart, {}).get(name, ColumnMeaning("")).description,
            }
            for name, dtype in schemas[mart]
        ]
        description, synthetic = documented.tables.get(mart, ""), mart in synthetic_marts
        schema = {"fields": fields, "primaryKey": PRIMARY_KEYS[mart]}
        resources.append(
            csv_resource(
                stage_dir / f"{mart}.csv",
                mart,
                description=description,
                schema=schema,
                rows=rows[mart],
                synthetic=synthetic,
            )
        )
        resources.append(
            parquet_resource(stage_dir / f"{mart}.parquet", mart, description=description, synthetic=synthetic)
        )
    source_fields = [{"name": n, "type": "integer" if n in INTEGER_COLUMNS else "string"} for n in SOURCE_FILES_COLUMNS]
    resources.append(
        csv_resource(
            stage_dir / "source_files.csv",
            "source_files",
            description=(
                "Every raw file a published figure was read from (join marts on source_file_sha256): the "
                "publisher's page and file link, the unit the figures were published in, and whether the file "
                "held is the publisher's own or a republished copy."
            ),
            schema={"fields": source_fields},
        )
    )
    package = {
        "profile": "data-package",  # tabular CSVs with their schemas, and each one's Parquet twin as a file
        "name": "wholeplace",
        "title": (
            "DEMO with synthetic samples, not for use: whole-place budget and outcomes warehouse"
            if settings.samples
            else "Whole-place budget and outcomes warehouse"
        ),
        "version": version,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "content_hash": f"sha256:{content_hash}",
        "region": _region(settings),
        "licenses": [OGL],
        "contains_synthetic_data": bool(synthetic_sources),
        "synthetic_sources": synthetic_sources,
        "synthetic_note": (
            "Sources listed in synthetic_sources are samples in the publisher's format, not real "
            "publications; rows derived from them carry is_synthetic = true."
        )
        if synthetic_sources
        else None,
        "sources": sources,
        "stale_sources": stale,  # late publications: named, not blocking (core.freshness)
        "payment_coverage": coverage,  # bodies and months not held, labels unmapped (publication.coverage)
        "attribution": [s["attribution"] for s in sources],
        "resources": resources,
        "checks": checks,
    }
    (stage_dir / "datapackage.json").write_text(
        json.dumps(package, indent=2, default=str, allow_nan=False) + "\n", encoding="utf-8"
    )
    (stage_dir / "RELEASE_NOTES.md").write_text(
        _release_notes(version, rows, previous, sources, stale, coverage), encoding="utf-8"
    )
    if docs_index is not None and docs_index.exists():
        shutil.copytree(docs_index.parent, stage_dir / "data_docs")
    # CSVW, DCAT, the data dictionary and the changelog; the package is validated with frictionless
    # (an invalid release raises here, before anything is moved into place)
    write_release_metadata(stage_dir, package, previous, documented=documented)
    if with_site:  # no DuckDB connection is open here (dbt docs reads the file)
        build_sqlite(stage_dir, package)
        write_datasette_metadata(stage_dir, package)
        build_dbt_docs(stage_dir, settings)
        write_site(stage_dir, settings.duckdb_path, settings)
    write_checksums(stage_dir)  # last: every file the release holds, as published

    final = settings.releases_dir / version
    if final.exists():  # same content published earlier today, but not latest: re-point latest to it
        shutil.rmtree(stage_dir)
    else:
        os.replace(stage_dir, final)
        for path in final.rglob("*"):
            if path.is_file():
                path.chmod(0o444)
    _point_latest(settings, final)
    write_feed(settings.releases_dir)
    log.info("published release %s (%s)", version, final)
    return Release(version, final, True, rows, content_hash)


def _point_latest(settings: Settings, target: Path) -> None:
    """Swap the ``latest`` symlink in one rename (readers see the old or the new release)."""
    link = latest_path(settings)
    tmp = settings.releases_dir / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target.name, tmp)
    os.replace(tmp, link)
