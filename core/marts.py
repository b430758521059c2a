"""The published marts and their primary keys, written once: in the dbt model yml of each mart
(``dbt_project/models/marts/**``) as ``config: meta: published: {order, key}``, so dbt's manifest
and docs carry them too. The release, the Datasette metadata, lineage, the place profiles and the
tests read them from here; ``order`` is the order the release lists them in (headline first)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from core.errors import ConfigError
from core.settings import PROJECT_DIR

MARTS_DIR = PROJECT_DIR / "dbt_project" / "models" / "marts"


@cache
def published(marts_dir: Path = MARTS_DIR) -> dict[str, str]:
    """{mart: primary key column}, in publication order."""
    found: dict[str, tuple[int, str]] = {}
    for yml in sorted(marts_dir.rglob("*.yml")):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            meta = (model.get("config") or {}).get("meta") or model.get("meta") or {}
            entry = meta.get("published")
            if entry is None:
                continue
            where = f"{yml.relative_to(marts_dir.parent.parent)}: {model['name']}"
            if not isinstance(entry, dict) or not isinstance(entry.get("order"), int) or not entry.get("key"):
                raise ConfigError(f"{where}: meta.published must be {{order: <n>, key: <column>}}, got {entry!r}")
            if entry["order"] in [o for o, _ in found.values()]:
                raise ConfigError(f"{where}: meta.published order {entry['order']} is another mart's too")
            found[model["name"]] = (entry["order"], entry["key"])
    if not found:
        raise ConfigError(f"{marts_dir}: no model says meta.published: nothing would be published")
    return {name: key for name, (_, key) in sorted(found.items(), key=lambda item: item[1][0])}


MARTS: tuple[str, ...] = tuple(published())
PRIMARY_KEYS: dict[str, str] = published()
