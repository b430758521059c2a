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

    from core.catalogue import catalogue

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
    # budgets where RA is held (2021-22, 2023-24); outturn every year RSX is held, 2021-22 to 2024-25
    assert {(y, m) for y, m, _ in rows} == {(y, "budget") for y in ("2021-22", "2023-24")} | {
        (y, "outturn") for y in ("2021-22", "2022-23", "2023-24", "2024-25")
    }
    for year, measure, areas in rows:
        assert set(areas) == COUNCILS, (year, measure)


def test_agency_parts_less_transfers_make_the_consolidated_total(first_run, pipeline):
    rows = pipeline.query(
        "select area_code, council_gbp, combined_authority_gbp, police_gbp, fire_gbp, nhs_gbp, transfers_in_gbp, "
        "transfers_out_gbp, gross_gbp, total_gbp from marts.whole_place_budget where total_gbp is not null"
    )
    assert rows
    for area, council, ca, police, fire, nhs, t_in, t_out, gross, total in rows:
        assert gross == (council or 0) + t_in + (ca or 0) + (police or 0) + (fire or 0) + (nhs or 0), area
        assert total == gross - t_out, area
    # over all themes the transfers cancel: each pound is counted once
    for area, year, total, parts in pipeline.query(
        "select area_code, financial_year, sum(total_gbp), "
        "sum(coalesce(council_gbp, 0) + coalesce(combined_authority_gbp, 0) + coalesce(police_gbp, 0) "
        "+ coalesce(fire_gbp, 0) + coalesce(nhs_gbp, 0)) "
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


def test_no_real_pooled_fund_contributions_are_held_so_nothing_is_moved_between_agencies(first_run, pipeline):
    # the Better Care Fund contributions are a synthetic sample: only the opt-in demo loads them
    assert pipeline.query("select count(*) from marts.pooled_budgets")[0][0] == 0
    assert pipeline.query("select sum(transfers_in_gbp), sum(transfers_out_gbp) from marts.whole_place_budget")[0] == (
        0,
        0,
    )


def test_per_head_is_the_total_over_the_named_population(first_run, pipeline):
    rows = pipeline.query(
        "select total_gbp, population_count, per_head_gbp, population_source from marts.whole_place_budget "
        "where per_head_gbp is not null"
    )
    assert rows
    for total, population, per_head, source in rows:
        assert abs(per_head - Decimal(total) / Decimal(population)) <= Decimal("0.005")
        assert "ONS mid-year population estimate, mid-" in source, source  # (a CA area: the sum of its councils')
    # ONS's published mid-year estimates for Birmingham, each year its own (financial year N/N+1: mid-N)
    populations = dict(
        pipeline.query(
            "select distinct financial_year, population_count from marts.whole_place_budget where area_code = ?",
            [BIRMINGHAM],
        )
    )
    assert populations == {"2021-22": 1_143_285, "2022-23": 1_154_221, "2023-24": 1_166_049, "2024-25": 1_183_618}


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


def test_social_care_detail_lines_come_from_ro3_beside_their_ra_budget(first_run, pipeline):
    """RO3's lines within adult social care, e.g. Coventry's physical support for adults 18-64
    (RO3 2024-25, £6,119 thousand), sit beside their service line and are never summed with it."""
    rows = pipeline.query(
        "select financial_year, service_line_code, line_type, is_total, outturn_gbp, outturn_publication, "
        "budget_gbp from marts.budget_vs_outturn where agency_code = ? and parent_service_line_code = 'asc'",
        [COVENTRY],
    )
    by_year: dict[str, dict] = {}
    for year, code, line_type, is_total, outturn, publication, budget in rows:
        assert (line_type, is_total) == ("detail", False)
        by_year.setdefault(year, {})[code] = (outturn, publication, budget)
    assert by_year["2024-25"]["ascphyadl"][:2] == (6_119_000, "RO3")
    assert all(publication == "RO3" for _, publication, _ in by_year["2022-23"].values())
    assert all(budget is not None for _, _, budget in by_year["2023-24"].values())  # RA 2023-24's lines
    # the service lines alone add up to total service expenditure; the detail lines are beside them
    ((services, total),) = pipeline.query(
        "select sum(outturn_gbp) filter (where line_type = 'service'), "
        "max(outturn_gbp) filter (where is_total) from marts.budget_vs_outturn "
        "where agency_code = ? and financial_year = '2024-25'",
        [COVENTRY],
    )
    assert abs(services - total) <= 14_000


@pytest.mark.parametrize(
    ("mart", "value", "status"),
    [
        ("spend_vs_outcomes", "outturn_per_head_gbp", "outturn_status"),
        ("spend_vs_outcomes", "budget_per_head_gbp", "budget_status"),
        ("budget_vs_outturn", "budget_gbp", "budget_status"),
        ("budget_vs_outturn", "outturn_gbp", "outturn_status"),
        ("regional_benchmarks", "budget_gbp", "budget_status"),
        ("regional_benchmarks", "outturn_gbp", "outturn_status"),
        ("whole_place_totals", "total_gbp", "total_status"),
        ("whole_place_budget", "total_gbp", "total_status"),
    ],
)
def test_a_missing_money_figure_always_says_why(first_run, pipeline, mart, value, status):
    """A blank never means three things: every NULL figure has a status other than published."""
    rows = pipeline.query(f"select {status}, count(*) from marts.{mart} where {value} is null group by 1")
    assert all(s not in (None, "published") for s, _ in rows), rows


def test_bcf_planned_spend_is_the_publishers_figure_for_each_board(first_run, pipeline):
    rows = pipeline.query(
        "select area_code, scheme_type, planned_spend_gbp, value_status, england_planned_spend_gbp "
        "from marts.bcf_planned_spend"
    )
    assert {r[0] for r in rows} == set(COUNCILS)  # every West Midlands board, real figures only
    spend = {(a, s): (v, st, e) for a, s, v, st, e in rows}
    assert spend[(BIRMINGHAM, "bed_based_intermediate_care")][:2] == (Decimal("12928140.00"), "published")
    assert spend[(BIRMINGHAM, "reablement_at_home")][2] == Decimal("579656507.75")  # the publisher's Total


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


def test_the_release_is_a_frictionless_package_of_real_figures_only(first_run, pipeline):
    release = pipeline.latest
    package = json.loads((release / "datapackage.json").read_text())
    assert (package["contains_synthetic_data"], package["synthetic_sources"]) == (False, [])
    assert not any(r.get("has_synthetic_rows") for r in package["resources"])
    assert "DEMO" not in package["title"]
    for resource in package["resources"]:
        path = release / resource["path"]
        assert resource["hash"] == f"sha256:{sha256_file(path)}"
    first_bytes = (release / "whole_place_budget.csv").read_bytes()[:3]
    assert first_bytes != b"\xef\xbb\xbf"  # UTF-8 without a BOM
    assert all(s["attribution"] for s in package["sources"])
    # (a) no row is synthetic, in any published table that has the flag
    for resource in package["resources"]:
        if resource["format"] == "csv" and "is_synthetic" in {f["name"] for f in resource["schema"]["fields"]}:
            flags = pipeline.query(f"select distinct is_synthetic from read_csv('{release / resource['path']}')")
            assert flags in ([(False,)], []), resource["name"]
    assert (release / "data_docs" / "index.html").exists()


def test_every_canned_query_runs_on_the_release_and_answers_for_a_place(first_run, pipeline):
    import re
    import sqlite3

    from warehouse.publication.datasette import canned_queries

    queries = canned_queries()
    meta = json.loads((pipeline.latest / "datasette-metadata.json").read_text())
    assert meta["databases"]["wholeplace"]["queries"] == queries
    con = sqlite3.connect(pipeline.latest / "wholeplace.sqlite")
    answered = {}
    for name, query in queries.items():
        names = set(re.findall(r":(\w+)", query["sql"]))
        every = con.execute(query["sql"], dict.fromkeys(names, "")).fetchall()
        one = con.execute(query["sql"], dict.fromkeys(names, "Birmingham")).fetchall()
        assert len(one) <= len(every), name
        answered[name] = len(every)
    empty = {name for name, n in answered.items() if n == 0}
    assert empty <= {"pooled_budgets"}, answered  # no real pooled fund contributions are held


def test_the_release_passes_frictionless_the_dcat_ap_shapes_and_csvw_as_a_portal_runs_them(first_run, pipeline):
    from tests import portal_checks

    release = pipeline.latest
    report = portal_checks.frictionless(release)
    assert portal_checks.frictionless_errors(report) == [] and report["valid"] is True
    code, said = portal_checks.shacl(release)
    assert code == 0 and "Conforms: True" in said, said[:2000]
    results = portal_checks.csvw(release)
    assert results and set(results.values()) == {"OK"}, results


def test_every_council_budget_2023_24_holds_every_nhs_stream_police_and_fire_with_its_scope(first_run, pipeline):
    """(b) each council's 2023-24 budget: real NHS money for every stream of the workbook, police
    and fire, and the scope stated; (c) each ICB, stream and year adds back to the published cell."""
    streams = pipeline.query(
        "select area_code, list(distinct publisher_line_code order by publisher_line_code) from marts.fct_spend "
        "where agency_type = 'icb' and financial_year = '2023-24' group by 1"
    )
    assert {a: s for a, s in streams if a in COUNCILS} == {
        c: ["core_services", "other_primary_care", "primary_medical_care", "running_costs"] for c in COUNCILS
    }
    rows = pipeline.query(
        "select area_code, sum(nhs_gbp), sum(police_gbp), sum(fire_gbp), max(scope_body_types), "
        "bool_and(is_complete) from marts.whole_place_budget "
        "where financial_year = '2023-24' and measure = 'budget' and area_type = 'local_authority' group by 1"
    )
    for area, nhs, police, fire, scope, complete in rows:
        assert nhs > 0 and police > 0 and fire > 0 and complete, area
        assert scope == "combined_authority;council;fire;nhs;police", area
    # the West Midlands police and fire bodies' budgets are shared whole between the seven districts
    police = pipeline.query(
        "select sum(amount_gbp) from marts.fct_spend where agency_code = 'E23000014' and financial_year = '2023-24' "
        "and measure = 'budget'"
    )[0][0]
    published = pipeline.query(
        "select sum(value_gbp_thousands) * 1000 from raw.mhclg_ra where ons_code = 'E23000014' "
        "and _period = '2023-24' and line_number in (select line_number from reference.mhclg_ra_lines "
        "where line_level = 'service_total')"
    )[0][0]
    assert abs(police - published) <= 14, (police, published)  # 13 lines rounded to the pound
    # (c) the gate checked every ICB, stream and year against the workbook's cell
    gate = json.loads((pipeline.latest / "datapackage.json").read_text())["checks"]
    assert gate["great_expectations"]["success"]
    (worst,) = pipeline.query(
        "select max(abs(parts - published)) from (select a.financial_year, a.icb_ods_code, a.stream_code, "
        "sum(a.apportioned_gbp) parts, max(r.allocation_gbp_thousands) * 1000 published "
        "from intermediate.int_nhs_allocations_apportioned a join raw.nhs_icb_allocations r "
        "using (financial_year, icb_ods_code, stream_code) where a.apportionment_method = 'need_weighted' "
        "group by 1, 2, 3)"
    )[0]
    assert worst <= 1


def test_outturn_2021_22_to_2024_25_with_birminghams_missing_years_not_available(first_run, pipeline):
    """(d) outturn for every year held; Birmingham [x] where the publisher has [x]; (e) per head uses
    the mid-year estimate for its year; (f) no complete row lacks a body; (g) the like-for-like series."""
    rows = pipeline.query(
        "select financial_year, total_gbp, total_status, missing_body_types, is_complete, population_source "
        "from marts.whole_place_totals where area_code = ? and measure = 'outturn' and scope_code = 'local_government' "
        "order by 1",
        [BIRMINGHAM],
    )
    assert [r[0] for r in rows] == ["2021-22", "2022-23", "2023-24", "2024-25"]
    assert rows[0][1] is not None and rows[0][4]
    for year, total, status, missing, complete, _ in rows[1:]:
        assert (total, status, missing, complete) == (None, "not_available", "council", False), year
    for year, *_, source in rows:
        assert f"mid-{year[:4]}" in source, (year, source)
    coventry = pipeline.query(
        "select count(*) filter (where total_gbp is not null) from marts.whole_place_totals "
        "where area_code = ? and measure = 'outturn' and scope_code = 'local_government'",
        [COVENTRY],
    )[0][0]
    assert coventry == 4
    assert (
        pipeline.query(
            # an estimate is complete where it exists: it estimates a missing body's money
            "select count(*) from marts.whole_place_totals where is_complete and missing_body_types is not null "
            "and scope_code <> 'all_identifiable_estimated'"
        )[0][0]
        == 0
    )
    assert (
        pipeline.query(
            "select count(*) from marts.whole_place_budget where is_complete and missing_body_types is not null"
        )[0][0]
        == 0
    )
    # 2021-22 budgets have no NHS allocations held: the whole-place scope says so, never complete
    (status, note) = pipeline.query(
        "select total_status, scope_note from marts.whole_place_totals where area_code = ? and "
        "financial_year = '2021-22' and scope_code = 'whole_place'",
        [COVENTRY],
    )[0]
    assert status == "not_available" and "NHS allocations are not held" in note
    profile = (pipeline.latest / "site" / "profiles" / f"{COVENTRY}.html").read_text(encoding="utf-8")
    assert 'data-testid="chart-like-for-like"' in profile and 'data-scope="local_government"' in profile
    for year in ("2021-22", "2022-23", "2023-24", "2024-25"):
        assert f'<tr data-financial-year="{year}">' in profile, year


def test_a_combined_authority_value_the_publisher_does_not_give_is_left_out_never_invented(first_run, pipeline):
    """The held ASCOF table has outcomes only (no numerators or denominators), so the combined
    authority area's value cannot be derived from its councils' counts: it is left out. (Where counts
    are held, derived counts are rounded or suppressed: tests/unit/warehouse/publication/
    test_disclosure.py and the gate's mart_fct_outcome__disclosure_control.)"""
    assert (
        pipeline.query(
            "select count(*) from marts.fct_outcome where indicator_code like 'ascof%' and area_code = ?", [WMCA]
        )[0][0]
        == 0
    )
    assert (
        pipeline.query("select count(*) from marts.fct_outcome where indicator_code like 'ascof%' and is_derived")[0][0]
        == 0
    )
    # the councils' own values are there, each series across the 2023-24 renumbering
    rows = pipeline.query(
        "select indicator_code, list(period_label order by period_label), list(value order by period_label) "
        "from marts.fct_outcome where indicator_code in ('ascof_2C', 'ascof_2D') and area_code = ? group by 1",
        [BIRMINGHAM],
    )
    series = {code: dict(zip(years, values, strict=True)) for code, years, values in rows}
    assert series["ascof_2C"]["2022-23"] == 587.2 and series["ascof_2C"]["2023-24"] == 511.9  # 2A(2) then 2C
    assert series["ascof_2D"]["2017-18"] == 73.1 and series["ascof_2D"]["2023-24"] == 84.4  # 2B(1) then 2D(1)


def test_a_second_run_with_unchanged_inputs_adds_no_raw_file_and_publishes_identical_marts(first_run, pipeline):
    objects = pipeline.raw_objects()
    release = pipeline.latest
    hashes = {p.name: sha256_file(p) for p in release.glob("*.csv")}
    logs_before = set((pipeline.warehouse / "logs").glob("run-*.log"))
    second = pipeline.run()
    assert second.code == 0, second.output
    assert "no change since the latest release" in second.output
    # nothing new in snapshot mode: answered before Airflow starts (warehouse/shortcut.py)
    assert "so Airflow was not started" in second.output
    assert set((pipeline.warehouse / "logs").glob("run-*.log")) == logs_before  # no DAG run
    # through Airflow anyway: dbt, the gate, publication and the raw checks are skipped, and it says so
    forced = pipeline.run("--force")
    assert forced.code == 0, forced.output
    assert "no change since the latest release" in forced.output
    assert "dbt, the checks and publication were skipped" in forced.output
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
    path = snapshots / "nhs_icb_allocations" / "nhse_icb_allocations_2023-24_2024-25.xlsx"
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
    from core.landing import read_manifest

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


def test_every_example_query_in_the_readmes_first_table_answers_from_the_release(first_run, pipeline):
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Start here") : readme.index("**Glossary.**")]
    examples = re.findall(r"\| `(select [^`]+)` \|", table)
    assert len(examples) >= 8
    for sql in examples:
        rows = pipeline.query(sql.replace("'data/releases/latest/", f"'{pipeline.latest}/"))
        assert rows, sql
