"""warehouse.shortcut: `make run` with nothing new is answered without Airflow only when every
input is what it was when the latest release was published or confirmed."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from core.settings import Settings
from warehouse import pipeline, shortcut

SUMMARY = {"release": "2026-12-03-abc", "path": "/releases/2026-12-03-abc", "rows": {}, "checks": {}}


@pytest.fixture
def state(warehouse_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings with a small snapshot folder, a code file and a warehouse file of their own."""
    snapshots = tmp_path / "snapshots" / "spend500" / "2023-24"
    snapshots.mkdir(parents=True)
    (snapshots / "walsall_2023-04.csv.gz").write_bytes(b"a")
    code = tmp_path / "project" / "ingest" / "run.py"
    code.parent.mkdir(parents=True)
    code.write_text("x = 1\n")
    monkeypatch.setattr(pipeline, "code_files", lambda settings: [code])
    settings = dataclasses.replace(
        warehouse_settings, snapshot_dir=tmp_path / "snapshots", project_dir=tmp_path / "project"
    )
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    settings.duckdb_path.write_bytes(b"warehouse")
    release = settings.releases_dir / SUMMARY["release"]
    release.mkdir(parents=True)
    return settings, release, snapshots, code


def recorded(settings: Settings) -> str:
    fingerprint = shortcut.inputs_fingerprint(settings)
    assert shortcut.record(settings, fingerprint, SUMMARY)
    return fingerprint


def test_with_every_input_as_it_was_the_recorded_summary_stands(state):
    settings, release, _, _ = state
    recorded(settings)

    assert shortcut.nothing_new(settings, release, shortcut.inputs_fingerprint(settings)) == SUMMARY


@pytest.mark.parametrize("change", ["snapshot touched", "snapshot added", "code edited", "warehouse written"])
def test_any_changed_input_sends_the_run_through_airflow(state, change):
    settings, release, snapshots, code = state
    recorded(settings)
    if change == "snapshot touched":
        path = snapshots / "walsall_2023-04.csv.gz"
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    elif change == "snapshot added":
        (snapshots / "walsall_2023-05.csv.gz").write_bytes(b"b")
    elif change == "code edited":
        code.write_text("x = 2\n")
    else:
        settings.duckdb_path.write_bytes(b"warehouse, rebuilt by hand")

    assert shortcut.nothing_new(settings, release, shortcut.inputs_fingerprint(settings)) is None


def test_another_release_or_none_recorded_sends_the_run_through_airflow(state):
    settings, release, _, _ = state
    assert shortcut.nothing_new(settings, release, shortcut.inputs_fingerprint(settings)) is None  # none recorded
    recorded(settings)
    other = settings.releases_dir / "2026-12-04-def"
    other.mkdir()
    assert shortcut.nothing_new(settings, other, shortcut.inputs_fingerprint(settings)) is None


def test_inputs_that_changed_while_the_run_ran_are_not_recorded(state):
    settings, release, snapshots, _ = state
    recorded(settings)
    at_start = shortcut.inputs_fingerprint(settings)
    (snapshots / "walsall_2023-06.csv.gz").write_bytes(b"arrived mid-run")

    assert not shortcut.record(settings, at_start, SUMMARY)
    assert shortcut.nothing_new(settings, release, shortcut.inputs_fingerprint(settings)) is None


@pytest.mark.parametrize(
    ("mode", "dag_id", "periods", "force", "expected"),
    [
        ("snapshot", "wholeplace", None, False, True),
        ("live", "wholeplace", None, False, False),  # the publishers must be asked
        ("snapshot", "wholeplace", ["2021-22"], False, False),  # a backfill reloads its year
        ("snapshot", "build_warehouse", None, False, False),
        ("snapshot", "wholeplace", None, True, False),  # make run FORCE=1
    ],
)
def test_only_a_plain_snapshot_run_may_skip_airflow(warehouse_settings, mode, dag_id, periods, force, expected):
    settings = dataclasses.replace(warehouse_settings, mode=mode)
    assert shortcut.eligible(settings, dag_id=dag_id, periods=periods, force=force) is expected


@pytest.mark.parametrize(
    ("mode", "dag_id", "periods", "expected"),
    [
        ("snapshot", "wholeplace", None, True),  # a forced run too: it rewrites the warehouse file
        ("live", "wholeplace", None, False),
        ("snapshot", "wholeplace", ["2021-22"], False),
        ("snapshot", "build_warehouse", None, False),
    ],
)
def test_a_forced_run_leaves_the_evidence_so_the_next_run_skips_airflow(
    warehouse_settings, mode, dag_id, periods, expected
):
    settings = dataclasses.replace(warehouse_settings, mode=mode)
    assert shortcut.recordable(settings, dag_id=dag_id, periods=periods) is expected
    assert not shortcut.eligible(settings, dag_id=dag_id, periods=periods, force=True)
