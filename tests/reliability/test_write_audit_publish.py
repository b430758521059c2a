"""Write-audit-publish: a bad batch written to the warehouse is blocked by the audit (the raw GX
suites, dbt's tests or the GX publication gate) before anything is published; the failure names
the failing expectation or test; the published release's files are byte for byte unchanged.

One warehouse is built and published through the pipeline's own steps (what the DAG tasks call);
each case restores it, writes one bad batch with SQL, runs the audit that must catch it and then
tries to publish, as the DAG would."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from core.errors import ValidationFailed
from tests.reliability.conftest import use_copy_of
from tests.reliability.report import record_hardening
from tests.reliability.snapshots import BUNDLED, POPULATION_PUBLISHED, population, revised

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Injection:
    id: str
    stage: str  # raw:<source> | dbt | gate
    sql: str
    names: str  # what the failure message must name (the expectation, batch or dbt test)


WPB = "marts.whole_place_budget"
ONE_WPB_ROW = f"rowid = (select min(rowid) from {WPB})"
INJECTIONS = [
    # the publication gate (GX checkpoint on the marts)
    Injection("fy-form", "gate", f"update {WPB} set financial_year = '2023/24' where {ONE_WPB_ROW}", "financial_year"),
    Injection("unknown-measure", "gate", f"update {WPB} set measure = 'forecast' where {ONE_WPB_ROW}", "measure"),
    Injection("duplicate-key", "gate", f"insert into {WPB} select * from {WPB} limit 1", "compound_columns"),
    Injection("per-head-outlier", "gate", f"update {WPB} set per_head_gbp = 99999 where {ONE_WPB_ROW}", "per_head_gbp"),
    Injection(
        "tiny-population", "gate", f"update {WPB} set population_count = 5 where {ONE_WPB_ROW}", "population_count"
    ),
    Injection("no-population-source", "gate", f"update {WPB} set population_source = null", "population_source"),
    Injection("empty-mart", "gate", f"delete from {WPB}", "mart_whole_place_budget"),
    Injection(
        "pounds-as-thousands",
        "gate",
        "update marts.fct_spend set amount_gbp = amount_gbp * 1000 where agency_code = "
        "(select min(agency_code) from marts.fct_spend where agency_type = 'council')",
        "difference_gbp",
    ),
    Injection(
        "ca-area-double-count",
        "gate",
        f"update {WPB} set total_gbp = total_gbp + 1000000 where area_type = 'combined_authority'",
        "combined_authority_area_adds_up",
    ),
    Injection(
        "complete-with-a-missing-body",
        "gate",
        "update marts.whole_place_totals set missing_body_types = 'police' where is_complete",
        "complete_means_nothing_missing",
    ),
    Injection(
        "partial-total-shown",
        "gate",
        "update marts.whole_place_totals set total_gbp = 1 where total_gbp is null",
        "total_matches_completeness",
    ),
    Injection("budget-status", "gate", "update marts.budget_vs_outturn set budget_status = 'guessed'", "budget_status"),
    Injection("outturn-trillion", "gate", "update marts.budget_vs_outturn set outturn_gbp = 1e12", "outturn_gbp"),
    Injection(
        "share-over-100",
        "gate",
        "update marts.asc_metrics set ld_residential_share_pct = 120",
        "ld_residential_share_pct",
    ),
    Injection("geography-level", "gate", "update marts.asc_metrics set geography_level = 'ward'", "geography_level"),
    Injection("outcome-status", "gate", "update marts.fct_outcome set value_status = 'made up'", "value_status"),
    Injection("outcome-fy-form", "gate", "update marts.fct_outcome set financial_year = 'FY24'", "financial_year"),
    Injection("benchmark-area-type", "gate", "update marts.regional_benchmarks set area_type = 'planet'", "area_type"),
    Injection(
        "benchmark-per-head",
        "gate",
        "update marts.regional_benchmarks set budget_per_head_gbp = -9999",
        "budget_per_head_gbp",
    ),
    Injection(
        "outcome-without-indicator",
        "gate",
        "update marts.spend_vs_outcomes set indicator_code = null",
        "indicator_code",
    ),
    Injection(
        "council-missing",
        "gate",
        f"delete from {WPB} where area_code = (select min(area_code) from {WPB} where area_type = 'local_authority')",
        "missing_councils",
    ),
    # the raw GX suites (what a load wrote)
    Injection(
        "population-negative",
        "raw:ons_mid_year_estimates",
        "update raw.ons_mid_year_estimates set population = -5 where area_code = 'E08000025'",
        "population",
    ),
    Injection(
        "population-duplicate",
        "raw:ons_mid_year_estimates",
        "insert into raw.ons_mid_year_estimates select * from raw.ons_mid_year_estimates limit 1",
        "area_code",
    ),
    # dbt's tests, during the build
    Injection(
        "lookup-duplicate",
        "dbt",
        "insert into raw.ons_mid_year_estimates select * from raw.ons_mid_year_estimates limit 1",
        "unique",
    ),
]


BIRMINGHAM_2024_25_POPULATION = (
    "select distinct population_count from marts.whole_place_budget"
    " where area_code = 'E08000025' and financial_year = '2024-25'"
)


def _hashes(release: Path) -> dict[str, str]:
    return {
        str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(release.rglob("*"))
        if p.is_file()
    }


def _releases(settings) -> list[str]:
    return sorted(p.name for p in settings.releases_dir.iterdir())


@pytest.fixture(scope="module")
def published(published_template, tmp_path_factory):
    """This module's copy of the published warehouse; its DuckDB file kept as the clean copy."""
    env = pytest.MonkeyPatch()
    settings = use_copy_of(published_template, tmp_path_factory.mktemp("wap") / "warehouse", env)
    clean = settings.warehouse_dir.parent / "clean.duckdb"
    shutil.copy2(settings.duckdb_path, clean)
    latest = settings.current_release()
    assert latest is not None
    yield settings, clean, latest, _hashes(latest), _releases(settings)
    env.undo()


def _mart_hashes(settings) -> dict[str, str]:
    """Each mart's content, hashed row by row in a stable order."""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            t: hashlib.sha256(
                repr(con.execute(f"select * from marts.{t} order by all").fetchall()).encode()
            ).hexdigest()
            for t in tables
        }


def test_three_reruns_of_the_same_inputs_give_identical_marts_and_the_same_release(published, recorder):
    """Runs first (before any injection): dbt rebuilds everything three times over the same raw
    tables; every mart's content hash and the release version stay the same."""
    from warehouse import pipeline

    settings, clean, latest, hashes, releases = published
    first = _mart_hashes(settings)
    for n in range(3):
        (settings.run_state_dir / "built.json").unlink(missing_ok=True)  # force the rebuild
        built = pipeline.build_models()
        assert "unchanged_since" not in built
        assert _mart_hashes(settings) == first, f"rerun {n + 1} changed a mart"
        summary = pipeline.publish(pipeline.validate_marts(built), built)
        assert (summary["release"], summary["new_release"]) == (latest.name, False)
    assert _hashes(latest) == hashes and _releases(settings) == releases
    recorder.expected["idempotency"] = 1
    recorder.add("idempotency", reruns=3, marts=len(first), identical=True, release=latest.name)
    Path(f"{settings.duckdb_path}.wal").unlink(missing_ok=True)
    shutil.copy2(clean, settings.duckdb_path)


@pytest.mark.parametrize("injection", INJECTIONS, ids=[i.id for i in INJECTIONS])
def test_a_bad_batch_is_blocked_before_publication_and_the_release_is_unchanged(published, injection, recorder):
    from warehouse import pipeline

    settings, clean, latest, hashes, releases = published
    recorder.expected["wap"] = len(INJECTIONS)
    Path(f"{settings.duckdb_path}.wal").unlink(missing_ok=True)
    shutil.copy2(clean, settings.duckdb_path)
    for state in ("validated_raw.json", "built.json"):  # audit again, as for a new batch
        (settings.run_state_dir / state).unlink(missing_ok=True)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        changed = con.execute(injection.sql).fetchall()
    assert changed and changed[0][0] > 0, "the injection changed nothing"

    with pytest.raises(ValidationFailed) as blocked:
        if injection.stage.startswith("raw:"):
            pipeline.validate_raw(injection.stage.split(":", 1)[1])
        else:
            built = pipeline.build_models() if injection.stage == "dbt" else {"fingerprint": None}
            gate = pipeline.validate_marts(built)
            pipeline.publish(gate, built)
    message = str(blocked.value)
    stopped_by = "dbt" if injection.stage == "dbt" else "GX"
    lines = [line.strip(" -") for line in message.splitlines() if line.strip()]
    recorder.add(
        "wap", id=injection.id, stage=injection.stage, blocked_by=stopped_by, message=lines[min(1, len(lines) - 1)]
    )

    assert injection.names in message, message
    assert settings.current_release() == latest  # `latest` did not move
    assert _hashes(latest) == hashes  # and its files are byte for byte the same
    assert _releases(settings) == releases  # and no other release appeared


def test_publish_itself_refuses_a_gate_that_did_not_pass(published):
    from warehouse import pipeline

    settings, _, latest, hashes, releases = published
    with pytest.raises(ValidationFailed, match="publish_gate did not pass: nothing is published"):
        pipeline.publish({"checkpoint": "publish_gate", "success": False, "evaluated": 43}, {"fingerprint": None})
    assert settings.current_release() == latest and _hashes(latest) == hashes
    assert _releases(settings) == releases


def test_a_restated_file_becomes_a_new_vintage_the_marts_use_and_the_changelog_lists(
    published, recorder, tmp_path, monkeypatch
):
    """Runs last. The mid-2024 population estimates are republished with Birmingham's figure revised (a test-only
    revision, never published outside this temporary warehouse): it lands as a new file for the same
    period, the raw table and the marts use it, the replaced rows stay queryable in raw_vintages,
    and the new release's changelog lists the restatement."""
    import json

    from warehouse import pipeline

    settings, clean, latest, hashes, releases = published
    Path(f"{settings.duckdb_path}.wal").unlink(missing_ok=True)
    shutil.copy2(clean, settings.duckdb_path)
    revision, _ = revisions = population(POPULATION_PUBLISHED + 100)
    snapshots = revised(tmp_path / "snapshots", *revisions)
    monkeypatch.setenv("WHOLEPLACE_SNAPSHOT_DIR", str(snapshots))
    old_sha = hashlib.sha256((BUNDLED / revision.source / revision.file).read_bytes()).hexdigest()

    loaded = pipeline.load("ons_mid_year_estimates", pipeline.fetch("ons_mid_year_estimates", ["2024"]))
    pipeline.validate_raw("ons_mid_year_estimates")
    built = pipeline.build_models()
    summary = pipeline.publish(pipeline.validate_marts(built), built)

    assert loaded["partitions"][0]["loaded"] and summary["new_release"]
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        now = con.execute(
            "select population from raw.ons_mid_year_estimates where area_code = 'E08000025' and mid_year = 2024"
        ).fetchall()
        kept = con.execute(
            "select population, _source_file_sha256 from raw_vintages.ons_mid_year_estimates "
            "where area_code = 'E08000025'"
        ).fetchall()
        marts = con.execute(BIRMINGHAM_2024_25_POPULATION).fetchall()
    assert now == [(POPULATION_PUBLISHED + 100,)] and marts == [(POPULATION_PUBLISHED + 100,)]
    assert kept == [(POPULATION_PUBLISHED, old_sha)]  # the replaced vintage stays queryable
    new = settings.current_release()
    assert new is not None and new != latest and new.name == summary["release"]
    changelog = json.loads((new / "changelog.json").read_text())
    (restated,) = changelog["restated_sources"]
    assert (restated["source"], restated["replaces_sha256"]) == ("ons_mid_year_estimates", [old_sha])
    changed = changelog["marts"]["whole_place_budget"]["changed"]
    assert changed > 0
    assert _hashes(latest) == hashes  # the previous release is untouched

    # the publisher goes back to the first file (or a backfill reloads that vintage): it is loaded
    # again and the marts follow, although the file itself was seen before
    monkeypatch.setenv("WHOLEPLACE_SNAPSHOT_DIR", str(BUNDLED))
    pipeline.load("ons_mid_year_estimates", pipeline.fetch("ons_mid_year_estimates", ["2024"]))
    built = pipeline.build_models()
    assert "unchanged_since" not in built, "the build was skipped: going back to an earlier file was not seen"
    back = pipeline.publish(pipeline.validate_marts(built), built)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        marts = con.execute(BIRMINGHAM_2024_25_POPULATION).fetchall()
    assert marts == [(POPULATION_PUBLISHED,)]
    # the same content as the first release again (its version's content hash; the date part may differ)
    assert back["release"].rsplit("-", 1)[1] == latest.name.rsplit("-", 1)[1]
    recorder.expected["restatement"] = 1
    recorder.add("restatement", release=new.name, previous=latest.name, changed=changed, replaced=old_sha[:12])


def test_a_council_with_no_rows_at_all_makes_every_total_it_belongs_to_null_naming_it(published_copy, recorder):
    """Not only a figure marked [x]: a council whose rows are absent (its row missing from the
    return, or its code changed) is a missing part, so its area's and the combined authority's
    totals are NULL, not complete, and name it."""
    from warehouse import pipeline

    with duckdb.connect(str(published_copy.duckdb_path)) as con:
        (deleted,) = con.execute(
            "delete from raw.mhclg_rsx where _period = '2021-22' and ons_code = 'E08000025'"
        ).fetchall()[0]
    assert deleted > 0
    (published_copy.run_state_dir / "built.json").unlink(missing_ok=True)  # build again, as for a new batch
    pipeline.build_models()
    with duckdb.connect(str(published_copy.duckdb_path), read_only=True) as con:
        totals = con.execute(
            "select area_code, total_gbp, total_status, is_complete, missing_body_types, missing_agency_codes "
            "from marts.whole_place_totals where financial_year = '2021-22' and measure = 'outturn' "
            "and scope_code = 'local_government' and area_code in ('E08000025', 'E47000007', 'E08000026') "
            "order by area_code"
        ).fetchall()
        themes = con.execute(
            "select count(*), count(total_gbp), bool_or(is_complete), min(missing_agency_codes) "
            "from marts.whole_place_budget where financial_year = '2021-22' and measure = 'outturn' "
            "and area_code = 'E08000025' and council_status = 'not_available'"
        ).fetchall()[0]
    assert totals[0] == ("E08000025", None, "not_available", False, "council", "E08000025")
    assert totals[1][0] == "E08000026" and totals[1][3] and totals[1][1] > 0  # Coventry is whole
    assert totals[2] == ("E47000007", None, "not_available", False, "council", "E08000025")
    assert themes[0] > 0 and themes[1:] == (0, False, "E08000025")
    record_hardening(
        recorder,
        "a council with no rows at all, in the marts",
        f"Birmingham's 2021-22 outturn rows deleted ({deleted:,}): its and the WMCA's local_government totals NULL, "
        f"not complete, missing_agency_codes E08000025; its {themes[0]} theme rows NULL",
    )
