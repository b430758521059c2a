"""The DAGs load in Airflow without import errors, and have the shape the pipeline relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_there_is_one_ingest_dag_per_source_family_plus_build_main_and_publication_watches(dagbag):
    from core.catalogue import catalogue

    expected = {f"ingest_{family}" for family in catalogue().families()} | {"build_warehouse", "wholeplace"}
    expected |= {f"publication_{s.id}" for s in catalogue() if s.expected.due_cron()}
    assert set(dagbag.dag_ids) == expected


@pytest.mark.parametrize("dag_id", ["wholeplace", "ingest_council", "ingest_nhs", "ingest_combined_authority"])
def test_sources_fan_out_from_the_plan_as_one_mapped_group_fetch_load_validate(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    fetch, load, validate = (dag.get_task(f"source.{name}") for name in ("fetch", "load", "validate"))

    steps = {"plan", "source.fetch", "source.load", "source.validate"}
    if dag_id == "wholeplace":
        steps |= {"build_models", "validate_marts", "publish_release"}
    # one mapped task per step, not one per source: the DAG's size does not grow with the catalogue
    assert {t.task_id for t in dag.tasks} == steps
    for t in (fetch, load, validate):
        assert type(t.task_group).__name__ == "MappedTaskGroup", f"{t.task_id} is not mapped"
        assert t.map_index_template == "{{ source_id }}"  # instances are named by their source
    assert "plan" in fetch.upstream_task_ids
    assert load.task_id in fetch.downstream_task_ids
    assert validate.task_id in load.downstream_task_ids


def test_the_main_dag_builds_only_after_every_source_is_validated(dagbag):
    main = dagbag.dags["wholeplace"]
    assert "source.validate" in main.get_task("build_models").upstream_task_ids


def test_validate_emits_its_own_sources_raw_asset_through_the_alias(dagbag):
    from assets import RAW, RAW_TABLES

    validate = dagbag.dags["wholeplace"].get_task("source.validate")
    assert [o.name for o in validate.outlets] == [RAW_TABLES.name]

    class Events(dict):
        def __missing__(self, key):
            self[key] = Added()
            return self[key]

    class Added(list):
        add = list.append

    events = Events()
    context = {"outlet_events": events, "params": {}}
    from unittest import mock

    with (
        mock.patch("common.get_current_context", return_value=context),
        mock.patch("warehouse.pipeline.validate_raw", return_value={"success": True}) as validate_raw,
    ):
        summary = validate.python_callable("mhclg_ra", {"source": "mhclg_ra"})

    validate_raw.assert_called_once_with("mhclg_ra")
    assert summary == {"success": True}
    assert events[RAW_TABLES] == [RAW["mhclg_ra"]]
    assert context["source_id"] == "mhclg_ra"  # what map_index_template renders


def test_the_plan_is_the_catalogue_or_the_family_or_the_sources_asked_for():
    from core.catalogue import catalogue
    from core.errors import WholeplaceError
    from warehouse import pipeline

    assert pipeline.plan() == [s.id for s in catalogue()]
    assert pipeline.plan(family="nhs") == [s.id for s in catalogue().by_family("nhs")]
    assert pipeline.plan(["spend500", "mhclg_ra"]) == ["mhclg_ra", "spend500"]  # catalogue order
    with pytest.raises(WholeplaceError, match="sources not in the nhs family: mhclg_ra"):
        pipeline.plan(["mhclg_ra"], family="nhs")


def test_publish_runs_only_after_the_marts_gate(dagbag):
    for dag_id in ("wholeplace", "build_warehouse"):
        dag = dagbag.dags[dag_id]
        assert dag.get_task("validate_marts").task_id in dag.get_task("publish_release").upstream_task_ids
        assert "build_models" in dag.get_task("validate_marts").upstream_task_ids


def test_every_task_touching_the_warehouse_takes_the_one_slot_pool_and_only_those(dagbag):
    outside = {"plan", "source.fetch"}  # the catalogue and the landing zone only: they run side by side
    for dag in dagbag.dags.values():
        if dag.dag_id.startswith("publication_"):  # they read the landing manifest, never the warehouse
            assert [t.pool for t in dag.tasks] == ["default_pool"]
            continue
        for t in dag.tasks:
            if t.task_id in outside:
                assert t.pool != "wholeplace_duckdb", f"{dag.dag_id}.{t.task_id} needlessly waits for the warehouse"
            else:
                assert t.pool == "wholeplace_duckdb", f"{dag.dag_id}.{t.task_id} is not in the DuckDB writer pool"
        assert dag.max_active_runs == 1


def test_build_warehouse_is_scheduled_on_the_raw_assets(dagbag):
    from core.catalogue import catalogue

    dag = dagbag.dags["build_warehouse"]
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"  # any source's update triggers a build
    assert {a.uri for a in condition.objects} == {s.asset_uri for s in catalogue()}


@pytest.mark.parametrize(
    ("exception", "action"),
    [
        ("fetch", "retry"),
        ("busy", "retry"),
        ("bad_input", "fail"),
        ("bad_setting", "fail"),
        ("binder", "fail"),
        ("io", "default"),
    ],
)
def test_the_retry_policy_retries_what_can_pass_and_fails_defects_at_once(dagbag, exception, action):
    import duckdb

    from core.errors import ConfigError, FetchError, SourceError, WarehouseBusy

    raised = {
        "fetch": FetchError("503 from the publisher"),
        "busy": WarehouseBusy("warehouse file locked"),
        "bad_input": SourceError("mhclg_ra", "ra.csv", "not a number", row=3, column="D"),
        "bad_setting": ConfigError("WHOLEPLACE_FETCH_DEADLINE must be a number, got 'soon'"),
        "binder": duckdb.BinderException('Table "w" does not have a column named "x"'),
        "io": duckdb.IOException("disk full"),
    }[exception]
    task = dagbag.dags["wholeplace"].get_task("validate_marts")

    decision = task.retry_policy.evaluate(raised, try_number=1, max_tries=3)

    assert decision.action.value == action


def test_ingest_dags_run_on_their_sources_check_schedules_and_plan_only_sources_due_a_check(dagbag):
    from datetime import UTC, datetime
    from unittest import mock

    from core.catalogue import catalogue

    council = dagbag.dags["ingest_council"]
    crons = {c for s in catalogue().by_family("council") for c in s.expected.check_crons()}
    assert type(council.timetable).__name__ == "MultipleCronTriggerTimetable"
    assert {t.expression for t in council.timetable.timetables} == crons

    plan = council.get_task("plan").python_callable

    def planned(run_type: str, at: datetime, **params) -> list[str]:
        context = {
            "params": {"sources": [], "periods": [], **params},
            "dag_run": mock.Mock(run_type=run_type),
            "logical_date": at,
        }
        with mock.patch("common.get_current_context", return_value=context):
            return plan()

    june_monday = datetime(2026, 6, 8, 5, tzinfo=UTC)  # RA is due 30 June: weekly checks May-July
    assert "mhclg_ra" in planned("scheduled", june_monday)
    assert "mhclg_rsx" not in planned("scheduled", june_monday)  # RO/RSX: checked weekly in Oct-Dec only
    assert "spend500" in planned("scheduled", june_monday)  # monthly publication: checked every week
    first_of_month = datetime(2026, 2, 1, 5, tzinfo=UTC)  # a Sunday: every yearly source's monthly check
    assert {"mhclg_ra", "mhclg_rsx"} <= set(planned("scheduled", first_of_month))
    assert "spend500" not in planned("scheduled", first_of_month)
    every = [s.id for s in catalogue().by_family("council")]
    assert planned("manual", june_monday) == every  # a manual run checks every source
    assert planned("scheduled", june_monday, sources=["mhclg_rsx"]) == ["mhclg_rsx"]  # asked for by name


def test_every_task_has_an_execution_timeout_from_the_settings(dagbag, recorder):
    from airflow.sdk.bases.sensor import BaseSensorOperator

    from core.settings import TASK_TIMEOUT_MINUTES, task_timeout

    seen = set()
    for dag in dagbag.dags.values():
        for t in dag.tasks:
            if isinstance(t, BaseSensorOperator):
                assert t.timeout, f"{dag.dag_id}.{t.task_id}: a sensor without a timeout"
                continue
            name = t.task_id.rsplit(".", 1)[-1]
            assert t.execution_timeout == task_timeout(name), f"{dag.dag_id}.{t.task_id}"
            seen.add(name)
    assert seen == set(TASK_TIMEOUT_MINUTES)
    from tests.reliability.report import record_hardening

    tasks = sum(len(d.tasks) for d in dagbag.dags.values())
    record_hardening(
        recorder,
        "a task that hangs",
        f"all {tasks} tasks of {len(dagbag.dags)} DAGs have an execution_timeout (or a sensor timeout); "
        "WHOLEPLACE_TASK_TIMEOUT_<TASK> sets each",
    )


def test_a_task_timeout_is_configurable_and_a_bad_one_is_refused(monkeypatch):
    from datetime import timedelta

    from core.settings import task_timeout

    monkeypatch.setenv("WHOLEPLACE_TASK_TIMEOUT_BUILD_MODELS", "90")
    assert task_timeout("build_models") == timedelta(minutes=90)
    monkeypatch.setenv("WHOLEPLACE_TASK_TIMEOUT_FETCH", "0")
    with pytest.raises(ValueError, match="WHOLEPLACE_TASK_TIMEOUT_FETCH must be a positive number"):
        task_timeout("fetch")
