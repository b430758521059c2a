"""The reliability suites record what they tried; at the end of the session the figures are written
to tests/reliability/REPORT.md (one section per suite, only for suites that ran in full)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

REPORT = Path(__file__).with_name("REPORT.md")


class Recorder:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.expected: dict[str, int] = {}

    def add(self, suite: str, **row) -> None:
        self.rows[suite].append(row)

    def complete(self, suite: str) -> bool:
        return suite in self.expected and len(self.rows[suite]) == self.expected[suite]


_RECORDER = Recorder()


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    return _RECORDER


def pytest_sessionfinish(session, exitstatus) -> None:
    from tests.reliability.report import write_report

    write_report(_RECORDER, REPORT)


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
    import ingest.settings

    shutil.copytree(template, folder, symlinks=True)
    env.setenv("WHOLEPLACE_WAREHOUSE_DIR", str(folder))
    env.setenv("WHOLEPLACE_MODE", "snapshot")
    for name in ("WHOLEPLACE_SNAPSHOT_DIR", "WHOLEPLACE_DUCKDB_PATH", "WHOLEPLACE_REGION"):
        env.delenv(name, raising=False)
    return ingest.settings.get()


@pytest.fixture
def published_copy(published_template, tmp_path, monkeypatch):
    """Settings pointing at this test's own copy of the published warehouse."""
    return use_copy_of(published_template, tmp_path / "warehouse", monkeypatch)
