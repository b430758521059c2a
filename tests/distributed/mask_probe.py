"""A probe DAG for the distributed test (not part of the project's DAGs): a task that reads an
Airflow connection and writes its password to the task log three ways. On a real deployment the
task log must show the password masked (***)."""

from __future__ import annotations

import logging

import pendulum
from airflow.sdk import BaseHook, dag, task

log = logging.getLogger("wholeplace.mask_probe")


@dag(dag_id="mask_probe", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def mask_probe():
    @task
    def use_connection() -> None:
        conn = BaseHook.get_connection("publisher_mirror")
        log.info("password in a log line: %s", conn.password)
        print(f"password printed: {conn.password}")
        log.info("connection uri: %s", conn.get_uri())

    use_connection()


mask_probe()
