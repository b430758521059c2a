"""warehouse.publication.publish: immutable releases of the marts, with a datapackage, and an atomic `latest`."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import stat
from pathlib import Path

import duckdb
import pytest

from core.catalogue import catalogue
from core.errors import PublishError
from core.landing import Landed, land
from core.settings import Settings
from ingest.run import refresh_metadata_tables
from tests.conftest import write_manifest
from warehouse.publication.publish import MARTS, PRIMARY_KEYS, latest_path, publish_release
from warehouse.publication.source_files import SOURCE_FILES_COLUMNS

MART_COLUMNS = ["area_name", "amount_gbp", "is_synthetic"]  # after the primary key


def build_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists marts")
    for mart in MARTS:
        key = PRIMARY_KEYS[mart]
        con.execute(
            f"create or replace table marts.{mart} ({key} varchar, area_name varchar, amount_gbp decimal(18, 3), "
            "is_synthetic boolean)"
        )
        con.execute(
            f"insert into marts.{mart} values ('{mart}-1', 'Birmingham', 1234.5, false), "
            f"('{mart}-2', 'Solihull', -7.25, true)"
        )


@pytest.fixture
def warehouse(warehouse_settings: Settings) -> tuple[Settings, Landed]:
    """Marts, one raw source table with lineage, the fetch manifest and the project's catalogue."""
    s = warehouse_settings
    landed = land(
        s.landing_dir,
        source_id="mhclg_rsx",
        period="2023-24",
        data=b"a publisher's file",
        url="snapshot://mhclg_rsx/RSX_2023-24_data_by_LA.csv",
        file_name="RSX_2023-24_data_by_LA.csv",
        mode="snapshot",
    )
    s.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(s.duckdb_path)) as con:
        build_marts(con)
        con.execute("create schema if not exists raw")
        con.execute("create table raw.mhclg_rsx (value integer, _source_file_sha256 varchar)")
        con.execute("insert into raw.mhclg_rsx values (1, ?)", [landed.sha256])
        refresh_metadata_tables(con, s)
    describe_marts(s)
    return s, landed


def describe_marts(settings: Settings) -> None:
    """dbt's docs of the made-up marts (a release takes its column descriptions from them)."""
    columns = {mart: [PRIMARY_KEYS[mart], *MART_COLUMNS] for mart in MARTS}
    write_manifest(settings.dbt_target_dir / "manifest.json", {**columns, "source_files": list(SOURCE_FILES_COLUMNS)})


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package(release_dir: Path) -> dict:
    return json.loads((release_dir / "datapackage.json").read_text(encoding="utf-8"))


def test_publish_writes_csv_and_parquet_per_mart_with_a_matching_datapackage(
    warehouse: tuple[Settings, Landed],
) -> None:
    settings, landed = warehouse

    release = publish_release(settings, checks={"gx": {"success": True}})

    assert release.created
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[0-9a-f]{12}", release.version)
    region = package(release.path)["region"]
    assert (region["name"], region["combined_authority_code"], region["council_count"]) == (
        "west-midlands",
        "E47000007",
        7,
    )
    assert release.version.endswith(release.content_hash[:12])
    assert release.path == settings.releases_dir / release.version
    assert release.rows == {mart: 2 for mart in MARTS}
    for mart in MARTS:
        raw = (release.path / f"{mart}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{mart}.csv has a BOM"
        rows = list(csv.reader(raw.decode("utf-8").splitlines()))
        assert rows[0] == [PRIMARY_KEYS[mart], *MART_COLUMNS]
        assert len(rows) == 3
        assert rows[1][:2] == [f"{mart}-1", "Birmingham"], "rows are ordered by the natural columns"
        with duckdb.connect() as con:
            parquet = con.execute(f"select * from read_parquet('{release.path / (mart + '.parquet')}')").fetchall()
        assert len(parquet) == 2

    pkg = package(release.path)
    assert pkg["version"] == release.version
    assert pkg["checks"] == {"gx": {"success": True}}
    resources = {r["name"]: r for r in pkg["resources"]}
    assert set(resources) == {*MARTS, *(f"{m}_parquet" for m in MARTS), "source_files"}
    for resource in pkg["resources"]:
        path = release.path / resource["path"]
        assert resource["hash"] == f"sha256:{sha256_of(path)}", resource["path"]
        assert resource["bytes"] == path.stat().st_size, resource["path"]
    assert resources["fct_spend"]["schema"]["primaryKey"] == "spend_key"
    assert resources["fct_spend"]["has_synthetic_rows"] is True
    assert {f["name"]: f["type"] for f in resources["fct_spend"]["schema"]["fields"]} == {
        "spend_key": "string",
        "area_name": "string",
        "amount_gbp": "number",
        "is_synthetic": "boolean",
    }
    with open(release.path / "source_files.csv", newline="", encoding="utf-8") as fh:
        source_files = list(csv.DictReader(fh))
    assert [(r["sha256"], r["source_id"], r["period"]) for r in source_files] == [
        (landed.sha256, "mhclg_rsx", "2023-24")
    ]
    rsx = next(s for s in pkg["sources"] if s["name"] == "mhclg_rsx")
    assert [f["sha256"] for f in rsx["files"]] == [landed.sha256]
    assert os.readlink(latest_path(settings)) == release.version
    assert latest_path(settings).resolve() == release.path.resolve()


def test_contains_synthetic_data_only_when_a_synthetic_sources_files_are_in_the_release(
    warehouse: tuple[Settings, Landed],
) -> None:
    settings, _ = warehouse
    synthetic = sorted(s.id for s in catalogue() if s.synthetic)
    assert synthetic, "the project catalogue has synthetic sources (the demo's samples)"

    first = publish_release(settings, checks={})  # catalogued, but none of their files loaded

    pkg = package(first.path)
    assert (pkg["contains_synthetic_data"], pkg["synthetic_sources"], pkg["synthetic_note"]) == (False, [], None)
    assert "synthetic" not in (first.path / "RELEASE_NOTES.md").read_text(encoding="utf-8").lower()

    sample = land(
        settings.landing_dir,
        source_id=synthetic[0],
        period="2024-04",
        data=b"a synthetic sample",
        url=f"snapshot://{synthetic[0]}/sample_SYNTHETIC.ods",
        file_name="sample_SYNTHETIC.ods",
        mode="snapshot",
    )
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute(f'create table raw."{synthetic[0]}" (value integer, _source_file_sha256 varchar)')
        con.execute(f'insert into raw."{synthetic[0]}" values (1, ?)', [sample.sha256])
        refresh_metadata_tables(con, settings)
        con.execute("insert into marts.dim_area values ('dim_area-3', 'Coventry', 0, false)")  # a new version
    second = publish_release(settings, checks={})

    pkg = package(second.path)
    assert (pkg["contains_synthetic_data"], pkg["synthetic_sources"]) == (True, [synthetic[0]])
    assert "**DEMO: contains synthetic data.**" in (second.path / "RELEASE_NOTES.md").read_text(encoding="utf-8")


def test_publishing_unchanged_marts_again_is_a_noop(warehouse: tuple[Settings, Landed]) -> None:
    settings, _ = warehouse
    first = publish_release(settings, checks={})
    releases = sorted(p.name for p in settings.releases_dir.iterdir())

    again = publish_release(settings, checks={"run": 2})

    assert (again.created, again.version, again.path) == (False, first.version, first.path)
    assert sorted(p.name for p in settings.releases_dir.iterdir()) == releases
    assert os.readlink(latest_path(settings)) == first.version
    assert package(first.path)["checks"] == {}, "the published release is not rewritten"


def test_unchanged_marts_in_a_new_release_format_are_published_anew(
    warehouse: tuple[Settings, Landed], monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.publication import publish

    settings, _ = warehouse
    first = publish_release(settings, checks={})
    monkeypatch.setattr(publish, "PUBLICATION_FORMAT", publish.PUBLICATION_FORMAT + " and the next change")

    again = publish_release(settings, checks={})

    assert again.created and again.version != first.version
    assert os.readlink(latest_path(settings)) == again.version
    assert first.path.is_dir(), "the earlier release stays"


def test_a_changed_mart_is_a_new_release_and_latest_moves_to_it(warehouse: tuple[Settings, Landed]) -> None:
    settings, _ = warehouse
    first = publish_release(settings, checks={})
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("insert into marts.fct_spend values ('fct_spend-3', 'Walsall', 42, false)")
        con.execute("delete from marts.dim_period where period_key = 'dim_period-2'")

    second = publish_release(settings, checks={})

    assert second.created
    assert second.version != first.version
    assert second.rows["fct_spend"] == 3
    assert os.readlink(latest_path(settings)) == second.version
    assert first.path.is_dir(), "earlier releases stay"
    notes = (second.path / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert f"# Release {second.version}" in notes
    assert f"Changes since {first.version}:" in notes
    assert "| fct_spend | 3 | +1 |" in notes
    assert "| dim_period | 1 | -1 |" in notes
    assert "| dim_area | 2 | +0 |" in notes
    assert "First release." in (first.path / "RELEASE_NOTES.md").read_text(encoding="utf-8")


def test_release_files_are_read_only(warehouse: tuple[Settings, Landed]) -> None:
    settings, _ = warehouse

    release = publish_release(settings, checks={})

    files = [p for p in release.path.rglob("*") if p.is_file()]
    # CSV + Parquet + CSVW per mart; source_files.csv (+ CSVW), datapackage.json, RELEASE_NOTES.md,
    # changelog.json, catalog.jsonld, data_dictionary.csv and .md, SHA256SUMS
    assert len(files) == 3 * len(MARTS) + 2 + 7
    writable = [p.name for p in files if stat.S_IMODE(p.stat().st_mode) & 0o222]
    assert writable == []


def test_publish_without_raw_source_tables_lists_no_source_files(warehouse_settings: Settings) -> None:
    settings = warehouse_settings
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        build_marts(con)
        refresh_metadata_tables(con, settings)  # no manifest yet: an empty table
    describe_marts(settings)

    release = publish_release(settings, checks={})

    assert release.created
    assert (release.path / "source_files.csv").read_text(encoding="utf-8").splitlines()[0].startswith("sha256,")
    assert len((release.path / "source_files.csv").read_text(encoding="utf-8").splitlines()) == 1
    assert all(s["files"] == [] for s in package(release.path)["sources"])


def test_publish_refuses_when_a_mart_is_missing(warehouse: tuple[Settings, Landed]) -> None:
    settings, _ = warehouse
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("drop table marts.dim_indicator")

    with pytest.raises(PublishError, match=r"mart marts\.dim_indicator does not exist"):
        publish_release(settings, checks={})

    assert not latest_path(settings).exists()


def test_release_csvs_use_gss_status_shorthand_and_escape_formula_like_text():
    import duckdb

    from warehouse.publication.publish import published_select_list

    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values "
        "('=SUM(A1)', 'not_available', -5), ('Birmingham', 'published', 3), ('@cmd', 'blank', 0), "
        "('-x', 'not_loaded', -1), (null, null, null)) v(name, value_status, amount_gbp)"
    )
    cols = con.execute(
        "select column_name, data_type from information_schema.columns where table_name = 't'"
    ).fetchall()
    rows = con.execute(f"select {published_select_list(cols)} from t").fetchall()
    assert rows == [
        ("'=SUM(A1)", "[x]", -5),  # text that would run as a formula is escaped; numbers keep their sign
        ("Birmingham", "published", 3),
        ("'@cmd", "[x]", 0),
        ("'-x", "[x]", -1),
        (None, None, None),
    ]


def test_a_late_source_does_not_block_the_release_but_is_named_in_it(warehouse: tuple[Settings, Landed]) -> None:
    from dataclasses import replace

    from core.landing import append_manifest_rows

    settings, landed = warehouse
    fresh = publish_release(settings, checks={})
    # (the fixture's RSX 2023-24 is itself behind its publisher by period, whatever today is: RA is the case here)
    assert all(s["source_id"] != "mhclg_ra" for s in package(fresh.path)["stale_sources"])
    assert "- mhclg_ra:" not in (fresh.path / "RELEASE_NOTES.md").read_text(encoding="utf-8")

    # RA's last new file came in July 2023: the files due each 30 June since are late
    old = replace(landed, source_id="mhclg_ra", period="2022-23", retrieved_at="2023-07-03T06:00:00+00:00")
    append_manifest_rows(settings.landing_dir, [old])
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("insert into marts.dim_area values ('dim_area-3', 'Coventry', 0, false)")  # a new version
    stale = publish_release(settings, checks={})

    (ra,) = [s for s in package(stale.path)["stale_sources"] if s["source_id"] == "mhclg_ra"]
    assert (ra["source_id"], ra["due"], ra["latest_period"]) == ("mhclg_ra", "2024-06-30", "2022-23")
    assert ra["late_by_days"] > 365
    notes = (stale.path / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "**Stale sources.**" in notes and "- mhclg_ra: 2022-23 (LATE: " in notes
    assert ra["detail"] == f"LATE: {ra['expected_period']} expected since {ra['expected_since']}"
    assert ra["expected_period"] > "2022-23"


def edit_release_file(path: Path, edit) -> None:
    path.chmod(0o644)
    path.write_bytes(edit(path.read_bytes()))


def test_a_release_lists_every_file_it_holds_and_verifies_intact(warehouse: tuple[Settings, Landed]) -> None:
    from warehouse.publication.integrity import CHECKSUMS, verify_release

    settings, _ = warehouse
    first = publish_release(settings, checks={})

    listed = {line.split("  ", 1)[1] for line in (first.path / CHECKSUMS).read_text().splitlines()}
    held = {p.relative_to(first.path).as_posix() for p in first.path.rglob("*") if p.is_file()} - {CHECKSUMS}
    assert listed == held and "datapackage.json" in listed
    found = verify_release(first.path)
    assert found.ok and found.checked == len(held)


def test_an_edited_missing_or_added_release_file_is_reported_by_name(warehouse: tuple[Settings, Landed]) -> None:
    from warehouse.cli import main
    from warehouse.publication.integrity import verify_release

    settings, _ = warehouse
    first = publish_release(settings, checks={})
    edit_release_file(first.path / "fct_spend.csv", lambda b: b.replace(b",", b";", 1))
    (first.path / "dim_area.parquet").chmod(0o644)
    (first.path / "dim_area.parquet").unlink()
    (first.path / "RELEASE_NOTES.md").chmod(0o644)
    (first.path / "notes.txt").write_text("added by hand")

    problems = verify_release(first.path).problems

    assert any(p.startswith("fct_spend.csv: differs from the sha256 datapackage.json lists") for p in problems)
    assert "dim_area.parquet: missing (datapackage.json lists it)" in problems
    assert "notes.txt: added since publication (not in SHA256SUMS)" in problems
    assert len(problems) == 3
    assert main(["verify", str(first.path)]) == 1
    assert main(["verify", first.version]) == 1  # by its version name too


def test_a_run_whose_latest_release_was_edited_publishes_an_intact_one_not_no_change(
    warehouse: tuple[Settings, Landed], recorder
) -> None:
    from warehouse.publication.integrity import verify_release

    settings, _ = warehouse
    first = publish_release(settings, checks={})
    edit_release_file(first.path / "dim_area.csv", lambda b: b + b"E99999999,Nowhere\n")

    again = publish_release(settings, checks={})

    assert again.created and again.version == f"{first.version}-r2"
    assert os.readlink(latest_path(settings)) == again.version
    assert verify_release(again.path).ok
    assert not verify_release(first.path).ok, "the damaged release is left as it is, for inspection"
    from tests.reliability.report import record_hardening

    record_hardening(
        recorder,
        "a file edited inside the latest release",
        "named by make verify / make status / the run's start (differs, missing or added, against datapackage.json "
        f"and SHA256SUMS); the next publish writes an intact {again.version[-15:]} instead of 'no change'",
    )


def test_a_release_passes_the_validators_a_portal_runs(
    warehouse: tuple[Settings, Landed],
) -> None:
    from tests import portal_checks

    settings, _ = warehouse
    release = publish_release(settings, checks={"gx": {"success": True}})

    report = portal_checks.frictionless(release.path)
    assert portal_checks.frictionless_errors(report) == [] and report["valid"] is True
    assert len(report["tasks"]) == len(package(release.path)["resources"])  # every file, Parquet included
    code, said = portal_checks.shacl(release.path)
    assert code == 0 and "Conforms: True" in said, said
    assert set(portal_checks.csvw(release.path).values()) == {"OK"}


def test_frictionless_catches_a_parquet_file_changed_after_publishing(warehouse: tuple[Settings, Landed]) -> None:
    from tests import portal_checks

    settings, _ = warehouse
    release = publish_release(settings, checks={"gx": {"success": True}})
    parquet = release.path / "fct_spend.parquet"
    parquet.chmod(0o644)
    with open(parquet, "ab") as fh:
        fh.write(b"\0")

    errors = portal_checks.frictionless_errors(portal_checks.frictionless(release.path))

    assert any(e.startswith("fct_spend_parquet: ") and "hash" in e for e in errors), errors
    assert any(e.startswith("fct_spend_parquet: ") and "byte count" in e for e in errors), errors
