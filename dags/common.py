"""TaskFlow task builders shared by the DAG files (one DAG style across the repo).

The tasks only call ``warehouse.pipeline``; the logic lives in ingest/, dbt and expectations/.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, ExceptionRetryPolicy, RetryAction, RetryRule, chain, get_current_context, task

from assets import RAW, RELEASE, WAREHOUSE_POOL
from ingest.catalogue import Source

START = pendulum.datetime(2024, 1, 1, tz="UTC")


# Retry what can pass (a publisher's server error, a busy warehouse file); fail at once on bad
# input or a failed check, which a retry would only repeat.
RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception=["ingest.errors.FetchError", "ingest.errors.WarehouseBusy"],
            action=RetryAction.RETRY,
            reason="transient: the publisher or the warehouse file may be available later",
        ),
        RetryRule(
            exception="ingest.errors.WholeplaceError",
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
}

FETCH_RETRIES = {
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "retry_policy": RETRY_POLICY,
}


def ingest_and_validate(source: Source):
    """ingest_<id> (fetch, land, load) -> validate_<id> (GX raw suite), which emits raw.<id>."""

    @task(task_id=f"ingest_{source.id}", pool=WAREHOUSE_POOL, **FETCH_RETRIES)
    def ingest_source() -> dict:
        from warehouse import pipeline

        periods = get_current_context()["params"].get("periods") or None
        return pipeline.ingest(source.id, periods)

    @task(task_id=f"validate_{source.id}", pool=WAREHOUSE_POOL, outlets=[RAW[source.id]])
    def validate_source(ingested: dict) -> dict:
        from warehouse import pipeline

        return pipeline.validate_raw(source.id)

    return validate_source(ingest_source())


def build_and_publish(upstream: list | None = None, outlets: list[Asset] | None = None):
    """dbt build -> GX publication gate -> publish the release (moves `latest`)."""

    @task(pool=WAREHOUSE_POOL)
    def build_models() -> dict:
        from warehouse import pipeline

        return pipeline.build_models()

    @task(pool=WAREHOUSE_POOL)
    def validate_marts(built: dict) -> dict:
        from warehouse import pipeline

        return pipeline.validate_marts(built)

    @task(pool=WAREHOUSE_POOL, outlets=outlets or [RELEASE])
    def publish_release(gate: dict, built: dict) -> dict:
        from warehouse import pipeline

        return pipeline.publish(gate, built)

    built = build_models()
    if upstream:
        chain(upstream, built)
    return publish_release(validate_marts(built), built)
