"""Regions: a city region is configuration, not code.

One YAML file per region in ``regions/`` names the combined authority, its ONS region and its
member councils (GSS codes), how its ICBs are found, and optional sub-council places. A region may
instead derive its places (``places: derived``): England is every upper-tier area and every
combined authority area the held ONS lookups name, found by the dbt models from those lookups. The region a
run builds is ``WHOLEPLACE_REGION`` (``make run REGION=<name>``; default west-midlands).

A region file is checked twice: its shape when it is loaded here (codes of the right kind, no
duplicates), and its membership against the bundled reference data before anything runs
(ingest.membership: every council is a district ONS knows, and the ONS lookup places it in this
combined authority), read with ingest's own parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from core import yamlfile
from core.errors import CatalogueError
from core.settings import DEFAULT_REGION, PROJECT_DIR

REGIONS_DIR = PROJECT_DIR / "regions"
__all__ = [
    "DEFAULT_REGION",
    "Region",
    "RegionError",
    "load_region",
    "region_names",
]
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_CA = re.compile(r"^E47\d{6}$")
_ONS_REGION = re.compile(r"^E12\d{6}$")
_COUNCIL = re.compile(r"^E0[6-9]\d{6}$|^E10\d{6}$")


class RegionError(CatalogueError):
    """A region file is malformed, or names councils the reference data does not place in it."""


@dataclass(frozen=True)
class Council:
    code: str
    name: str


@dataclass(frozen=True)
class Region:
    name: str
    title: str
    combined_authority_code: str | None  # None where the places are derived
    combined_authority_name: str | None
    ons_region_code: str | None
    ons_region_name: str | None
    councils: tuple[Council, ...]
    icbs: str
    locality_source: str | None
    path: Path
    places: str = "listed"  # 'listed' (the councils above) or 'derived' (every place in England)

    @property
    def is_derived(self) -> bool:
        return self.places == "derived"

    @property
    def describe(self) -> str:
        """How the run names it: 'West Midlands (E47000007, 7 councils)'."""
        if self.is_derived:
            return f"{self.title} (every upper-tier and combined authority area, from the ONS lookups)"
        return f"{self.title} ({self.combined_authority_code}, {len(self.councils)} councils)"

    @property
    def council_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.councils)


def region_names(regions_dir: Path = REGIONS_DIR) -> list[str]:
    return sorted(p.stem for p in regions_dir.glob("*.yml"))


def _required(entry: dict, key: str, where: str):
    if not isinstance(entry, dict) or entry.get(key) in (None, ""):
        raise RegionError(f"{where}: missing {key!r}")
    return entry[key]


def _code(value: object, pattern: re.Pattern[str], what: str, where: str) -> str:
    text = str(value).strip()
    if not pattern.match(text):
        raise RegionError(f"{where}: {text!r} is not {what}")
    return text


def _icbs(raw: dict, where: str) -> str:
    icbs = str(raw.get("icbs", "derived"))
    if icbs != "derived":
        raise RegionError(f"{where}: icbs must be 'derived' (from the practice-level populations)")
    return icbs


def load_region(name: str, regions_dir: Path = REGIONS_DIR) -> Region:
    """Load and check the shape of ``regions/<name>.yml``."""
    path = regions_dir / f"{name}.yml"
    if not path.is_file():
        known = ", ".join(region_names(regions_dir))
        raise RegionError(f"no region {name!r} (regions/{name}.yml); the regions are: {known}")
    where = f"regions/{path.name}"
    try:
        raw = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegionError(f"{where} is not valid YAML: {exc}") from exc
    if _required(raw, "name", where) != name or not _NAME.match(name):
        raise RegionError(f"{where}: 'name' must be the file's name, {name!r} (lower case and hyphens)")
    places = str(raw.get("places", "listed"))
    if places not in ("listed", "derived"):
        raise RegionError(f"{where}: places must be 'listed' (councils below) or 'derived' (from the ONS lookups)")
    if places == "derived":
        extra = sorted(k for k in ("combined_authority", "ons_region", "councils", "localities") if k in raw)
        if extra:
            raise RegionError(f"{where}: a region whose places are derived lists no {', '.join(extra)}")
        return Region(
            name=name,
            title=str(_required(raw, "title", where)),
            combined_authority_code=None,
            combined_authority_name=None,
            ons_region_code=None,
            ons_region_name=None,
            councils=(),
            icbs=_icbs(raw, where),
            locality_source=None,
            path=path,
            places=places,
        )
    ca = _required(raw, "combined_authority", where)
    ons_region = _required(raw, "ons_region", where)
    councils = []
    for i, entry in enumerate(_required(raw, "councils", where), start=1):
        here = f"{where}: council {i}"
        councils.append(
            Council(
                code=_code(
                    _required(entry, "code", here), _COUNCIL, "a council's GSS code (E06, E07, E08, E09, E10)", here
                ),
                name=str(_required(entry, "name", here)),
            )
        )
    codes = [c.code for c in councils]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise RegionError(f"{where}: councils listed twice: {', '.join(duplicates)}")
    icbs = _icbs(raw, where)
    localities = raw.get("localities") or {}
    if localities:
        from core.catalogue import catalogue

        source_id = _required(localities, "source", f"{where}: localities")
        if source_id not in {s.id for s in catalogue()}:
            raise RegionError(f"{where}: localities source {source_id!r} is not in ingest/catalogue.yml")
    return Region(
        name=name,
        title=str(_required(raw, "title", where)),
        combined_authority_code=_code(_required(ca, "code", where), _CA, "a combined authority code (E47...)", where),
        combined_authority_name=str(_required(ca, "name", where)),
        ons_region_code=_code(_required(ons_region, "code", where), _ONS_REGION, "an ONS region code (E12...)", where),
        ons_region_name=str(_required(ons_region, "name", where)),
        councils=tuple(councils),
        icbs=icbs,
        locality_source=localities.get("source"),
        path=path,
    )
