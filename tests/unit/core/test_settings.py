"""A bad setting, layouts file or landing manifest is a ConfigError (a WholeplaceError): said
plainly, the same on every attempt, so Airflow fails the task at once instead of retrying it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core import settings
from core.errors import ConfigError, WholeplaceError
from core.landing import manifest_path, read_manifest
from tests.paths import PROJECT_ROOT


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("WHOLEPLACE_MODE", "sometimes", "WHOLEPLACE_MODE must be 'snapshot' or 'live', got 'sometimes'"),
        ("WHOLEPLACE_FETCH_DEADLINE", "soon", "WHOLEPLACE_FETCH_DEADLINE must be a number, got 'soon'"),
        ("WHOLEPLACE_DBT_THREADS", "0", "WHOLEPLACE_DBT_THREADS must be a whole number of at least 1"),
        ("WHOLEPLACE_SAMPLES", "maybe", "WHOLEPLACE_SAMPLES must be 1 or 0"),
        ("WHOLEPLACE_DUCKDB_MEMORY_LIMIT", "lots", "WHOLEPLACE_DUCKDB_MEMORY_LIMIT must be a size"),
    ],
)
def test_a_bad_setting_is_a_config_error_naming_it(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as raised:
        settings.get()
    assert isinstance(raised.value, WholeplaceError)


def test_a_bad_task_timeout_is_a_config_error(monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_TASK_TIMEOUT_LOAD", "-3")
    with pytest.raises(ConfigError, match="WHOLEPLACE_TASK_TIMEOUT_LOAD"):
        settings.task_timeout("load")


def test_a_torn_manifest_line_is_a_config_error_naming_the_file_and_line(tmp_path):
    path = manifest_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"source_id": "mhclg_rsx"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"manifest.jsonl: line 1 is not a manifest row"):
        list(read_manifest(tmp_path))


def test_a_bad_layouts_file_is_a_config_error(tmp_path):
    from ingest.sources.spend500 import layouts

    bad = tmp_path / "layouts.yml"
    bad.write_text(
        "x:\n  council: {code: E08000025, name: B}\n  kind: invoice\n  encoding: latin9\n"
        "  date_format: '%d/%m/%Y'\n  columns: {payment_date: D, reference: R, net_amount_gbp: N, supplier_name: S}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="layouts.yml: x: encoding must be one of"):
        layouts(bad)


def test_the_command_line_says_a_bad_setting_before_anything_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "warehouse.cli", "status"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "WHOLEPLACE_MODE": "sometimes", "WHOLEPLACE_WAREHOUSE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "FAILED before starting: WHOLEPLACE_MODE must be 'snapshot' or 'live'" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_old_checkouts_runtime_data_moves_from_warehouse_to_data_once(tmp_path, monkeypatch):
    old, new = tmp_path / "warehouse", tmp_path / "data"
    (old / "releases" / "2026-01-01-abc").mkdir(parents=True)
    (old / "wholeplace.duckdb").write_bytes(b"duckdb")
    (old / "cli.py").write_text("code stays")
    (new / "raw").mkdir(parents=True)  # data/ already holds a landing zone: it is not replaced
    (old / "raw").mkdir()
    monkeypatch.setattr(settings, "LEGACY_DATA_DIR", old)
    monkeypatch.setattr(settings, "DATA_DIR", new)

    assert settings.move_legacy_data() == ["wholeplace.duckdb", "releases"]
    assert (new / "releases" / "2026-01-01-abc").is_dir() and (new / "wholeplace.duckdb").read_bytes() == b"duckdb"
    assert (old / "cli.py").exists() and (old / "raw").exists()
    assert settings.move_legacy_data() == []
