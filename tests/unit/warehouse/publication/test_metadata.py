"""warehouse.publication.metadata: CSVW, DCAT, data dictionary, changelog and Frictionless validation of a release."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.errors import PublishError
from core.marts import MARTS, PRIMARY_KEYS
from tests.paths import FIXTURES_DIR, PROJECT_ROOT
from warehouse.publication.metadata import (
    ColumnMeaning,
    Documented,
    unit_for,
)
from warehouse.publication.metadata import write_release_metadata as write_with_docs
from warehouse.publication.source_files import SOURCE_FILES_COLUMNS

FIXTURES = FIXTURES_DIR
COLUMN_DOCS = PROJECT_ROOT / "dbt_project" / "models" / "docs" / "columns.md"
CREATED = "2026-11-25T12:00:00Z"
OGL = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


PROJECT_DOCS: list[Documented] = []


@pytest.fixture(autouse=True)
def documented(project_docs: Documented) -> Documented:
    """The release is described by the project's dbt docs (its manifest), as publish passes them."""
    PROJECT_DOCS[:] = [project_docs]
    return project_docs


def write_release_metadata(folder: Path, package: dict, previous: Path | None, **options) -> dict:
    return write_with_docs(folder, package, previous, **{"documented": PROJECT_DOCS[0], **options})


# two small marts, as publish.py stages them: (field, frictionless type, dbt description) and rows
FCT_SPEND_FIELDS = [
    ("spend_key", "string", ""),
    ("financial_year", "string", ""),
    ("area_code", "string", ""),
    ("amount_gbp", "number", ""),
    ("source_row", "integer", "Row of the figure in the raw file, as a spreadsheet shows it (1-based)."),
    ("is_synthetic", "boolean", "True when the figure comes from a synthetic sample."),
]
FCT_SPEND_ROWS = [
    ["k1", "2021-22", "E08000025", "1234.50", "10", "false"],
    ["k2", "2023-24", "E08000026", "-7.25", "11", "true"],
    ["k3", "2023-24", "E08000027", "0.00", "12", "false"],
]
DIM_PERIOD_FIELDS = [
    ("period_key", "string", ""),
    ("financial_year", "string", ""),
    ("start_date", "date", ""),
    ("start_year", "integer", ""),
]
DIM_PERIOD_ROWS = [
    ["p1", "2021-22", "2021-04-01", "2021"],
    ["p2", "2025-26", "2025-04-01", "2025"],  # a calendar year with no data: not in dct:temporal
]
SOURCE_FILES_HEADER = list(SOURCE_FILES_COLUMNS)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def source(name: str, files: list[tuple[str, str, str]], *, synthetic: bool = False) -> dict:
    """A package["sources"] entry as publish.py writes it; files are (period, file_name, sha256)."""
    return {
        "name": name,
        "title": f"{name} title",
        "path": f"https://www.gov.uk/{name}",
        "publisher": "MHCLG",
        "licence": "OGL-UK-3.0",
        "attribution": f"Contains public sector information licensed under the OGL v3.0. Source: {name}.",
        "synthetic": synthetic,
        "provenance": "Real publication.",
        "files": [
            {
                "sha256": sha,
                "period": period,
                "file_name": file_name,
                "url": f"snapshot://{name}/{file_name}",
                "origin_url": None,
                "mode": "snapshot",
                "first_retrieved_at": "2026-11-25T11:00:00Z",
            }
            for period, file_name, sha in files
        ],
    }


DEFAULT_SOURCES = [
    source("mhclg_rsx", [("2023-24", "RSX_2023-24.csv", "a" * 64)]),
    source("ascof", [("2023-24", "ASCOF_2023-24_SYNTHETIC.csv", "b" * 64)], synthetic=True),
]


def resource(release: Path, name: str, fmt: str, fields: list[tuple[str, str, str]] | None, rows: int | None) -> dict:
    """A resource in the shape publish.py writes (plus the tabular profile it should add)."""
    path = release / (f"{name}.{fmt}" if name != "source_files" else "source_files.csv")
    out = {
        "name": name if fmt == "csv" else f"{name}_parquet",
        "path": path.name,
        "format": fmt,
        "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
        "bytes": path.stat().st_size,
        "hash": f"sha256:{sha256_of(path)}",
        "description": f"The {name} table.",
    }
    if rows is not None:
        out["rows"] = rows
    if fields is not None:
        out["schema"] = {
            "fields": [{"name": n, "type": t, "description": d} for n, t, d in fields],
            "primaryKey": PRIMARY_KEYS[name],
        }
    if fmt == "csv":
        out["encoding"] = "utf-8"
        out["dialect"] = {"delimiter": ",", "header": True}
    return out


def build_release(
    release: Path,
    *,
    spend_rows: list[list[str]] = FCT_SPEND_ROWS,
    spend_fields: list[tuple[str, str, str]] = FCT_SPEND_FIELDS,
    sources: list[dict] = DEFAULT_SOURCES,
    version: str = "2026-11-25-000000000001",
    tabular_profiles: bool = True,
    parquet: bool = False,
) -> dict:
    """A tiny staged release: fct_spend and dim_period as CSV, source_files.csv, datapackage.json.

    ``tabular_profiles`` adds what publish.py must add for the tabular-data-package profile:
    "profile": "tabular-data-resource" on every resource and a schema for source_files.
    """
    release.mkdir(parents=True, exist_ok=True)
    write_csv(release / "fct_spend.csv", [f for f, _, _ in spend_fields], spend_rows)
    write_csv(release / "dim_period.csv", [f for f, _, _ in DIM_PERIOD_FIELDS], DIM_PERIOD_ROWS)
    files = sorted((f["sha256"], s["name"], f["period"], f["file_name"]) for s in sources for f in s["files"])
    write_csv(
        release / "source_files.csv",
        SOURCE_FILES_HEADER,
        [
            [sha, sid, period, name, f"snapshot://{sid}/{name}", "", "", "snapshot", "100"]
            + [f"https://www.gov.uk/{sid}", "", "£ thousand", "1000", "publisher_file", "the publisher's own file"]
            for sha, sid, period, name in files
        ],
    )
    resources = [
        resource(release, "fct_spend", "csv", spend_fields, len(spend_rows)),
        resource(release, "dim_period", "csv", DIM_PERIOD_FIELDS, len(DIM_PERIOD_ROWS)),
    ]
    if parquet:
        table = pa.table({n: [r[i] for r in DIM_PERIOD_ROWS] for i, (n, _, _) in enumerate(DIM_PERIOD_FIELDS)})
        pq.write_table(table, release / "dim_period.parquet")
        resources.append(resource(release, "dim_period", "parquet", DIM_PERIOD_FIELDS, len(DIM_PERIOD_ROWS)))
    resources.append(resource(release, "source_files", "csv", None, None))
    if tabular_profiles:
        for r in resources:
            r["profile"] = "tabular-data-resource"
        resources[-1]["schema"] = {
            "fields": [{"name": n, "type": "integer" if n == "bytes" else "string"} for n in SOURCE_FILES_HEADER]
        }
    synthetic = [s["name"] for s in sources if s["synthetic"]]
    package = {
        "profile": "tabular-data-package",
        "name": "wholeplace",
        "title": "Whole-place budget and outcomes warehouse",
        "version": version,
        "created": CREATED,
        "content_hash": "sha256:" + "0" * 64,
        "region": {
            "name": "west-midlands",
            "title": "West Midlands",
            "combined_authority_code": "E47000007",
            "combined_authority_name": "West Midlands Combined Authority",
            "ons_region_code": "E12000005",
            "ons_region_name": "West Midlands",
            "council_count": 7,
        },
        "licenses": [OGL],
        "contains_synthetic_data": bool(synthetic),
        "synthetic_sources": synthetic,
        "synthetic_note": "synthetic samples" if synthetic else None,
        "sources": sources,
        "attribution": [s["attribution"] for s in sources],
        "resources": resources,
        "checks": {"gx": {"success": True}},
    }
    (release / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")
    (release / "RELEASE_NOTES.md").write_text(f"# Release {version}\n\nFirst release.\n", encoding="utf-8")
    return package


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def release(tmp_path: Path) -> tuple[Path, dict]:
    folder = tmp_path / "staging" / "release"
    return folder, build_release(folder)


# ---- CSVW ---------------------------------------------------------------------------------------


def test_a_csvw_file_per_csv_with_every_column_and_its_datatype(release: tuple[Path, dict]) -> None:
    folder, package = release

    write_release_metadata(folder, package, None)

    spend = load(folder / "fct_spend.csv-metadata.json")
    assert spend["@context"] == "http://www.w3.org/ns/csvw"
    assert spend["url"] == "fct_spend.csv"
    assert spend["dc:license"] == {"@id": OGL["path"]}
    assert spend["dc:title"].endswith("fct_spend")
    assert spend["dialect"]["header"] is True
    assert spend["dialect"]["encoding"] == "utf-8"
    columns = spend["tableSchema"]["columns"]
    assert [(c["name"], c["datatype"]) for c in columns] == [
        ("spend_key", "string"),
        ("financial_year", "string"),
        ("area_code", "string"),
        ("amount_gbp", "decimal"),
        ("source_row", "integer"),
        ("is_synthetic", "boolean"),
    ]
    assert all(c["titles"] == c["name"] and c["dc:description"] for c in columns)
    assert spend["tableSchema"]["primaryKey"] == "spend_key"

    period = load(folder / "dim_period.csv-metadata.json")
    assert {c["name"]: c["datatype"] for c in period["tableSchema"]["columns"]}["start_date"] == "date"
    files = load(folder / "source_files.csv-metadata.json")
    assert [c["name"] for c in files["tableSchema"]["columns"]] == SOURCE_FILES_HEADER
    assert sorted(p.name for p in folder.glob("*.csv-metadata.json")) == [
        "dim_period.csv-metadata.json",
        "fct_spend.csv-metadata.json",
        "source_files.csv-metadata.json",
    ]


# ---- DCAT ---------------------------------------------------------------------------------------


def test_the_dcat_catalogue_has_a_distribution_per_file_with_its_size_and_sha256(release: tuple[Path, dict]) -> None:
    folder, package = release

    write_release_metadata(folder, package, None)

    catalog = load(folder / "catalog.jsonld")
    for prefix in ("dcat", "dct", "foaf", "vcard"):
        assert prefix in catalog["@context"]
    dataset = catalog["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:identifier"] == package["version"]
    assert dataset["dct:issued"] == dataset["dct:modified"] == CREATED
    assert dataset["dct:license"] == {"@id": OGL["path"]}
    assert dataset["dct:spatial"]["@id"] == "http://statistics.data.gov.uk/id/statistical-geography/E47000007"
    assert dataset["dcat:contactPoint"]["vcard:fn"]
    assert dataset["dcat:keyword"] and dataset["dcat:theme"] and dataset["dct:accrualPeriodicity"]
    assert [t["rdfs:label"] for t in dataset["dct:temporal"]] == ["2021-22", "2023-24"], "years of the facts"
    assert dataset["dct:temporal"][0]["dcat:startDate"] == "2021-04-01"
    assert dataset["dct:temporal"][1]["dcat:endDate"] == "2024-03-31"

    distributions = {d["dcat:downloadURL"]["@id"]: d for d in dataset["dcat:distribution"]}
    assert set(distributions) == {r["path"] for r in package["resources"]}
    for path, distribution in distributions.items():
        assert distribution["dcat:byteSize"] == str((folder / path).stat().st_size)  # typed xsd:decimal
        # DCAT-AP 2.1.1 admits SHA-1 only as spdx:checksum; the release's own sha256 sits beside it
        assert (
            distribution["spdx:checksum"]["spdx:checksumValue"]
            == hashlib.sha1((folder / path).read_bytes()).hexdigest()
        )
        assert distribution["spdx:checksum"]["spdx:algorithm"] == {"@id": "spdx:checksumAlgorithm_sha1"}
        assert distribution["wholeplace:sha256"] == sha256_of(folder / path)
    assert catalog["@context"]["dcat:byteSize"] == {"@type": "xsd:decimal"}
    assert distributions["fct_spend.csv"]["dcat:mediaType"]["@id"].endswith("/text/csv")

    sources = {s["dct:identifier"]: s for s in dataset["dct:source"]}
    assert len({s["@id"] for s in sources.values()}) == len(sources), "one node per source, not per landing page"
    assert all(s["dct:description"] for s in sources.values())
    assert sources["ascof"]["wholeplace:synthetic"] is True
    assert sources["mhclg_rsx"]["wholeplace:synthetic"] is False
    assert "Source: mhclg_rsx" in sources["mhclg_rsx"]["dct:rights"]["rdfs:label"]
    assert dataset["wholeplace:containsSyntheticData"] is True


def test_the_dcat_catalogue_conforms_to_the_dcat_ap_shapes_and_a_violation_stops_the_release(
    release: tuple[Path, dict],
) -> None:
    from warehouse.publication.metadata.dcat import catalog_violations, check_catalog

    folder, package = release
    write_release_metadata(folder, package, None)  # checks the catalogue: it conforms
    assert catalog_violations(folder) == []

    catalog = load(folder / "catalog.jsonld")
    catalog["dcat:dataset"]["dcat:distribution"][0].pop("dcat:accessURL")
    catalog["dcat:dataset"]["dcat:distribution"][1]["spdx:checksum"]["spdx:algorithm"] = {
        "@id": "spdx:checksumAlgorithm_sha256"
    }
    (folder / "catalog.jsonld").write_text(json.dumps(catalog), encoding="utf-8")

    with pytest.raises(PublishError, match=r"DCAT-AP 2.1.1 SHACL shapes \(2 violation\(s\)\)") as raised:
        check_catalog(folder)
    assert "dcat:accessURL" in str(raised.value) and "spdx:algorithm" in str(raised.value)


# ---- data dictionary -------------------------------------------------------------------------------


def test_the_data_dictionary_covers_every_column_with_type_unit_and_description(
    release: tuple[Path, dict], documented: Documented
) -> None:
    folder, package = release

    write_release_metadata(folder, package, None)

    rows = read_rows(folder / "data_dictionary.csv")
    assert list(rows[0]) == ["table", "column", "type", "unit", "description"]
    published = [
        (name, column)
        for name in ("fct_spend", "dim_period", "source_files")
        for column in next(csv.reader(open(folder / f"{name}.csv", newline="", encoding="utf-8")))
    ]
    assert [(r["table"], r["column"]) for r in rows] == published
    assert all(r["description"] for r in rows)
    by_column = {(r["table"], r["column"]): r for r in rows}
    assert by_column[("fct_spend", "amount_gbp")]["unit"] == "pounds (GBP)"
    assert by_column[("fct_spend", "amount_gbp")]["type"] == "number"
    assert by_column[("fct_spend", "is_synthetic")]["unit"] == "boolean flag"
    assert by_column[("fct_spend", "spend_key")]["unit"] == "surrogate key (no unit)"
    assert by_column[("fct_spend", "area_code")]["unit"] == "code"
    assert by_column[("fct_spend", "source_row")]["unit"] == "row number", "the documented unit (meta.unit) wins"
    assert by_column[("dim_period", "start_date")]["unit"] == "date"
    assert by_column[("source_files", "bytes")]["type"] == "integer"
    # the description in the package wins; dbt's docs fill the empty ones
    assert (
        by_column[("fct_spend", "is_synthetic")]["description"] == "True when the figure comes from a synthetic sample."
    )
    assert (
        by_column[("fct_spend", "amount_gbp")]["description"]
        == documented.columns["fct_spend"]["amount_gbp"].description
    )

    markdown = (folder / "data_dictionary.md").read_text(encoding="utf-8")
    for table in ("fct_spend", "dim_period", "source_files"):
        assert f"\n## {table}\n" in markdown
    assert "| `amount_gbp` | number | pounds (GBP) |" in markdown


def test_a_column_without_any_description_is_refused_by_name(tmp_path: Path, documented: Documented) -> None:
    fields = [*FCT_SPEND_FIELDS, ("mystery_value", "number", "")]
    rows = [[*r, "1"] for r in FCT_SPEND_ROWS]
    folder = tmp_path / "release"
    package = build_release(folder, spend_rows=rows, spend_fields=fields)

    with pytest.raises(PublishError, match=r"fct_spend\.mystery_value"):
        write_release_metadata(folder, package, None)

    assert not (folder / "catalog.jsonld").exists(), "nothing is written for a release that is refused"

    columns = {**documented.columns, "fct_spend": {**documented.columns["fct_spend"]}}
    columns["fct_spend"]["mystery_value"] = ColumnMeaning("A value only fct_spend has.", unit="widgets")
    write_with_docs(folder, package, None, documented=Documented(documented.tables, columns))
    row = next(r for r in read_rows(folder / "data_dictionary.csv") if r["column"] == "mystery_value")
    assert (row["description"], row["unit"]) == ("A value only fct_spend has.", "widgets")


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("budget_gbp", "pounds (GBP)"),
        ("value_gbp_thousands", "thousands of pounds (GBP)"),
        ("variance_pct", "percent"),
        ("population_count", "count"),
        ("period_end_date", "date"),
        ("loaded_at", "UTC timestamp"),
        ("is_complete", "boolean flag"),
        ("has_derived_person_counts", "boolean flag"),
        ("area_key", "surrogate key (no unit)"),
        ("indicator_code", "code"),
        ("area_name", "none"),
    ],
)
def test_units_follow_the_naming_contract(column: str, unit: str) -> None:
    assert unit_for(column) == unit


# ---- changelog ----------------------------------------------------------------------------------


def test_the_changelog_counts_rows_by_primary_key_and_flags_a_restated_source(tmp_path: Path) -> None:
    previous = tmp_path / "releases" / "2026-11-01-aaaaaaaaaaaa"
    build_release(
        previous,
        version=previous.name,
        sources=[
            source("mhclg_rsx", [("2023-24", "RSX_2023-24.csv", "a" * 64)]),
            source("mhclg_ra", [("2023-24", "RA_2023-24.csv", "c" * 64)]),
        ],
    )
    current_rows = [
        FCT_SPEND_ROWS[0],  # k1 unchanged
        ["k2", "2023-24", "E08000026", "-9.99", "11", "true"],  # k2 changed
        ["k4", "2023-24", "E08000028", "5.00", "13", "false"],  # k4 added; k3 removed
    ]
    folder = tmp_path / "staging" / "release"
    package = build_release(
        folder,
        spend_rows=current_rows,
        sources=[
            source("mhclg_rsx", [("2023-24", "RSX_2023-24_revised.csv", "d" * 64)]),  # a new vintage
            source("mhclg_ra", [("2023-24", "RA_2023-24.csv", "c" * 64)]),  # unchanged
            source("ascof", [("2023-24", "ASCOF_2023-24_SYNTHETIC.csv", "b" * 64)], synthetic=True),  # new
        ],
    )

    changelog = write_release_metadata(folder, package, previous)

    assert load(folder / "changelog.json") == changelog
    assert changelog["previous_version"] == previous.name
    spend = changelog["marts"]["fct_spend"]
    assert (spend["rows_before"], spend["rows_after"]) == (3, 3)
    assert (spend["added"], spend["removed"], spend["changed"]) == (1, 1, 1)
    assert spend["primary_key"] == ["spend_key"]
    period = changelog["marts"]["dim_period"]
    assert (period["added"], period["removed"], period["changed"]) == (0, 0, 0)
    assert "source_files" not in changelog["marts"], "no primary key: not a mart"
    assert changelog["restated_sources"] == [
        {
            "source": "mhclg_rsx",
            "period": "2023-24",
            "file_name": "RSX_2023-24_revised.csv",
            "sha256": "d" * 64,
            "replaces_sha256": ["a" * 64],
        }
    ]
    assert [(s["source"], s["period"]) for s in changelog["new_sources"]] == [("ascof", "2023-24")]

    notes = (folder / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert notes.startswith("# Release ")
    assert "- fct_spend: +1 / -1 / ~1 (3 rows)" in notes
    assert "- unchanged: dim_period" in notes
    assert "- mhclg_rsx 2023-24: RSX_2023-24_revised.csv (sha256 dddddddddddd)" in notes


def test_on_the_first_release_every_row_and_source_is_new(release: tuple[Path, dict]) -> None:
    folder, package = release

    changelog = write_release_metadata(folder, package, None)

    assert changelog["previous_version"] is None
    assert changelog["marts"]["fct_spend"] == {
        "primary_key": ["spend_key"],
        "rows_before": 0,
        "rows_after": 3,
        "added": 3,
        "removed": 0,
        "changed": 0,
        "columns_added": [],
        "columns_removed": [],
    }
    assert changelog["restated_sources"] == []
    assert {s["source"] for s in changelog["new_sources"]} == {"mhclg_rsx", "ascof"}
    assert "- fct_spend: +3 / -0 / ~0 (3 rows)" in (folder / "RELEASE_NOTES.md").read_text(encoding="utf-8")


def test_the_output_is_deterministic_and_a_retry_does_not_repeat_the_notes(release: tuple[Path, dict]) -> None:
    folder, package = release
    names = ["catalog.jsonld", "changelog.json", "data_dictionary.csv", "data_dictionary.md", "RELEASE_NOTES.md"]

    write_release_metadata(folder, package, None)
    first = {n: (folder / n).read_bytes() for n in names}
    write_release_metadata(folder, package, None)

    assert {n: (folder / n).read_bytes() for n in names} == first
    assert first["RELEASE_NOTES.md"].count(b"## Changes by primary key") == 1


# ---- validation ---------------------------------------------------------------------------------


def test_text_in_an_integer_column_fails_validation_naming_the_resource_and_row(tmp_path: Path) -> None:
    rows = [list(r) for r in FCT_SPEND_ROWS]
    rows[1][4] = "12x4"  # source_row of the second data row (row 3 as a spreadsheet shows it)
    folder = tmp_path / "release"
    package = build_release(folder, spend_rows=rows)

    with pytest.raises(PublishError, match=r"resource fct_spend, row 3, field source_row: .*12x4"):
        write_release_metadata(folder, package, None)


def test_a_file_that_does_not_match_its_hash_fails_validation(release: tuple[Path, dict]) -> None:
    folder, package = release
    with open(folder / "dim_period.csv", "a", encoding="utf-8") as fh:
        fh.write("p3,2026-27,2026-04-01,2026\n")

    with pytest.raises(PublishError, match=r"resource dim_period.*(hash|byte|row)"):
        write_release_metadata(folder, package, None)


def test_parquet_resources_are_checked_for_columns_rows_bytes_and_hash(tmp_path: Path) -> None:
    folder = tmp_path / "release"
    package = build_release(folder, parquet=True)
    write_release_metadata(folder, package, None)  # a matching Parquet file validates

    descriptor = load(folder / "datapackage.json")
    parquet = next(r for r in descriptor["resources"] if r["name"] == "dim_period_parquet")
    parquet["rows"] = 5
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")

    with pytest.raises(PublishError, match=r"resource dim_period_parquet: 2 rows, the datapackage says 5"):
        write_release_metadata(folder, descriptor, None)


def test_the_package_publish_writes_today_is_refused_unless_validation_is_off(tmp_path: Path) -> None:
    """publish.py's current shape: no resource profile, source_files without schema, NaN for null."""
    folder = tmp_path / "release"
    package = build_release(folder, tabular_profiles=False)
    text = (folder / "datapackage.json").read_text(encoding="utf-8").replace('"origin_url": null', '"origin_url": NaN')
    (folder / "datapackage.json").write_text(text, encoding="utf-8")

    with pytest.raises(PublishError) as raised:
        write_release_metadata(folder, package, None)
    assert 'requires all the resources to be "tabular-data-resource"' in str(raised.value)
    assert "NaN is not JSON" in str(raised.value)
    assert "sources[0].files[0].origin_url" in str(raised.value)

    changelog = write_release_metadata(folder, package, None, validate=False)
    assert changelog["marts"]["fct_spend"]["added"] == 3
    assert (folder / "catalog.jsonld").exists()


# ---- dbt's docs of the real marts -----------------------------------------------------------------


def test_dbt_docs_describe_every_published_table_with_its_key(documented: Documented) -> None:
    assert set(documented.columns) == {*MARTS, "source_files"}
    for table, columns in documented.columns.items():
        assert documented.tables[table], table
        undescribed = [c for c, meaning in columns.items() if not meaning.description]
        assert undescribed == [], table
        if table in PRIMARY_KEYS:
            assert PRIMARY_KEYS[table] in columns, table
    assert documented.columns["dim_area"]["vintage"].unit == "year"
    assert documented.columns["source_files"]["bytes"] == ColumnMeaning("Size of the raw file.", "bytes", "integer")


def test_a_meaning_shared_by_marts_is_written_once_as_a_doc_block(documented: Documented) -> None:
    """Each doc block of columns.md is a meaning several marts share, rendered in each of them."""
    blocks = re.findall(r"\{% docs (col_\w+) %\}(.*?)\{% enddocs %\}", COLUMN_DOCS.read_text(encoding="utf-8"), re.S)
    assert blocks
    for name, text in blocks:
        column = name.removeprefix("col_")
        users = [
            t for t, columns in documented.columns.items() if columns.get(column, ColumnMeaning("")).description == text
        ]
        assert len(users) >= 2, f"{name} describes {column} in {users} only"
