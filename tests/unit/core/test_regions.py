"""Region files: every shipped region loads and is placed by ONS in its combined authority; a
malformed file, an unknown council or one outside the combined authority is refused by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.regions import REGIONS_DIR, RegionError, load_region
from ingest.membership import all_regions, check_membership
from tests.paths import PROJECT_ROOT

PROJECT = PROJECT_ROOT

GM_COUNCILS = [f"E080000{n:02d}" for n in range(1, 11)]
WY_COUNCILS = ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036"]
WM_COUNCILS = [f"E080000{n}" for n in range(25, 32)]


@pytest.mark.parametrize(
    ("name", "authority", "councils"),
    [
        ("west-midlands", "E47000007", WM_COUNCILS),
        ("greater-manchester", "E47000001", GM_COUNCILS),
        ("west-yorkshire", "E47000003", WY_COUNCILS),
    ],
)
def test_each_shipped_region_names_its_combined_authority_and_all_member_councils(name, authority, councils):
    region = load_region(name)

    check_membership(region)

    assert region.combined_authority_code == authority
    assert list(region.council_codes) == councils


def test_all_regions_lists_every_file_in_regions():
    assert [r.name for r in all_regions()] == sorted(p.stem for p in REGIONS_DIR.glob("*.yml"))


def write_region(folder: Path, file_name: str = "test-region", **overrides) -> str:
    body = {
        "name": file_name,
        "title": "Test Region",
        "combined_authority": "{code: E47000003, name: West Yorkshire Combined Authority}",
        "ons_region": "{code: E12000003, name: Yorkshire and The Humber}",
        "councils": "\n  - {code: E08000035, name: Leeds}\n  - {code: E08000032, name: Bradford}",
        "icbs": "derived",
    } | overrides
    text = "\n".join(f"{k}: {v}" for k, v in body.items() if v is not None) + "\n"
    (folder / f"{file_name}.yml").write_text(text, encoding="utf-8")
    return file_name


def test_a_well_formed_region_file_loads(tmp_path):
    region = load_region(write_region(tmp_path), tmp_path)

    check_membership(region)

    assert region.council_codes == ("E08000035", "E08000032")
    assert region.locality_source is None


def test_an_unknown_region_name_lists_the_regions_there_are(tmp_path):
    write_region(tmp_path)

    with pytest.raises(RegionError, match=r"no region 'nowhere' .*the regions are: test-region"):
        load_region("nowhere", tmp_path)


def test_an_unknown_council_is_refused_naming_the_file_and_code(tmp_path):
    name = write_region(tmp_path, councils="\n  - {code: E08000035, name: Leeds}\n  - {code: E08000099, name: Nowhere}")

    with pytest.raises(RegionError, match=r"regions/test-region\.yml: unknown council E08000099"):
        check_membership(load_region(name, tmp_path))


def test_a_council_outside_the_combined_authority_is_refused_naming_where_it_is(tmp_path):
    name = write_region(
        tmp_path, councils="\n  - {code: E08000035, name: Leeds}\n  - {code: E08000003, name: Manchester}"
    )

    with pytest.raises(
        RegionError, match=r"outside combined authority E47000003: E08000003 \(Manchester\) is in E47000001"
    ):
        check_membership(load_region(name, tmp_path))


def test_a_council_in_no_combined_authority_is_refused(tmp_path):
    name = write_region(tmp_path, councils="\n  - {code: E07000223, name: Adur}")

    with pytest.raises(RegionError, match=r"E07000223 \(Adur\) is in no combined authority"):
        check_membership(load_region(name, tmp_path))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"councils": "\n  - {code: E0800035, name: Leeds}"}, r"council 1: 'E0800035' is not a council's GSS code"),
        ({"councils": "\n  - {code: E08000035}"}, r"council 1: missing 'name'"),
        (
            {"councils": "\n  - {code: E08000035, name: Leeds}\n  - {code: E08000035, name: Leeds}"},
            r"councils listed twice: E08000035",
        ),
        ({"combined_authority": "{code: E08000035, name: Leeds}"}, r"'E08000035' is not a combined authority code"),
        ({"ons_region": "{code: E47000003, name: X}"}, r"is not an ONS region code"),
        ({"title": None}, r"missing 'title'"),
        ({"name": "another-name"}, r"'name' must be the file's name"),
        ({"icbs": "[QWO]"}, r"icbs must be 'derived'"),
        ({"localities": "{source: no_such_source}"}, r"localities source 'no_such_source' is not in ingest/catalogue"),
        ({"councils": "[unclosed"}, r"is not valid YAML"),
    ],
)
def test_a_malformed_region_file_is_refused_with_the_file_and_the_fault(tmp_path, override, message):
    name = write_region(tmp_path, **override)

    with pytest.raises(RegionError, match=r"regions/test-region\.yml.*" + message):
        load_region(name, tmp_path)


def test_make_run_with_an_unknown_region_stops_before_anything_runs(tmp_path):
    env = {**os.environ, "WHOLEPLACE_REGION": "atlantis", "WHOLEPLACE_WAREHOUSE_DIR": str(tmp_path / "wh")}

    result = subprocess.run(
        [sys.executable, "-m", "warehouse.cli", "run", "--quiet"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert "FAILED before starting: no region 'atlantis'" in result.stdout
    assert "west-midlands" in result.stdout
    assert not (tmp_path / "wh" / "releases").exists()


def test_another_region_builds_side_by_side_and_the_default_keeps_data(monkeypatch):
    from core import settings

    monkeypatch.delenv("WHOLEPLACE_WAREHOUSE_DIR", raising=False)
    monkeypatch.delenv("WHOLEPLACE_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("WHOLEPLACE_REGION", raising=False)
    default = settings.get()
    monkeypatch.setenv("WHOLEPLACE_REGION", "greater-manchester")
    other = settings.get()

    assert (default.region, default.warehouse_dir) == ("west-midlands", PROJECT / "data")
    assert (other.region, other.warehouse_dir) == (
        "greater-manchester",
        PROJECT / "data/regions/greater-manchester",
    )
    assert other.duckdb_path.parent == other.warehouse_dir
