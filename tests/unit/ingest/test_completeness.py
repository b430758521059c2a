"""The completeness gate (ingest.completeness): a file that lacks an area its region needs, an area
its period's previous vintage held, or markedly fewer rows than that vintage, is refused before
anything is loaded, naming the file and what it lacks; an acknowledged restatement loads, and the
acknowledgement is recorded and named in the release's changelog."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from core.catalogue import CatalogueError, parse_catalogue
from core.errors import SourceError
from ingest.run import ingest_source
from ingest.sources import check_source
from tests.paths import SNAPSHOTS_DIR
from tests.reliability.report import record_hardening
from warehouse.publication.metadata import build_changelog, changelog_summary

BUNDLED = SNAPSHOTS_DIR
RSX_2122 = "mhclg_rsx/RSX_2021-22_data_by_LA_Live.csv"
MYE_2024 = "ons_mid_year_estimates/mye24tablesew_MYE2_persons.csv"


@pytest.fixture
def snapshots(warehouse_settings, tmp_path, monkeypatch) -> Path:
    """A writable copy of the files these tests edit, as the snapshot folder."""
    folder = tmp_path / "snapshots"
    edited = {RSX_2122, MYE_2024}
    for source in BUNDLED.iterdir():  # every other source's folder is the bundled one (linked)
        if source.name not in {Path(n).parts[0] for n in edited}:
            (folder / source.name).parent.mkdir(parents=True, exist_ok=True)
            (folder / source.name).symlink_to(source)
            continue
        for path in source.iterdir():
            target = folder / source.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            # a copy, not a link: the run refuses a snapshot file that is a link
            shutil.copyfile(path, target)
            target.chmod(0o644)
    monkeypatch.setenv("WHOLEPLACE_SNAPSHOT_DIR", str(folder))
    return folder


def rows(settings, table: str, period: str) -> list[tuple]:
    """The period's raw rows ([] when nothing was ever loaded)."""
    if not settings.duckdb_path.exists():
        return []
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        if not con.execute("select count(*) from duckdb_tables() where table_name = ?", [table]).fetchall()[0][0]:
            return []
        return con.execute(f"select * from raw.{table} where _period = ? order by all", [period]).fetchall()


def test_a_council_whose_area_code_changed_is_refused_naming_the_file_and_the_missing_code(
    snapshots, warehouse_settings, recorder
):
    path = snapshots / RSX_2122
    text = path.read_bytes()
    assert text.count(b",E08000025,") == 1
    path.write_bytes(text.replace(b",E08000025,", b",E08000099,"))  # Birmingham's row, its name unchanged

    with pytest.raises(SourceError) as refused:
        ingest_source("mhclg_rsx", ["2021-22"])

    message = str(refused.value)
    assert message.startswith("mhclg_rsx: RSX_2021-22_data_by_LA_Live.csv: refused before loading (2021-22)")
    assert "lacks 1 area(s) the region needs: E08000025 (Birmingham)" in message
    assert "ACCEPT_FEWER_ROWS=mhclg_rsx:2021-22" in message
    assert rows(warehouse_settings, "mhclg_rsx", "2021-22") == []
    record_hardening(recorder, "a council's area code changed", "refused before loading: " + message[:160] + "...")


def truncate_at_a_line_break(path: Path, keep: float) -> int:
    """Cut the file at the line break nearest ``keep`` of its length (still valid CSV); its lines."""
    data = path.read_bytes()
    cut = data.index(b"\n", int(len(data) * keep)) + 1
    path.write_bytes(data[:cut])
    return data[:cut].count(b"\n")


def test_a_file_cut_short_at_a_line_break_is_refused_against_the_previous_vintage(
    snapshots, warehouse_settings, recorder
):
    (first,) = ingest_source("ons_mid_year_estimates", ["2024"])
    before = rows(warehouse_settings, "ons_mid_year_estimates", "2024")
    truncate_at_a_line_break(snapshots / MYE_2024, 0.5)

    with pytest.raises(SourceError) as refused:
        ingest_source("ons_mid_year_estimates", ["2024"])

    message = str(refused.value)
    assert message.startswith("ons_mid_year_estimates: mye24tablesew_MYE2_persons.csv: refused before loading")
    assert f"where the previous vintage (mye24tablesew_MYE2_persons.csv sha256 {first.sha256[:12]}) had 357" in message
    assert "over the 2% the catalogue tolerates" in message
    assert "lacks" in message  # the areas of the cut-off half are named too
    assert rows(warehouse_settings, "ons_mid_year_estimates", "2024") == before  # nothing of it was loaded
    drop = message[message.index("it has ") :].split(", over the ")[0]
    record_hardening(recorder, "a file cut short at a line break", f"refused before loading: {drop}; nothing loaded")


def test_one_area_gone_from_a_restatement_is_refused_even_within_the_row_tolerance(snapshots, warehouse_settings):
    ingest_source("ons_mid_year_estimates", ["2024"])
    path = snapshots / MYE_2024
    lines = path.read_bytes().split(b"\n")
    gone = next(i for i, ln in enumerate(lines) if ln.startswith(b"E06000047,"))  # County Durham
    path.write_bytes(b"\n".join(lines[:gone] + lines[gone + 1 :]))

    with pytest.raises(SourceError, match=r"lacks 1 area\(s\) the previous vintage .* held: E06000047"):
        ingest_source("ons_mid_year_estimates", ["2024"])


def test_an_acknowledged_restatement_with_fewer_rows_loads_and_is_recorded(
    snapshots, warehouse_settings, monkeypatch, recorder
):
    ingest_source("ons_mid_year_estimates", ["2024"])
    truncate_at_a_line_break(snapshots / MYE_2024, 0.5)
    monkeypatch.setenv("WHOLEPLACE_ACCEPT_FEWER_ROWS", "ons_mid_year_estimates:2024")

    (second,) = ingest_source("ons_mid_year_estimates", ["2024"])

    assert second.loaded and second.rows < 357
    with duckdb.connect(str(warehouse_settings.duckdb_path), read_only=True) as con:
        recorded = con.execute(
            "select source_id, period, sha256, rows, previous_rows from raw.completeness_acknowledgements"
        ).fetchall()
    assert recorded == [("ons_mid_year_estimates", "2024", second.sha256, second.rows, 357)]
    record_hardening(
        recorder,
        "a restatement that really drops rows, acknowledged",
        f"with ACCEPT_FEWER_ROWS: {second.rows} of 357 rows loaded, recorded in raw.completeness_acknowledgements; "
        "the changelog names it",
    )


def test_the_changelog_names_an_acknowledged_restatement(tmp_path):
    accepted = {
        "rows": 170,
        "previous_rows": 357,
        "previous_file": "mye.csv sha256 aaaaaaaaaaaa",
        "missing_region_areas": [],
        "missing_previous_areas": ["E06000047"],
    }

    def package(version, sha, extra):
        files = [{"period": "2024", "file_name": "mye.csv", "sha256": sha, **extra}]
        return {"version": version, "resources": [], "sources": [{"name": "ons_mid_year_estimates", "files": files}]}

    previous = tmp_path / "v1"
    previous.mkdir()
    (previous / "datapackage.json").write_text(__import__("json").dumps(package("v1", "a" * 64, {})))
    changelog = build_changelog(tmp_path, package("v2", "b" * 64, {"accepted_fewer_rows": accepted}), previous)

    (restated,) = changelog["restated_sources"]
    assert restated["accepted_fewer_rows"]["previous_rows"] == 357
    text = "\n".join(changelog_summary(changelog))
    assert "Accepted with fewer rows or areas than the previous vintage" in text
    assert "- ons_mid_year_estimates 2024: mye.csv has 170 rows where mye.csv sha256 aaaaaaaaaaaa had 357" in text
    assert "lacks E06000047" in text


@pytest.mark.parametrize(
    "rule, error",
    [
        ({"areas": "no_such_column"}, "is not a column of"),
        ({"max_row_drop_pct": 150}, "is a percentage 0-100"),
        ({"max_rows": 3}, "is a mapping like"),
    ],
)
def test_a_malformed_completeness_rule_is_refused_naming_the_source(rule, error):
    from core.catalogue import CATALOGUE_PATH, load_catalogue

    entries = [e for e in __import__("yaml").safe_load(CATALOGUE_PATH.read_text()) if e["id"] == "mhclg_rsx"]
    entries[0]["completeness"] = rule
    with pytest.raises(CatalogueError, match=rf"catalogue entry 'mhclg_rsx': completeness.*{error}|{error}"):
        check_source(next(iter(parse_catalogue(entries))))  # the column is checked against the module
    assert load_catalogue()  # the committed catalogue's rules are all valid
