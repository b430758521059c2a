"""The DAGs load in Airflow without import errors, and have the shape the pipeline relies on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow_home")
    os.environ.setdefault("AIRFLOW_HOME", str(home))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = PROJECT / "dags"
    return BundleDagBag(dag_folder=str(dags), bundle_path=dags, bundle_name="dags-folder")


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_there_is_one_ingest_dag_per_source_family_plus_build_and_main(dagbag):
    from ingest.catalogue import catalogue

    expected = {f"ingest_{family}" for family in catalogue().families()} | {"build_warehouse", "wholeplace"}
    assert set(dagbag.dag_ids) == expected


def test_every_source_is_ingested_then_validated_and_emits_its_asset(dagbag):
    from ingest.catalogue import catalogue

    main = dagbag.dags["wholeplace"]
    for source in catalogue():
        ingest = main.get_task(f"ingest_{source.id}")
        validate = main.get_task(f"validate_{source.id}")
        assert validate.task_id in ingest.downstream_task_ids
        assert [o.uri for o in validate.outlets] == [source.asset_uri]
        assert "build_models" in validate.downstream_task_ids


def test_publish_runs_only_after_the_marts_gate(dagbag):
    for dag_id in ("wholeplace", "build_warehouse"):
        dag = dagbag.dags[dag_id]
        assert dag.get_task("validate_marts").task_id in dag.get_task("publish_release").upstream_task_ids
        assert "build_models" in dag.get_task("validate_marts").upstream_task_ids


def test_every_task_touching_the_warehouse_takes_the_one_slot_pool(dagbag):
    for dag in dagbag.dags.values():
        for t in dag.tasks:
            assert t.pool == "wholeplace_duckdb", f"{dag.dag_id}.{t.task_id} is not in the DuckDB writer pool"
        assert dag.max_active_runs == 1


def test_build_warehouse_is_scheduled_on_the_raw_assets(dagbag):
    from ingest.catalogue import catalogue

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
        ("binder", "fail"),
        ("io", "default"),
    ],
)
def test_the_retry_policy_retries_what_can_pass_and_fails_defects_at_once(dagbag, exception, action):
    import duckdb

    from ingest.errors import FetchError, SourceError, WarehouseBusy

    raised = {
        "fetch": FetchError("503 from the publisher"),
        "busy": WarehouseBusy("warehouse file locked"),
        "bad_input": SourceError("mhclg_ra", "ra.csv", "not a number", row=3, column="D"),
        "binder": duckdb.BinderException('Table "w" does not have a column named "x"'),
        "io": duckdb.IOException("disk full"),
    }[exception]
    task = dagbag.dags["wholeplace"].get_task("validate_marts")

    decision = task.retry_policy.evaluate(raised, try_number=1, max_tries=3)

    assert decision.action.value == action
