"""The main job end to end, through Airflow itself (`airflow dags test wholeplace`), into a
temporary warehouse: the marts' contents, idempotence, lineage, and what bad input does.

Runs the same command as `make run` (python -m warehouse.cli run) in a subprocess, with its own
AIRFLOW_HOME (SQLite metadata) and WHOLEPLACE_WAREHOUSE_DIR.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from ingest.sheets import parse_number, read_grid
from tests.integration.conftest import copy_of_snapshots, edit_coventry_figure, sha256_file

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
COUNCILS = {f"E080000{n}" for n in range(25, 32)}
BIRMINGHAM, COVENTRY, WMCA = "E08000025", "E08000026", "E47000007"


def test_make_run_ends_with_the_release_path_rows_per_mart_and_the_checks(first_run, pipeline):
    out = first_run.output
    assert "published new release" in out
    assert str(pipeline.latest) in out
    assert "whole_place_budget" in out and "rows per mart" in out
    assert "Great Expectations publish_gate: passed" in out


def test_the_run_fans_out_one_mapped_instance_per_source_each_emitting_its_raw_asset(first_run, pipeline):
    import sqlite3

    from ingest.catalogue import catalogue

    sources = [s.id for s in catalogue()]
    for step in ("fetch", "load", "validate"):  # progress names each mapped instance by its source
        assert all(f"-> source.{step}[{source}]" in first_run.output for source in sources), step
    db = sqlite3.connect(pipeline.root / "airflow" / "airflow.db")
    try:
        (run_id,) = db.execute("select run_id from dag_run where dag_id = 'wholeplace' order by id limit 1").fetchone()
        mapped = db.execute(
            "select map_index, rendered_map_index, state from task_instance"
            " where dag_id = 'wholeplace' and run_id = ? and task_id = 'source.validate' order by map_index",
            [run_id],
        ).fetchall()
        events = db.execute(
            "select e.source_map_index, a.uri from asset_event e join asset a on a.id = e.asset_id"
            " where e.source_dag_id = 'wholeplace' and e.source_run_id = ? and e.source_task_id = 'source.validate'",
            [run_id],
        ).fetchall()
    finally:
        db.close()
    assert mapped == [(i, source, "success") for i, source in enumerate(sources)]
    # each instance emitted its own source's raw Asset through the alias: what build_warehouse is scheduled on
    assert sorted(events) == [(i, f"duckdb://wholeplace/raw/{source}") for i, source in enumerate(sources)]


def test_every_council_appears_for_every_year_and_measure(first_run, pipeline):
    rows = pipeline.query(
        "select financial_year, measure, list(distinct area_code) from marts.whole_place_budget "
        "where area_type = 'local_authority' group by 1, 2"
    )
    assert {(y, m) for y, m, _ in rows} == {(y, m) for y in ("2021-22", "2023-24") for m in ("budget", "outturn")}
    for year, measure, areas in rows:
        assert set(areas) == COUNCILS, (year, measure)


def test_agency_parts_less_transfers_make_the_consolidated_total(first_run, pipeline):
    rows = pipeline.query(
        "select area_code, council_gbp, combined_authority_gbp, nhs_gbp, transfers_in_gbp, transfers_out_gbp, "
        "gross_gbp, total_gbp from marts.whole_place_budget where total_gbp is not null"
    )
    assert rows
    for area, council, ca, nhs, t_in, t_out, gross, total in rows:
        assert gross == (council or 0) + t_in + (ca or 0) + (nhs or 0), area
        assert total == gross - t_out, area
    # over all themes the transfers cancel: each pound is counted once
    for area, year, total, parts in pipeline.query(
        "select area_code, financial_year, sum(total_gbp), "
        "sum(coalesce(council_gbp, 0) + coalesce(combined_authority_gbp, 0) + coalesce(nhs_gbp, 0)) "
        "from marts.whole_place_budget where measure = 'budget' group by 1, 2 having bool_and(is_complete)"
    ):
        assert total == parts, (area, year)
    # the combined authority area = its councils' and ICBs' money in its districts + its own, per theme
    (diff,) = pipeline.query(
        """
        select max(abs(ca.total_gbp - ca.transfers_in_gbp + ca.transfers_out_gbp - parts.gbp))
        from marts.whole_place_budget ca
        join (select financial_year, case when measure = 'allocation' then 'budget' else measure end as measure,
                     theme_code, sum(amount_gbp) gbp
              from marts.fct_spend where not is_inter_agency_transfer group by all) parts
          using (financial_year, measure, theme_code)
        where ca.area_code = ? and ca.total_gbp is not null
        """,
        [WMCA],
    )[0]
    assert diff == 0


def test_every_council_area_has_council_nhs_and_combined_authority_parts_in_2023_24(first_run, pipeline):
    rows = pipeline.query(
        "select area_code, sum(council_gbp), sum(nhs_gbp), sum(combined_authority_gbp), max(nhs_apportionment_method) "
        "from marts.whole_place_budget where financial_year = '2023-24' and measure = 'budget' group by 1"
    )
    parts = {area: (council, nhs, ca, method) for area, council, nhs, ca, method in rows}
    for council_area in COUNCILS:
        council, nhs, ca, method = parts[council_area]
        assert council > 0 and nhs > 0 and ca > 0 and method == "need_weighted", council_area
    # the combined authority's own budget: whole in its area, shared by population between councils
    assert abs(sum(parts[c][2] for c in COUNCILS) - parts[WMCA][2]) <= len(COUNCILS)
    (by_councils, whole) = pipeline.query(
        "select sum(total_gbp) filter (where area_type = 'local_authority'), "
        "sum(total_gbp) filter (where area_type = 'combined_authority') from marts.whole_place_budget "
        "where financial_year = '2023-24' and measure = 'budget'"
    )[0]
    assert abs(by_councils - whole) <= 100  # the council areas add up to the combined authority area
    # Birmingham's NHS money comes from every ICB with practices there (BSol, Black Country, NW London)
    icbs = pipeline.query(
        "select list(distinct agency_code order by agency_code) from marts.fct_spend "
        "where area_code = ? and agency_type = 'icb' and financial_year = '2023-24'",
        [BIRMINGHAM],
    )[0][0]
    assert icbs == ["QHL", "QRV", "QUA"]


def test_pooled_funds_show_each_partner_and_transfers_are_counted_once(first_run, pipeline):
    funds = pipeline.query(
        "select fund_code, financial_year, list(distinct partner_type order by partner_type), "
        "sum(contribution_gbp), max(fund_total_gbp), sum(contribution_gbp) filter (where is_transfer_between_agencies) "
        "from marts.pooled_budgets group by 1, 2"
    )
    assert {f for f, *_ in funds} == {f"BCF-{c}" for c in COUNCILS}
    for fund, year, partners, total, fund_total, transferred in funds:
        assert partners == ["council", "icb"] and total == fund_total and transferred > 0, (fund, year)
    # the ICB money passed into Birmingham's 2023-24 pool appears once: out of the NHS theme, into ASC
    transferred = pipeline.query(
        "select sum(contribution_gbp) from marts.pooled_budgets "
        "where fund_code = 'BCF-E08000025' and financial_year = '2023-24' and is_transfer_between_agencies"
    )[0][0]
    moved = pipeline.query(
        "select sum(transfers_in_gbp), sum(transfers_out_gbp), "
        "max(transfers_in_gbp) filter (where theme_code = 'adult_social_care') from marts.whole_place_budget "
        "where area_code = ? and financial_year = '2023-24' and measure = 'budget'",
        [BIRMINGHAM],
    )[0]
    assert moved == (transferred, transferred, transferred)


def test_per_head_is_the_total_over_the_named_population(first_run, pipeline):
    rows = pipeline.query(
        "select total_gbp, population_count, per_head_gbp, population_source from marts.whole_place_budget "
        "where per_head_gbp is not null"
    )
    assert rows
    for total, population, per_head, source in rows:
        assert abs(per_head - Decimal(total) / Decimal(population)) <= Decimal("0.005")
        assert "Census 2021" in source
    (birmingham,) = pipeline.query(
        "select max(population_count) from marts.whole_place_budget where area_code = ?", [BIRMINGHAM]
    )[0]
    assert birmingham == 1_140_300  # the real Census 2021 count, rounded as first published


def test_budget_vs_outturn_variance_is_outturn_minus_budget(first_run, pipeline):
    rows = pipeline.query("select budget_gbp, outturn_gbp, variance_gbp from marts.budget_vs_outturn")
    assert len(rows) > 100
    for budget, outturn, variance in rows:
        if budget is None or outturn is None:
            assert variance is None
        else:
            assert variance == outturn - budget
    # a real figure: Birmingham 2021-22 total service expenditure, RA budget vs RSX outturn (£ thousand)
    ((budget, outturn),) = pipeline.query(
        "select budget_gbp, outturn_gbp from marts.budget_vs_outturn "
        "where agency_code = ? and financial_year = '2021-22' and service_line_code = 'totsx'",
        [BIRMINGHAM],
    )
    assert (budget, outturn) == (1_847_287_000, 1_893_860_000)


def test_a_return_not_submitted_is_not_available_never_zero(first_run, pipeline):
    rows = pipeline.query(
        "select outturn_gbp, outturn_status from marts.budget_vs_outturn "
        "where agency_code = ? and financial_year = '2023-24'",
        [BIRMINGHAM],
    )
    assert rows and all(v is None and s == "not_available" for v, s in rows)
    totals = pipeline.query(
        "select area_code, total_gbp, is_complete, missing_agency_codes from marts.whole_place_budget "
        "where financial_year = '2023-24' and measure = 'outturn' and area_code in (?, ?)",
        [BIRMINGHAM, WMCA],
    )
    assert totals and all(t is None and not c and m == BIRMINGHAM for _, t, c, m in totals)


def test_any_mart_figure_traces_to_the_raw_file_and_cell_it_came_from(first_run, pipeline):
    release = pipeline.latest
    with open(release / "source_files.csv", encoding="utf-8") as fh:
        files = {r["sha256"]: r for r in csv.DictReader(fh)}
    rows = pipeline.query(
        "select amount_gbp, source_file_sha256, source_url, source_row, source_column from marts.fct_spend "
        "where agency_code = ? and financial_year = '2021-22' and theme_code = 'adult_social_care' "
        "order by measure",
        [COVENTRY],
    )
    assert len(rows) == 2  # budget and outturn
    for amount, sha, url, row, column in rows:
        assert sha in files and files[sha]["url"] == url
        raw = next((pipeline.warehouse / "raw" / "objects").rglob(f"{sha}.*"))
        assert sha256_file(raw) == sha
        grid = read_grid(raw.read_bytes(), source_id="test", file=raw.name)
        col = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(column))) - 1
        assert parse_number(grid.cell(row - 1, col)).value * 1000 == amount


def test_the_release_is_a_frictionless_package_that_names_what_is_synthetic(first_run, pipeline):
    release = pipeline.latest
    package = json.loads((release / "datapackage.json").read_text())
    assert package["contains_synthetic_data"] is True
    assert set(package["synthetic_sources"]) == {
        "fingertips",
        "ons_lad_cauth_lookup",
        "ons_lad_icb_lookup",
        "nhs_icb_allocations",
        "bcf_plans",
        "ascof",
        "cqc_ratings",
    }
    for resource in package["resources"]:
        path = release / resource["path"]
        assert resource["hash"] == f"sha256:{sha256_file(path)}"
    first_bytes = (release / "whole_place_budget.csv").read_bytes()[:3]
    assert first_bytes != b"\xef\xbb\xbf"  # UTF-8 without a BOM
    assert all(s["attribution"] for s in package["sources"])
    # rows derived from a synthetic sample say so
    assert pipeline.query(
        "select bool_and(is_synthetic) from marts.fct_outcome where indicator_code like 'fingertips%'"
    )[0][0]
    assert not pipeline.query("select bool_or(is_synthetic) from marts.fct_spend where agency_type <> 'icb'")[0][0]
    assert pipeline.query("select bool_and(is_synthetic) from marts.fct_spend where agency_type = 'icb'")[0][0]
    assert (release / "data_docs" / "index.html").exists()


def test_person_counts_the_warehouse_derived_are_rounded_or_suppressed_in_the_release(first_run, pipeline):
    with open(pipeline.latest / "fct_outcome.csv", encoding="utf-8") as fh:
        derived = [r for r in csv.DictReader(fh) if r["has_derived_person_counts"] == "true"]
    assert derived  # e.g. ASCOF 2C for the combined authority area, from its seven councils
    for row in derived:
        for column in ("numerator_count", "denominator_count"):
            text = row[column]
            if text:
                n = float(text)
                assert n == 0 or (n >= 10 and n % 5 == 0), (row["indicator_code"], column, text)
            else:
                assert row["value_status"] in ("[c]", "[x]")  # GSS shorthand in the release
    # a publisher's own counts are republished as published (Birmingham's 2C numerator, unrounded)
    rows = pipeline.query(
        "select numerator_count, value_status from marts.fct_outcome "
        "where indicator_code = 'ascof_2C' and area_code = ? and not is_derived",
        [BIRMINGHAM],
    )
    assert rows == [(1022.0, "published")]


def test_a_second_run_with_unchanged_inputs_adds_no_raw_file_and_publishes_identical_marts(first_run, pipeline):
    objects = pipeline.raw_objects()
    release = pipeline.latest
    hashes = {p.name: sha256_file(p) for p in release.glob("*.csv")}
    second = pipeline.run()
    assert second.code == 0, second.output
    assert "no change since the latest release" in second.output
    # nothing new: dbt, the gate, publication and the raw checks are skipped, and the run says so
    assert "dbt, the checks and publication were skipped" in second.output
    newest_log = max((pipeline.warehouse / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    log_text = newest_log.read_text(encoding="utf-8")
    assert f"nothing new since release {release.name} (same files, same code): dbt build skipped" in log_text
    assert "mhclg_rsx: same files and code as its last passing validation: not validated again" in log_text
    assert pipeline.raw_objects() == objects
    assert pipeline.latest == release
    assert {p.name: sha256_file(p) for p in pipeline.latest.glob("*.csv")} == hashes


def _corrupted_snapshots(tmp_path: Path, new_text: str) -> tuple[Path, int]:
    """A copy of the bundled snapshots with Coventry's first figure (column H, RSX-edu-empl) in
    RSX 2023-24 replaced by ``new_text``; returns the copy and the spreadsheet row of the change."""
    snapshots = copy_of_snapshots(tmp_path)
    row, column, _old = edit_coventry_figure(snapshots / "mhclg_rsx" / "RSX_2023-24_data_by_LA.csv", new_text)
    assert column == "H"
    return snapshots, row


def test_a_corrupted_extract_fails_the_run_naming_source_file_and_row_and_latest_stays(first_run, pipeline, tmp_path):
    before = pipeline.latest
    snapshots, row = _corrupted_snapshots(tmp_path, "12x4")
    run = pipeline.run(WHOLEPLACE_SNAPSHOT_DIR=str(snapshots))
    assert run.code != 0
    assert "FAILED" in run.output and "nothing was published" in run.output
    assert "mhclg_rsx" in run.output and "RSX_2023-24_data_by_LA.csv" in run.output
    assert f"row {row}, column H" in run.output and "'12x4' is not a number" in run.output
    assert "Traceback" not in run.output
    assert pipeline.latest == before
    assert f"latest release is still {before.name}" in run.output
    # Airflow's on_failure_callback told the alerts file: source, period, step, the error's first line
    from warehouse.alerts import read_alerts

    alerts = [a for a in read_alerts(SimpleNamespace(warehouse_dir=pipeline.warehouse)) if "12x4" in a.summary]
    (alert,) = alerts
    assert (alert.kind, alert.source, alert.period, alert.step) == (
        "task_failed",
        "mhclg_rsx",
        "2023-24",
        "source.load",
    )
    assert alert.dag_id == "wholeplace" and f"row {row}, column H" in alert.error[0]
    assert f"alert:  written to {pipeline.warehouse / 'alerts' / 'alerts.jsonl'}" in run.output


def test_a_figure_that_fails_the_raw_checks_stops_the_run_before_publishing(first_run, pipeline, tmp_path):
    before = pipeline.latest
    snapshots, row = _corrupted_snapshots(tmp_path, "999,999,999")
    run = pipeline.run(WHOLEPLACE_SNAPSHOT_DIR=str(snapshots))
    assert run.code != 0
    assert "validate_raw mhclg_rsx" in run.output
    assert "Great Expectations checkpoint 'raw_mhclg_rsx' failed" in run.output
    assert f"RSX_2023-24_data_by_LA.csv row {row}" in run.output
    assert pipeline.latest == before


def test_an_icb_code_with_no_practices_fails_the_build_naming_source_file_and_row(first_run, pipeline, tmp_path):
    import openpyxl

    before = pipeline.latest
    snapshots = copy_of_snapshots(tmp_path)
    path = next((snapshots / "nhs_icb_allocations").glob("*.xlsx"))
    path.chmod(0o644)
    wb = openpyxl.load_workbook(path)
    ws = wb["ICB Core Allocations 2023-24"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "QHL")
    ws.cell(row, 3).value = "QZZ"  # well formed, but no GP practice belongs to it
    wb.save(path)
    run = pipeline.run(WHOLEPLACE_SNAPSHOT_DIR=str(snapshots))
    assert run.code != 0
    assert "build_models" in run.output and "assert_every_icb_allocation_has_practice_weights" in run.output
    assert "source_id=nhs_icb_allocations" in run.output and "icb_ods_code=QZZ" in run.output
    assert f"source_file={path.name}" in run.output and f"source_row={row}" in run.output
    assert pipeline.latest == before


def test_openlineage_events_walk_a_mart_back_to_the_landed_file_and_the_publication(first_run, pipeline):
    """Airflow's OpenLineage provider wrote one START and one COMPLETE event per task (file
    transport); in the run that published the latest release, their datasets chain the marts <- raw
    tables <- landed files (sha256) <- the publications, and the marts -> the release files."""
    from ingest.land import read_manifest

    release = pipeline.latest
    path = pipeline.warehouse / "lineage" / "events.jsonl"
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    complete = [e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"].startswith("wholeplace.")]

    def run_of(event: dict) -> str:
        return event["run"]["facets"]["parent"]["run"]["runId"]

    publishing = [
        run_of(e)
        for e in complete
        if e["job"]["name"] == "wholeplace.publish_release"
        and str(release / "budget_vs_outturn.csv") in {d["name"] for d in e["outputs"]}
    ]
    assert publishing, "no publish_release event names the latest release's files"
    run = [e for e in complete if run_of(e) == publishing[-1]]
    produced_by: dict[tuple[str, str], list[dict]] = {}
    for e in run:
        for d in e["outputs"]:
            produced_by.setdefault((d["namespace"], d["name"]), []).append(e)

    def upstream(dataset: tuple[str, str]) -> list[dict]:
        return [d for e in produced_by.get(dataset, []) for d in e["inputs"]]

    (mart,) = [k for k in produced_by if k[1] == "marts.budget_vs_outturn"]
    raw = [d for d in upstream(mart) if d["name"] == "raw.mhclg_rsx"]
    assert raw, "build_models does not name raw.mhclg_rsx as an input of the marts"
    landed = upstream((raw[0]["namespace"], raw[0]["name"]))
    with open(release / "source_files.csv", encoding="utf-8") as fh:
        released = {r["sha256"] for r in csv.DictReader(fh) if r["source_id"] == "mhclg_rsx"}
    assert {d["facets"]["version"]["datasetVersion"] for d in landed} == released
    origins = {d["namespace"] + d["name"] for f in landed for d in upstream((f["namespace"], f["name"]))}
    manifest = [r for r in read_manifest(pipeline.warehouse / "raw") if r.sha256 in released]
    assert origins == {r.origin_url or r.url for r in manifest}  # the publisher's URL of each bundled copy
