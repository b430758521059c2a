"""Shared fixtures: every test that writes gets its own warehouse directory; suites record what
they tried, and at the end of the session the figures are written to tests/reliability/REPORT.md
(one section per suite, only for suites that ran in full)."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from pathlib import Path

import pytest

import core.settings
from core.landing import Landed
from core.settings import Settings

_ENV = (
    "WHOLEPLACE_DUCKDB_PATH",
    "WHOLEPLACE_SNAPSHOT_DIR",
    "WHOLEPLACE_MODE",
    "WHOLEPLACE_MIRROR_URL",
    "WHOLEPLACE_MAX_DOWNLOAD_MB",
    "WHOLEPLACE_ACCEPT_FEWER_ROWS",
    "WHOLEPLACE_FETCH_DEADLINE",
    "WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL",
)
REPORT = Path(__file__).parent / "reliability" / "REPORT.md"


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
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: hand what it recorded to the controller
        workeroutput["recorded"] = json.dumps({"rows": _RECORDER.rows, "expected": _RECORDER.expected}, default=str)
        return
    from tests.reliability.report import write_report

    write_report(_RECORDER, REPORT)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist's controller: merge what a worker recorded (the report needs every suite whole)."""
    recorded = getattr(node, "workeroutput", {}).get("recorded")
    if not recorded:
        return
    data = json.loads(recorded)
    for suite, rows in data["rows"].items():
        _RECORDER.rows[suite].extend(rows)
    for suite, n in data["expected"].items():
        _RECORDER.expected[suite] = max(n, _RECORDER.expected.get(suite, 0))


@pytest.fixture
def warehouse_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (from the environment, as the pipeline reads them) pointing at tmp_path/warehouse."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WHOLEPLACE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("WHOLEPLACE_HTTP_RETRIES", "0")
    monkeypatch.setenv("WHOLEPLACE_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("WHOLEPLACE_READ_TIMEOUT", "5")
    return core.settings.get()


def fetched_row(source: str, period: str, at: str, outcome: str = "new", sha: str = "a" * 64) -> Landed:
    """A landing-manifest row: ``source``'s ``period`` file fetched live at ``at`` (ISO time), ``new``
    bytes or the same again (``not_modified``)."""
    return Landed(
        source_id=source,
        period=period,
        url=f"https://assets.publishing.service.gov.uk/media/x/{source}_{period}.ods",
        origin_url=None,
        mirror_url=None,
        mode="live",
        file_name=f"{source}_{period}.ods",
        retrieved_at=at,
        sha256=sha,
        bytes=10,
        etag=None,
        last_modified=None,
        outcome=outcome,
        object_path=f"objects/aa/{sha}.ods",
    )


@pytest.fixture(scope="session")
def project_docs(tmp_path_factory: pytest.TempPathFactory):
    """What dbt's docs say of the published tables (the project's yml and doc blocks, through
    ``dbt parse``'s manifest, as a release reads them)."""
    import os
    import subprocess
    import sys

    from warehouse.publication.metadata import documented_columns

    out = tmp_path_factory.mktemp("dbt_parse")
    env = {
        **os.environ,
        "WHOLEPLACE_DUCKDB_PATH": str(out / "parse.duckdb"),
        "DBT_TARGET_PATH": str(out / "target"),
        "DBT_LOG_PATH": str(out / "logs"),
        "DBT_PROFILES_DIR": str(core.settings.PROJECT_DIR / "dbt_project"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "-q"],
        cwd=core.settings.PROJECT_DIR / "dbt_project",
        env=env,
        check=True,
        capture_output=True,
    )
    return documented_columns(out / "target" / "manifest.json")


def write_manifest(path: Path, columns: dict[str, list[str]]) -> Path:
    """A minimal dbt manifest describing ``columns`` ({table: [column, ...]}; source_files as the
    source table published as it), for tests that publish marts they made up."""
    import json

    def described(table: str) -> dict:
        return {c: {"name": c, "description": f"{table}.{c} as a test describes it"} for c in columns[table]}

    nodes = {
        f"model.wholeplace.{t}": {
            "resource_type": "model",
            "name": t,
            "description": f"The {t} table.",
            "columns": described(t),
        }
        for t in columns
        if t != "source_files"
    }
    sources = (
        {
            "source.wholeplace.meta.fetch_manifest": {
                "name": "fetch_manifest",
                "description": "Every raw file the marts are built from.",
                "config": {"meta": {"published_as": "source_files"}},
                "columns": described("source_files"),
            }
        }
        if "source_files" in columns
        else {}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"nodes": nodes, "sources": sources}), encoding="utf-8")
    return path


# a valid catalogue entry, for tests that change one thing of it
CATALOGUE_ENTRY: dict = {
    "id": "demo_source",
    "family": "council",
    "publisher": "A publisher",
    "title": "A title",
    "landing_page": "https://www.gov.uk/demo",
    "format": "CSV",
    "licence": "OGL-UK-3.0",
    "attribution": "Contains public sector information licensed under the Open Government Licence v3.0.",
    "cadence": "annual",
    "expected": {"every": "year", "by": "11-30", "grace_days": 31},
    "synthetic": False,
    "provenance": "made up for a test",
    "unit": "£ thousand",
    "unit_multiplier": 1000,
    "copy": {"status": "publisher_file"},
    "partitions": [{"period": "2023-24", "url": "https://assets.publishing.service.gov.uk/media/x/demo.csv"}],
}


def catalogue_entry(**changes) -> dict:
    """CATALOGUE_ENTRY with ``changes`` (a value of ... removes the key)."""
    out = copy.deepcopy(CATALOGUE_ENTRY)
    for key, value in changes.items():
        if value is ...:
            del out[key]
        else:
            out[key] = value
    return out
