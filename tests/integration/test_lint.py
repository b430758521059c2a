"""The code follows the project's style: ruff for Python (incl. Airflow 3 rules), sqlfluff
(dialect duckdb, dbt templater) for the dbt SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_python_passes_ruff_including_the_airflow_rules():
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--output-format", "concise", "."], cwd=PROJECT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dbt_sql_passes_sqlfluff(tmp_path):
    env = {
        **os.environ,
        "WHOLEPLACE_DUCKDB_PATH": str(tmp_path / "lint.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "models", "tests", "--disable-progress-bar", "--nofail"],
        cwd=PROJECT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    violations = [line for line in result.stdout.splitlines() if line.startswith(("L:", "=="))]
    assert not [v for v in violations if v.startswith("L:")], "\n".join(violations)
