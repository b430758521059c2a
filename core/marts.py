"""The published marts, written once: in the dbt model yml of each mart (``dbt_project/models/
marts/**``), so dbt's manifest and docs carry them too::

    config:
      meta:
        published:
          order: 1                   # where the release lists it (headline first)
          key: whole_place_total_key # its primary key
          sort: "-per_head_gbp"      # the column Datasette opens it sorted by (- descending)
          label: area_name           # dimensions: the column that names a row
          grain: area × financial year × measure × declared scope
          summary: >-                # what an analyst reads it for (the README's table)
            the headline totals ...

The release, the Datasette metadata, lineage, the place profiles, the tests and the mart tables
of the README and the dbt docs overview (``make docs``: warehouse.publication.mart_tables) read
them from here; a mart without ``meta.published`` is built but not published."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core import yamlfile
from core.errors import ConfigError
from core.settings import DBT_PROJECT_DIR

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"


@dataclass(frozen=True)
class Mart:
    name: str
    order: int
    key: str
    sort: str | None = None  # a column, "-" first for descending
    label: str | None = None
    grain: str = ""
    summary: str = ""

    @property
    def sort_clause(self) -> tuple[str, str] | None:
        """Datasette's table option for the sort: ("sort_desc", column) or ("sort", column)."""
        if not self.sort:
            return None
        return ("sort_desc", self.sort[1:]) if self.sort.startswith("-") else ("sort", self.sort)


@cache
def published(marts_dir: Path = MARTS_DIR) -> dict[str, Mart]:
    """{mart: Mart}, in publication order."""
    found: list[Mart] = []
    for yml in sorted(marts_dir.rglob("*.yml")):
        for model in (yamlfile.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            meta = (model.get("config") or {}).get("meta") or model.get("meta") or {}
            entry = meta.get("published")
            if entry is None:
                continue
            where = f"{yml.relative_to(marts_dir.parent.parent)}: {model['name']}"
            if not isinstance(entry, dict) or not isinstance(entry.get("order"), int) or not entry.get("key"):
                raise ConfigError(f"{where}: meta.published must be {{order: <n>, key: <column>, ...}}, got {entry!r}")
            unknown = set(entry) - {"order", "key", "sort", "label", "grain", "summary"}
            if unknown:
                raise ConfigError(f"{where}: meta.published has unknown keys {sorted(unknown)}")
            if not entry.get("grain"):
                raise ConfigError(f"{where}: meta.published has no grain (what one row is)")
            if entry["order"] in [m.order for m in found]:
                raise ConfigError(f"{where}: meta.published order {entry['order']} is another mart's too")
            found.append(
                Mart(
                    model["name"],
                    entry["order"],
                    entry["key"],
                    entry.get("sort"),
                    entry.get("label"),
                    str(entry["grain"]),
                    " ".join(str(entry.get("summary", "")).split()),
                )
            )
    if not found:
        raise ConfigError(f"{marts_dir}: no model says meta.published: nothing would be published")
    return {m.name: m for m in sorted(found, key=lambda m: m.order)}


MARTS: tuple[str, ...] = tuple(published())
PRIMARY_KEYS: dict[str, str] = {name: mart.key for name, mart in published().items()}
