"""The ONS Open Geography lookups (ons_lad_cauth_lookup, ons_lsoa_icb_lookup, ons_lsoa_ward_lad_lookup,
ons_lad_pfa_lookup, ons_lad_fra_lookup, ons_lad_utla_lookup, ons_lad_region_lookup,
ons_lad_successor_lookup): real values as geographr republishes them, read by the
shared lookup reader, which also reads ONS's own field names. Check values from
../shared/data/README.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.errors import SourceError
from ingest.sheets import row_ledger
from ingest.sources import (
    ons_lad_cauth_lookup,
    ons_lad_fra_lookup,
    ons_lad_pfa_lookup,
    ons_lad_region_lookup,
    ons_lad_successor_lookup,
    ons_lad_utla_lookup,
    ons_lsoa_icb_lookup,
    ons_lsoa_ward_lad_lookup,
)
from tests.paths import SNAPSHOTS_DIR

SNAPSHOTS = SNAPSHOTS_DIR
WMCA = [f"E080000{n}" for n in range(25, 32)]


def snapshot(module) -> Path:
    return next((SNAPSHOTS / module.ID).iterdir())


def read(module, period: str) -> pd.DataFrame:
    path = snapshot(module)
    frame = module.parse(path.read_bytes(), file=path.name, period=period)
    assert list(frame.columns) == list(module.COLUMNS)
    return frame


def test_combined_authorities_and_their_districts() -> None:
    frame = read(ons_lad_cauth_lookup, "2023")
    assert len(frame) == 53 and frame.cauth_code.nunique() == 10
    members = frame.groupby("cauth_code").lad_code.apply(sorted).to_dict()
    assert members["E47000007"] == WMCA
    assert len(members["E47000001"]) == 10 and len(members["E47000003"]) == 5
    assert set(frame.vintage_year) == {2023}


def test_onss_own_field_names_are_read_too() -> None:
    ons = "LAD23CD,LAD23NM,CAUTH23CD,CAUTH23NM,ObjectId\r\nE08000025,Birmingham,E47000007,West Midlands,1\r\n"
    frame = ons_lad_cauth_lookup.parse(("\ufeff" + ons).encode(), file="LAD23_CAUTH23_EN_LU.csv", period="2023")
    assert frame.to_dict("records")[0] | {"_source_row": 2} == {
        "lad_code": "E08000025", "lad_name": "Birmingham", "cauth_code": "E47000007", "cauth_name": "West Midlands",
        "vintage_year": 2023, "_source_row": 2,
    }  # fmt: skip


def test_every_english_lsoa_is_in_one_icb_read_from_the_gzipped_copy() -> None:
    frame = read(ons_lsoa_icb_lookup, "2024")
    assert len(frame) == 33_755 and frame.lsoa_code.is_unique
    assert frame.icb_code.nunique() == 42 and frame.sicbl_code.nunique() == 106
    counts = frame.groupby("icb_ods_code").size()
    assert (counts["QHL"], counts["QUA"], counts["QWU"]) == (793, 723, 557)
    assert set(frame.loc[frame.icb_ods_code == "QHL", "icb_code"]) == {"E54000055"}


def test_lsoas_give_every_district_its_wards() -> None:
    frame = read(ons_lsoa_ward_lad_lookup, "2024")
    assert len(frame) == 35_672
    wards = frame[frame.lad_code.isin(WMCA)].groupby("lad_code").ward_code.nunique().to_dict()
    assert wards == dict(zip(WMCA, [69, 18, 24, 24, 17, 20, 20], strict=True))
    assert (frame.lad_code == "E08000025").sum() == 659


def test_districts_in_police_force_areas_repeats_for_old_partnerships_skipped() -> None:
    with row_ledger() as ledger:
        frame = read(ons_lad_pfa_lookup, "2024")
    count = ledger.count("ons_lad_pfa_lookup", "x")
    assert (count.rows_in, count.loaded, sum(count.skipped.values())) == (332, 318, 14)
    assert frame.lad_code.is_unique and frame.pfa_code.nunique() == 43
    assert sorted(frame.loc[frame.pfa_code == "E23000014", "lad_code"]) == WMCA


def test_districts_in_fire_and_rescue_authority_areas() -> None:
    frame = read(ons_lad_fra_lookup, "2024")
    assert len(frame) == 318 and frame.fra_code.nunique() == 47
    assert sorted(frame.loc[frame.fra_code == "E31000044", "lad_code"]) == WMCA


def test_a_district_mapped_to_two_forces_is_refused_naming_both_rows() -> None:
    path = snapshot(ons_lad_pfa_lookup)
    data = path.read_bytes() + b"E08000025,Birmingham,E22000335,Birmingham,E23000013,Warwickshire\n"
    with pytest.raises(SourceError, match=r"row 334, column A: E08000025 is mapped differently here and in row 266"):
        ons_lad_pfa_lookup.parse(data, file=path.name, period="2024")


def test_a_bad_code_is_refused_naming_file_row_and_column() -> None:
    path = snapshot(ons_lad_fra_lookup)
    data = path.read_bytes().replace(
        b"Birmingham,E08000025,West Midlands,E31000044", b"Birmingham,E08000025,West Midlands,E3100044"
    )
    with pytest.raises(
        SourceError, match=r"geographr_lookup_ltla24_fra24.csv, row \d+, column D: 'E3100044' is not a fire"
    ):
        ons_lad_fra_lookup.parse(data, file=path.name, period="2024")


def test_the_period_must_be_the_lookups_vintage() -> None:
    path = snapshot(ons_lad_cauth_lookup)
    with pytest.raises(SourceError, match="the lad_code columns are for 2023 but the catalogue loads the file as 2024"):
        ons_lad_cauth_lookup.parse(path.read_bytes(), file=path.name, period="2024")


def test_a_missing_column_is_refused_naming_its_pattern() -> None:
    path = snapshot(ons_lad_cauth_lookup)
    data = path.read_bytes().replace(b"cauth23_name", b"cauth_label")
    with pytest.raises(SourceError, match=r"the header has no column like cauthyy\(\?:nm\|_name\)"):
        ons_lad_cauth_lookup.parse(data, file=path.name, period="2023")


def test_a_gzip_bomb_is_refused() -> None:
    import gzip

    bomb = gzip.compress(b"lsoa21_code\n" + b"0" * (300 << 20))
    with pytest.raises(SourceError, match="refused as a bomb"):
        ons_lsoa_icb_lookup.parse(bomb, file="bomb.csv.gz", period="2024")


def read_file(module, name: str, period: str) -> pd.DataFrame:
    path = SNAPSHOTS / module.ID / name
    frame = module.parse(path.read_bytes(), file=name, period=period)
    assert list(frame.columns) == list(module.COLUMNS)
    return frame


def test_every_english_district_is_in_one_upper_tier_area_in_each_edition() -> None:
    current = read_file(ons_lad_utla_lookup, "geographr_lookup_ltla23_utla23.csv", "2023")
    assert len(current) == 318 and current.lad_code.is_unique and set(current.vintage_year) == {2023}
    england = current[current.lad_code.str.startswith("E")]
    assert len(england) == 296 and england.utla_code.nunique() == 153
    counties = england[england.utla_code.str.startswith("E10")].groupby("utla_code").size()
    assert len(counties) == 21 and counties["E10000016"] == 12  # Kent
    assert not (england.lad_code.str.startswith("E07") & ~england.utla_code.str.startswith("E10")).any()
    assert (england.lad_code.str.match("^E0[689]") & (england.lad_code == england.utla_code)).sum() == 132
    before = read_file(ons_lad_utla_lookup, "geographr_lookup_ltla21_utla21.csv", "2021")
    assert len(before) == 331 and set(before.vintage_year) == {2021}
    cumbria = sorted(before.loc[before.utla_code == "E10000006", "lad_name"])
    assert cumbria == ["Allerdale", "Barrow-in-Furness", "Carlisle", "Copeland", "Eden", "South Lakeland"]


def test_every_english_district_is_in_one_of_nine_regions() -> None:
    frame = read(ons_lad_region_lookup, "2023")
    assert len(frame) == 296 and frame.region_code.nunique() == 9
    assert (frame.region_code == "E12000005").sum() == 30
    assert set(frame.loc[frame.lad_code.isin(WMCA), "region_name"]) == {"West Midlands"}


def test_the_2023_reorganisations_merge_seventeen_districts_into_four_unitaries() -> None:
    frame = read(ons_lad_successor_lookup, "2023")
    assert len(frame) == 374 and frame.predecessor_code.is_unique and frame.lad_code.nunique() == 361
    merged = frame[frame.predecessor_code != frame.lad_code].groupby("lad_code").predecessor_name.apply(sorted)
    assert merged.to_dict() == {
        "E06000063": ["Allerdale", "Carlisle", "Copeland"],
        "E06000064": ["Barrow-in-Furness", "Eden", "South Lakeland"],
        "E06000065": ["Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale", "Scarborough", "Selby"],
        "E06000066": ["Mendip", "Sedgemoor", "Somerset West and Taunton", "South Somerset"],
    }
    assert set(frame.vintage_year) == {2023}
