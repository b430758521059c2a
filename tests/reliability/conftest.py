"""The reliability suites record what they tried; at the end of the session the figures are written
to tests/reliability/REPORT.md (one section per suite, only for suites that ran in full)."""

from __future__ import annotations

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
