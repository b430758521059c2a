"""Which suites exist: one raw suite per catalogue source (expectations/suites/raw_<id>.py), and
the marts suite that gates publication."""

from __future__ import annotations

import importlib

from core.errors import CatalogueError
from expectations.checks import Suite


def raw_suite(source_id: str) -> Suite:
    try:
        module = importlib.import_module(f"expectations.suites.raw_{source_id}")
    except ModuleNotFoundError as exc:
        raise CatalogueError(
            f"{source_id}: no Great Expectations suite (expected expectations/suites/raw_{source_id}.py)"
        ) from exc
    return module.SUITE


def marts_suite() -> Suite:
    from expectations.suites.marts import SUITE

    return SUITE
