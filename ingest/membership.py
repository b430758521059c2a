"""A region's membership, checked against the bundled reference data before anything runs: every
council is a district ONS knows (its mid-year estimates), and the ONS lookup places it in the
region's combined authority. Read with the sources' own parsers, so it sits in ingest."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.regions import Region, RegionError, load_region, region_names
from ingest.sources import module_for

__all__ = ["all_regions", "check_membership", "current_region", "reference_files"]


REFERENCE_SOURCES = ("ons_mid_year_estimates", "ons_lad_cauth_lookup")


def reference_files(snapshots: Path) -> list[tuple[str, str, Path]]:
    """The bundled files membership is checked against: (source id, period, path)."""
    from core.catalogue import catalogue

    return [
        (source_id, partition.period, snapshots / partition.snapshot)
        for source_id in REFERENCE_SOURCES
        for partition in catalogue().get(source_id).partitions
        if partition.snapshot
    ]


@cache
def _reference(snapshots: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Districts ONS knows (code -> name: the districts of its latest mid-year estimates) and the
    district -> combined authority lookup, read with their own parsers from the bundled snapshots."""
    from core.catalogue import catalogue

    districts: dict[str, str] = {}
    memberships: dict[str, str] = {}
    targets = {"ons_mid_year_estimates": districts, "ons_lad_cauth_lookup": memberships}
    for source_id, period, path in reference_files(snapshots):
        target = targets[source_id]
        parser = module_for(catalogue().get(source_id))
        frame = parser.parse(path.read_bytes(), file=path.name, period=period)
        if source_id == "ons_mid_year_estimates":
            frame = frame[frame["area_code"].str.match(r"^E0[6-9]")]
            target.update(zip(frame["area_code"], frame["area_name"], strict=True))
        else:
            target.update(zip(frame["lad_code"], frame["cauth_code"], strict=True))
    return districts, memberships


def check_membership(region: Region) -> None:
    """Refuse a region whose councils are unknown districts or lie outside its combined authority."""
    from core.settings import get

    if region.is_derived:  # its places come from the lookups themselves: nothing to check them against
        return
    districts, memberships = _reference(get().snapshot_dir)
    where = f"regions/{region.path.name}"
    unknown = [c.code for c in region.councils if c.code not in districts]
    if unknown:
        raise RegionError(
            f"{where}: unknown council {', '.join(unknown)} (not a district in ONS's mid-year population estimates)"
        )
    outside = [
        f"{c.code} ({c.name}) is in {memberships[c.code]}"
        if c.code in memberships
        else f"{c.code} ({c.name}) is in no combined authority"
        for c in region.councils
        if memberships.get(c.code) != region.combined_authority_code
    ]
    if outside:
        raise RegionError(
            f"{where}: council outside combined authority {region.combined_authority_code}: " + "; ".join(outside)
        )


def current_region() -> Region:
    """The region this process builds (WHOLEPLACE_REGION), loaded and checked."""
    from core.settings import get

    region = load_region(get().region)
    check_membership(region)
    return region


def all_regions() -> list[Region]:
    """Every configured region, each loaded and checked (they are all benchmarked in a release)."""
    regions = [load_region(name) for name in region_names()]
    for region in regions:
        check_membership(region)
    return regions
