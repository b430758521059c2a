"""Shared fixtures for the integration tests: one warehouse built through Airflow per test session
(the end-to-end and browser tests read the same first release)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
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

    def run(self, *args: str, **extra_env: str) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "warehouse.cli", "run", "--quiet", *args],
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


def copy_of_snapshots(tmp_path: Path) -> Path:
    """A writable copy of the bundled snapshots (point WHOLEPLACE_SNAPSHOT_DIR at it)."""
    snapshots = tmp_path / "snapshots"
    shutil.copytree(PROJECT / "ingest" / "snapshots", snapshots)
    for path in snapshots.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return snapshots


def edit_coventry_figure(path: Path, new_text: str) -> tuple[int, str, str]:
    """Replace Coventry's (E08000026) first figure in an MHCLG RSX CSV with ``new_text``, leaving
    every other byte as published. Returns the spreadsheet row and column of the cell (not the text
    line: header cells hold line breaks) and the figure it held."""
    from core.errors import column_letter

    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    row = next(i for i, r in enumerate(rows) if r[:2] == ["E4602", "E08000026"])
    col = next(j for j, cell in enumerate(rows[row]) if j > 2 and re.fullmatch(r"-?[\d,]+(\.\d+)?", cell))
    old = rows[row][col]
    line = next(ln for ln in text.split("\n") if ln.startswith("E4602,E08000026,"))
    quoted = f'"{old}"' if "," in old else old
    assert f",{quoted}," in line
    text = text.replace(line, line.replace(f",{quoted},", f',"{new_text}",', 1))
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return row + 1, column_letter(col), old


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


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    """The project's DAGs as Airflow's DAG processor parses them (no metadata database needed)."""
    home = tmp_path_factory.mktemp("airflow_home")
    os.environ.setdefault("AIRFLOW_HOME", str(home))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = PROJECT / "dags"
    return BundleDagBag(dag_folder=str(dags), bundle_path=dags, bundle_name="dags-folder")
