"""TaskFlow task builders shared by the DAG files (one DAG style across the repo).

The tasks only call ``warehouse.pipeline``; the logic lives in ingest/, dbt and expectations/.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import (
    Asset,
    ExceptionRetryPolicy,
    Param,
    RetryAction,
    RetryRule,
    chain,
    get_current_context,
    task,
    task_group,
)

from assets import RAW, RAW_TABLES, RELEASE, WAREHOUSE_POOL
from core.settings import task_timeout
from warehouse.alerts import AlertNotifier

START = pendulum.datetime(2024, 1, 1, tz="UTC")

# A mapped task instance is shown (UI, logs, API) by the source it works on, not its index.
MAP_LABEL = "{{ source_id }}"


# Retry what can pass (a publisher's server error, a busy warehouse file); fail at once on bad
# input or a failed check, which a retry would only repeat.
RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception=["core.errors.FetchError", "core.errors.WarehouseBusy"],
            action=RetryAction.RETRY,
            reason="transient: the publisher or the warehouse file may be available later",
        ),
        RetryRule(
            exception="core.errors.WholeplaceError",
            action=RetryAction.FAIL,
            reason="bad input or a failed check: retrying cannot help",
        ),
        RetryRule(
            # binder, parser and catalog errors: a query that cannot run, not a busy file
            exception="duckdb.ProgrammingError",
            action=RetryAction.FAIL,
            reason="a query defect in the project: retrying cannot help",
        ),
    ]
)

DEFAULT_ARGS = {
    "owner": "wholeplace",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_policy": RETRY_POLICY,
    # a task that failed for good: source, period, step and the error's first lines (warehouse.alerts)
    "on_failure_callback": [AlertNotifier()],
}

PARAMS = {
    "periods": Param([], type="array", description='financial years to (re)load, e.g. ["2023-24"]; empty = all'),
    "sources": Param([], type="array", description='source ids to run, e.g. ["mhclg_ra"]; empty = all'),
}

FETCH_RETRIES = {
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "retry_policy": RETRY_POLICY,
}


def plan_sources(family: str | None = None):
    """The source ids this run fans out over, read from the catalogue when the run starts (adding a
    source needs no DAG change); the ``sources`` and ``periods`` params narrow it, and a scheduled
    run checks only the sources whose check schedule fires at its logical date."""

    @task(execution_timeout=task_timeout("plan"))
    def plan() -> list[str]:
        from warehouse import pipeline

        context = get_current_context()
        params = context["params"]
        run_type = getattr(context["dag_run"], "run_type", None)
        scheduled = getattr(run_type, "value", run_type) == "scheduled" and not params.get("sources")
        return pipeline.plan(
            params.get("sources") or None,
            family,
            params.get("periods") or None,
            checking_at=context["logical_date"] if scheduled else None,  # only the sources due a check
        )

    return plan()


def _label(source_id: str) -> dict:
    """Name the running mapped task by its source (``map_index_template`` below) and hand it the
    run's params."""
    context = get_current_context()
    context["source_id"] = source_id  # type: ignore[typeddict-unknown-key]
    return context


@task(map_index_template=MAP_LABEL, execution_timeout=task_timeout("fetch"), **FETCH_RETRIES)
def fetch(source_id: str) -> dict:
    """Fetch and land (the landing zone only: no pool, so sources fetch side by side)."""
    from warehouse import pipeline

    return pipeline.fetch(source_id, _label(source_id)["params"].get("periods") or None)


@task(pool=WAREHOUSE_POOL, map_index_template=MAP_LABEL, execution_timeout=task_timeout("load"))
def load(source_id: str, fetched: dict) -> dict:
    """Parse and load raw.<source> (a warehouse write: the one-slot pool)."""
    from warehouse import pipeline

    _label(source_id)
    return pipeline.load(source_id, fetched)


@task(
    pool=WAREHOUSE_POOL, map_index_template=MAP_LABEL, outlets=[RAW_TABLES], execution_timeout=task_timeout("validate")
)
def validate(source_id: str, loaded: dict) -> dict:
    """The source's raw GX suite; on success emits the raw.<source> Asset (through the alias)."""
    from warehouse import pipeline

    context = _label(source_id)
    summary = pipeline.validate_raw(source_id)
    context["outlet_events"][RAW_TABLES].add(RAW[source_id])
    return summary


@task_group(group_id="source")
def ingest_source(source_id: str):
    """One source: fetch -> load -> validate. Expanded over ``plan_sources`` (dynamic task mapping):
    one mapped instance per source, each named by its source id."""
    return validate(source_id, load(source_id, fetch(source_id)))


def ingest_sources(family: str | None = None):
    """plan_sources -> source.fetch / source.load / source.validate, mapped over the source ids."""
    return ingest_source.expand(source_id=plan_sources(family))


def build_and_publish(upstream: list | None = None, outlets: list[Asset] | None = None):
    """dbt build -> GX publication gate -> publish the release (moves `latest`)."""

    @task(pool=WAREHOUSE_POOL, execution_timeout=task_timeout("build_models"))
    def build_models() -> dict:
        from warehouse import pipeline

        return pipeline.build_models()

    @task(pool=WAREHOUSE_POOL, execution_timeout=task_timeout("validate_marts"))
    def validate_marts(built: dict) -> dict:
        from warehouse import pipeline

        return pipeline.validate_marts(built)

    @task(pool=WAREHOUSE_POOL, outlets=outlets or [RELEASE], execution_timeout=task_timeout("publish_release"))
    def publish_release(gate: dict, built: dict) -> dict:
        from warehouse import pipeline

        return pipeline.publish(gate, built)

    built = build_models()
    if upstream:
        chain(upstream, built)
    return publish_release(validate_marts(built), built)
