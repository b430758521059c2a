"""The England map: Open Innovations' 2020 upper-tier layout brought up to the places' vintage
(April 2023), so every upper-tier area of the held ONS lookup has exactly one hexagon."""

from __future__ import annotations

import csv
import io
import json

from tests.paths import SNAPSHOTS_DIR
from warehouse.publication.profiles.hexmap import hex_distance, upper_tier_hexes
from warehouse.publication.profiles.pages import UPPER_TIER_HEXMAP, UPPER_TIER_SUCCESSORS


def rows(source: str, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((SNAPSHOTS_DIR / source / name).read_text(encoding="utf-8-sig"))))


def test_every_2023_upper_tier_area_has_one_hexagon_in_its_own_cell() -> None:
    places = {
        r["utla23_code"]: r["utla23_name"]
        for r in rows("ons_lad_utla_lookup", "geographr_lookup_ltla23_utla23.csv")
        if r["utla23_code"].startswith("E")
    }
    hexes = upper_tier_hexes(UPPER_TIER_HEXMAP, UPPER_TIER_SUCCESSORS, places)
    assert sorted(h.code for h in hexes) == sorted(places)
    assert len({(h.q, h.r) for h in hexes}) == len(hexes), "no two places share a cell"
    by_code = {h.code: h for h in hexes}
    assert by_code["E06000063"].name == "Cumberland"
    # a split county's second successor takes the nearest free cell: next to Cumbria's; three steps
    # from Northamptonshire's, which the Midlands surround
    for first, second, steps in (("E06000063", "E06000064", 1), ("E06000061", "E06000062", 3)):
        a, b = by_code[first], by_code[second]
        assert hex_distance((a.q, a.r), (b.q, b.r)) == steps


def test_the_layouts_2023_successors_agree_with_the_held_ons_lookups() -> None:
    successors = json.loads(UPPER_TIER_SUCCESSORS.read_text(encoding="utf-8"))["successors"]
    county_of = {
        r["ltla21_code"]: r["utla21_code"] for r in rows("ons_lad_utla_lookup", "geographr_lookup_ltla21_utla21.csv")
    }
    became = {
        r["ltla22_code"]: r["ltla23_code"]
        for r in rows("ons_lad_successor_lookup", "geographr_lookup_ltla22_ltla23.csv")
        if r["ltla22_code"] != r["ltla23_code"]
    }
    from_lookups: dict[str, set[str]] = {}
    for district, unitary in became.items():
        from_lookups.setdefault(county_of[district], set()).add(unitary)
    assert from_lookups == {county: set(codes) for county, codes in successors.items() if county in from_lookups}
    assert set(from_lookups) == {"E10000006", "E10000023", "E10000027"}
