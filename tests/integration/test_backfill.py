"""Backfill by financial year (`make backfill FY=2021-22` = python -m warehouse.cli run --period
2021-22, through Airflow with the run's `periods` param): only that year's files are fetched and
reloaded, only that year's rows change, and running it again changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Pipeline, copy_of_snapshots, edit_coventry_figure

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
MARTS_BY_YEAR = ("fct_spend", "budget_vs_outturn", "whole_place_budget", "regional_benchmarks")


def _rows_by_year(pipeline: Pipeline) -> dict[tuple[str, str], str]:
    """(mart, financial year) -> sha256 of that year's rows, in a fixed order."""
    out = {}
    for mart in MARTS_BY_YEAR:
        for (year,) in pipeline.query(f"select distinct financial_year from marts.{mart}"):
            rows = pipeline.query(f"select * from marts.{mart} where financial_year = ? order by all", [year])
            out[(mart, str(year))] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


@pytest.fixture(scope="module")
def backfill_pipeline(first_run, pipeline: Pipeline, tmp_path_factory) -> Pipeline:
    """A copy of the session's published warehouse, with an Airflow home of its own."""
    root = tmp_path_factory.mktemp("backfill")
    shutil.copytree(pipeline.warehouse, root / "warehouse", symlinks=True)
    return Pipeline(root)


def test_a_backfill_of_one_year_changes_only_that_years_rows_and_is_idempotent(backfill_pipeline, tmp_path):
    before = _rows_by_year(backfill_pipeline)
    release = backfill_pipeline.latest
    # Both years are restated at the publisher (Coventry's first RSX figure); only 2021-22 is asked for.
    snapshots = copy_of_snapshots(tmp_path)
    _, _, old_2122 = edit_coventry_figure(snapshots / "mhclg_rsx" / "RSX_2021-22_data_by_LA_Live.csv", "130,000")
    edit_coventry_figure(snapshots / "mhclg_rsx" / "RSX_2023-24_data_by_LA.csv", "140,000")
    assert old_2122 != "130,000"

    run = backfill_pipeline.run("--period", "2021-22", WHOLEPLACE_SNAPSHOT_DIR=str(snapshots))
    assert run.code == 0, run.output
    assert "backfill of 2021-22" in run.output and "published new release" in run.output
    after = _rows_by_year(backfill_pipeline)

    changed = {key for key in before if before[key] != after.get(key)}
    assert changed, "the restated 2021-22 figure did not reach the marts"
    assert {year for _, year in changed} == {"2021-22"}, f"rows of other years changed: {sorted(changed)}"
    assert set(after) == set(before)  # no year appeared or vanished
    # the 2021-22 file was reloaded (the rows it replaced kept as a vintage); 2023-24 was not fetched
    replaced = "select _period, count(*) > 0 from raw_vintages.mhclg_rsx group by 1"
    assert dict(backfill_pipeline.query(replaced)) == {"2021-22": True}
    assert backfill_pipeline.latest != release

    again = backfill_pipeline.run("--period", "2021-22", WHOLEPLACE_SNAPSHOT_DIR=str(snapshots))
    assert again.code == 0, again.output
    assert "no change since the latest release" in again.output
    assert _rows_by_year(backfill_pipeline) == after


def test_make_backfill_refuses_a_malformed_year_and_a_year_no_source_publishes() -> None:
    cli = [sys.executable, "-m", "warehouse.cli", "run", "--period"]
    bad = subprocess.run([*cli, "2021-23"], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "a financial year looks like 2021-22" in bad.stderr
    from core.errors import WholeplaceError
    from warehouse import pipeline

    with pytest.raises(WholeplaceError, match="no source in the catalogue publishes 2031-32"):
        pipeline.plan(periods=["2031-32"])
    assert pipeline.plan(periods=["2021-22"]) == ["mhclg_ra", "mhclg_rsx", "nomis_population"]
