"""Reading the project's YAML files (catalogue, regions, layouts, dbt's): safe loading through
libyaml's C parser when PyYAML was built with it (several times faster than the pure-Python one:
every task process reads the catalogue), else the pure-Python safe loader. Same documents, same
errors (yaml.YAMLError)."""

from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    """``yaml.safe_load``, through libyaml when available."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
