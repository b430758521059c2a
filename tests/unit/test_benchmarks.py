"""The benchmark's parts that must be right for its figures to mean anything: the synthetic
files read as the real layouts do, the scales are what RESULTS.md says, and the fit is correct.
(The figures themselves come from `make bench`, never from a timed test.)"""

from __future__ import annotations

import math

import duckdb
import pytest

from benchmarks import run as bench
from benchmarks import synthetic
from core.landing import sha256_file
from ingest.sources import spend500
from tests.paths import SNAPSHOTS_DIR

BUNDLED = SNAPSHOTS_DIR / "spend500" / "2019-20"


def test_scales_are_region_years_of_seven_councils():
    one = synthetic.units(1)
    assert len({(r, c) for r, c, _, _ in one}) == 7 and {y for _, _, y, _ in one} == {2019}
    ten = synthetic.units(10)
    assert len(ten) == 10 * len(one) and {y for _, _, y, _ in ten} == set(range(2010, 2020))
    hundred = synthetic.units(100)
    assert len(hundred) == 100 * len(one) and {r for r, _, _, _ in hundred} == set(range(1, 11))
    with pytest.raises(ValueError):
        synthetic.units(15)


def test_synthetic_files_read_as_their_real_layouts_and_are_reproducible(tmp_path):
    summary = synthetic.generate(1, tmp_path / "x1", source=BUNDLED)

    files = sorted((tmp_path / "x1").glob("*.csv"))
    assert summary["files"] == len(files) == 12 * 9  # 7 councils + 2 card publishers, 12 months
    by_layout = {}
    for path in files:
        layout, _, _ = spend500.match_layout(path)
        by_layout.setdefault(layout.name, path)
    assert set(by_layout) == {*synthetic.COUNCIL_LAYOUTS, *synthetic.CARD_LAYOUT.values()} <= set(spend500.layouts())
    # Bradford's files are written in Windows-1252, as the council publishes them
    assert not by_layout["bradford"].read_bytes().isascii()
    with duckdb.connect() as con:
        loads = spend500.load_files(con, list(by_layout.values()), tmp_path)
    expected = {name: summary["layouts"][name]["rows_per_file"] for name in by_layout}
    assert {f.layout: f.rows + f.rejected for f in loads} == expected
    # the same scale gives the same bytes
    again = synthetic.generate(1, tmp_path / "again", source=BUNDLED)
    assert again["rows"] == summary["rows"]
    assert sha256_file(by_layout["manchester"]) == sha256_file(tmp_path / "again" / by_layout["manchester"].name)


def test_the_fit_recovers_a_known_line_and_the_growth_exponent():
    fixed, per_million = bench.slope([(1e6, 12.0), (2e6, 14.0), (4e6, 18.0)])
    assert math.isclose(fixed, 10.0) and math.isclose(per_million, 2.0)

    def scale(n: int | str, rows: int, seconds: float) -> dict:
        stage = {"wall_s": seconds, "inner_wall_s": seconds, "peak_rss_mb": 100.0, "seconds": {"spend500": seconds}}
        return {
            "scale": n,
            "generated": {"rows": rows, "files": 1, "bytes": 1},
            "rows_rejected": 0,
            "runs": {"full": dict.fromkeys(bench.STAGES, stage), "rerun": dict.fromkeys(bench.STAGES, stage)},
            "baselines": {"duckdb_bare": {"wall_s": seconds / 2, "seconds": {"read_csv": seconds / 4}}},
        }

    # the real scale is reported beside the synthetic ones but not fitted: its rows are not one region-year's
    summary = bench.summarise([scale("real", 500, 9.0), scale(1, 1_000, 1.0), scale(100, 100_000, 100.0)])
    assert math.isclose(summary["stages"]["load"]["growth_exponent"], 1.0)
    real = summary["per_scale"][0]
    assert (real["vs_duckdb"], real["vs_duckdb_work"]) == (0.5, 0.25)  # wall and in-process, the same run
    runs = {"full_s": 90.0, "no_change_s": [2.0, 2.5, 3.0], "no_change_median_s": 2.5, "forced_no_change_s": 40.0}
    text = bench.render({"cpu": "test"}, [scale("real", 500, 9.0), scale(1, 1_000, 1.0)], summary, runs)
    assert "| 1x | parse+load | 1.0 |" in text and "| real | parse+load | 9.0 |" in text
    assert "| nothing new (median of three; target <= 10 s) | 2.5 (2.0, 2.5, 3.0) |" in text


def test_at_the_real_scale_the_bare_read_is_compared_with_the_csv_sources_own_load():
    stage = {"wall_s": 10.0, "inner_wall_s": 9.0, "peak_rss_mb": 100.0, "seconds": {}}
    csv = {"wall_s": 6.0, "inner_wall_s": 5.5, "peak_rss_mb": 90.0, "rows": 400, "seconds": {"spend500": 5.0}}
    xlsx = {"wall_s": 2.0, "inner_wall_s": 1.5, "peak_rss_mb": 80.0, "rows": 100, "seconds": {"wmca_spend": 1.0}}
    load = {**stage, "wall_s": 8.0, "rows": 500, "seconds": {"spend500": 5.0, "wmca_spend": 1.0}}
    load["per_source"] = {"spend500": csv, "wmca_spend": xlsx}
    full = {**dict.fromkeys(bench.STAGES, stage), "load": load}
    real = {
        "scale": "real",
        "generated": {"rows": 500, "files": 2, "bytes": 1},
        "rows_rejected": 0,
        "runs": {"full": full, "rerun": full},
        "baselines": {"duckdb_bare": {"wall_s": 4.5, "seconds": {"read_csv": 4.0}}},
    }

    (entry,) = bench.summarise([real])["per_scale"]

    assert entry["vs_duckdb"] == 4.5 / 6.0  # the CSV load's own process, not the workbooks' too
    assert entry["bare_duckdb_rows_per_s"] == 400 / 4.5
    assert entry["vs_duckdb_work"] == 4.0 / 5.0
    assert "| real | 500 | 62 | 89 | 0.75 (4.5 s / 6.0 s) |" in bench.render({}, [real], bench.summarise([real]))


def test_stage_times_share_a_runs_wall_time_between_its_stages_by_task_starts():
    output = "\n".join(
        [
            "[10:00:00] wholeplace: England (every upper-tier and combined authority area, ...)",
            "[10:00:10]   -> plan",
            "[10:00:12]   -> source.fetch[mhclg_rsx]",
            "[10:01:40]   -> source.validate[mhclg_rsx]",
            "[10:02:00]   -> build_models",
            "[10:02:30]   -> validate_marts",
            "[10:02:35]   -> publish_release",
            "OK in 300 s: published new release x",
        ]
    )
    assert bench.stage_times(output, 300.0) == {
        "start (Airflow, plan)": 12.0,  # from the process's start to the first source task
        "ingest": 108.0,
        "dbt build": 30.0,
        "GX validate": 5.0,
        "publish": 145.0,  # until the process ends, 300 s after it started
    }


def test_the_places_section_replaces_its_previous_self_and_states_the_goal(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "RESULTS_MD", tmp_path / "RESULTS.md")
    (tmp_path / "RESULTS.md").write_text("# Results\n\nscales here\n", encoding="utf-8")
    facts = {"date": "2026-12-04", "commit": "abc", "cores": 2}
    common = {"stages": {"ingest": 100.0}, "rerun_stages": {}, "release_mb": 1.0, "warehouse_mb": 1.0}
    places = [
        {"region": "west-midlands", "places": 8, "wall_s": 200.0, "rerun_s": 30.0, "rerun_share": 0.15,
         "no_change_s": 1.0, "peak_rss_mb": 900.0, **common},
        {"region": "england", "places": 164, "wall_s": 480.0, "rerun_s": 40.0, "rerun_share": 0.083,
         "no_change_s": 1.5, "peak_rss_mb": 1200.0, **common},
    ]  # fmt: skip
    for _ in range(2):
        bench.write_places(bench.render_places(facts, places))
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert text.startswith("# Results\n\nscales here\n") and text.count(bench.PLACES_BEGIN) == 1
    assert "8.0 min, met" in text and "8%, NOT met" in text
    assert "20 times the places cost 2.4 times the time" in text
