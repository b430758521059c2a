"""Fixtures of the reliability suites (what they record goes to tests/reliability/REPORT.md through
the session-wide recorder in tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def published_template(tmp_path_factory) -> Path:
    """A warehouse built and published once per session from the bundled snapshots by the
    pipeline's own steps (what the DAG tasks call). Tests work on copies (``copy_published``)."""
    root = tmp_path_factory.mktemp("published")
    env = pytest.MonkeyPatch()
    env.setenv("WHOLEPLACE_WAREHOUSE_DIR", str(root / "warehouse"))
    env.setenv("WHOLEPLACE_MODE", "snapshot")
    for name in ("WHOLEPLACE_SNAPSHOT_DIR", "WHOLEPLACE_DUCKDB_PATH", "WHOLEPLACE_REGION"):
        env.delenv(name, raising=False)
    try:
        from warehouse import pipeline

        for source in pipeline.plan():
            pipeline.load(source, pipeline.fetch(source))
            pipeline.validate_raw(source)
        built = pipeline.build_models()
        pipeline.publish(pipeline.validate_marts(built), built)
    finally:
        env.undo()
    return root / "warehouse"


def use_copy_of(template: Path, folder: Path, env: pytest.MonkeyPatch):
    """Copy the published warehouse to ``folder`` (`latest` stays a link) and point the settings at it."""
    import core.settings

    shutil.copytree(template, folder, symlinks=True)
    env.setenv("WHOLEPLACE_WAREHOUSE_DIR", str(folder))
    env.setenv("WHOLEPLACE_MODE", "snapshot")
    for name in ("WHOLEPLACE_SNAPSHOT_DIR", "WHOLEPLACE_DUCKDB_PATH", "WHOLEPLACE_REGION"):
        env.delenv(name, raising=False)
    return core.settings.get()


@pytest.fixture
def published_copy(published_template, tmp_path, monkeypatch):
    """Settings pointing at this test's own copy of the published warehouse."""
    return use_copy_of(published_template, tmp_path / "warehouse", monkeypatch)
