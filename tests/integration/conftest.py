"""Shared fixtures for the integration tests: one warehouse built through Airflow per test session
(the end-to-end and browser tests read the same first release)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    output: str


class Pipeline:
    """One warehouse + Airflow home, run as a user would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.warehouse = root / "warehouse"
        self.env = {
            **os.environ,
            "WHOLEPLACE_WAREHOUSE_DIR": str(self.warehouse),
            "AIRFLOW_HOME": str(root / "airflow"),
            "WHOLEPLACE_MODE": "snapshot",
        }
        self.env.pop("WHOLEPLACE_SNAPSHOT_DIR", None)
        self.env.pop("WHOLEPLACE_DUCKDB_PATH", None)

    def run(self, **extra_env: str) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "warehouse.cli", "run", "--quiet"],
            cwd=PROJECT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=900,
        )
        return Run(proc.returncode, proc.stdout + proc.stderr)

    @property
    def latest(self) -> Path:
        return (self.warehouse / "releases" / "latest").resolve()

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse / "wholeplace.duckdb"), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def raw_objects(self) -> set[Path]:
        return set((self.warehouse / "raw" / "objects").rglob("*.*"))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def first_run(pipeline: Pipeline) -> Run:
    run = pipeline.run()
    assert run.code == 0, run.output
    return run
