"""Crash safety: `kill -9` at random points of a run (fetch, load, raw checks, dbt, GX, publish).
After each kill the warehouse opens, `latest` is the previous release or a complete new one (never
a partial one), and the next run succeeds without any manual clean-up, publishing the inputs it
was given (no lost update). (`make test-crash`; CRASH_KILLS sets how many, default 30.)

Every trial gives the pipeline new input (a census file alternating between two test-only
revisions, never published outside the temporary warehouse), so dbt, the gate and publication
really run and can be interrupted; kill times are drawn, seeded, from a measured run's timeline.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from ingest.settings import PROJECT_DIR

pytestmark = pytest.mark.crash

KILLS = int(os.environ.get("CRASH_KILLS", "30"))
STAGES = ("fetch", "load", "validate", "dbt", "gx", "publish")
BIRMINGHAM = "E08000025,Birmingham,West Midlands,1073045,"
VARIANTS = (1140300, 1140400)  # the published figure, and a test-only revision


def snapshot_variant(root: Path, value: int) -> Path:
    bundled = PROJECT_DIR / "ingest" / "snapshots"
    folder = root / f"snapshots-{value}"
    if not folder.exists():
        folder.mkdir()
        for source in bundled.iterdir():
            if source.name != "ons_census_population":
                (folder / source.name).symlink_to(source)
        original = bundled / "ons_census_population" / "census2021_population_by_lad.csv"
        text = original.read_text(encoding="utf-8").replace(f"{BIRMINGHAM}1140300", f"{BIRMINGHAM}{value}")
        (folder / "ons_census_population").mkdir()
        (folder / "ons_census_population" / original.name).write_text(text, encoding="utf-8")
    return folder


class Runner:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WHOLEPLACE_")}
        self.env.update(WHOLEPLACE_WAREHOUSE_DIR=str(root / "warehouse"), WHOLEPLACE_MODE="snapshot")

    def start(self, value: int) -> subprocess.Popen:
        env = {**self.env, "WHOLEPLACE_SNAPSHOT_DIR": str(snapshot_variant(self.root, value))}
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_runner"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: dbt's process dies with it
        )

    def complete(self, value: int) -> tuple[str, dict[str, tuple[float, float]]]:
        """Run to the end; (its output, each stage's (first start, last end) in seconds)."""
        began = time.monotonic()
        proc = self.start(value)
        assert proc.stdout is not None
        lines, marks = [], []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(("STEP ", "DONE")):
                marks.append((time.monotonic() - began, line.split()[1] if line.startswith("STEP") else "done"))
        code = proc.wait()
        output = "".join(lines)
        assert code == 0 and "DONE" in output, output[-4000:]
        windows: dict[str, tuple[float, float]] = {}
        for (at, stage), (until, _) in zip(marks, marks[1:], strict=False):
            lo, hi = windows.get(stage, (at, until))
            windows[stage] = (min(lo, at), max(hi, until))
        return output, windows


def release_is_complete(release: Path) -> bool:
    """Every file the release's datapackage lists is there, with its recorded size and hash."""
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        path = release / resource["path"]
        if not path.is_file():
            return False
        if "bytes" in resource and path.stat().st_size != resource["bytes"]:
            return False
        if "hash" in resource and hashlib.sha256(path.read_bytes()).hexdigest() != resource["hash"].split(":")[-1]:
            return False
    return True


def latest(root: Path) -> Path | None:
    link = root / "warehouse" / "releases" / "latest"
    return link.resolve() if link.is_symlink() else None


def birmingham_population(root: Path) -> set[int]:
    with duckdb.connect(str(root / "warehouse" / "wholeplace.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select distinct population_count from marts.whole_place_budget where area_code = 'E08000025'"
        ).fetchall()
    return {r[0] for r in rows}


def test_kill_9_anywhere_leaves_a_warehouse_the_next_run_recovers(tmp_path, recorder):
    runner = Runner(tmp_path)
    runner.complete(VARIANTS[0])  # the first release
    _, windows = runner.complete(VARIANTS[1])  # a run with new input: every stage works; its timeline
    assert set(STAGES) <= set(windows), windows
    rng = random.Random(20261126)
    recorder.expected["crash"] = KILLS
    for trial in range(KILLS):
        value = VARIANTS[trial % 2]
        before = latest(tmp_path)
        stage = STAGES[trial % len(STAGES)]
        lo, hi = windows[stage]
        kill_at = rng.uniform(lo, hi)
        proc = runner.start(value)
        began = time.monotonic()
        seen: list[str] = []
        reader = threading.Thread(
            target=lambda p=proc, out=seen: out.extend(line for line in p.stdout if line.startswith("STEP"))
        )
        reader.start()
        while time.monotonic() - began < kill_at and proc.poll() is None:
            time.sleep(0.05)
        finished = proc.poll() is not None
        if not finished:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join()
        killed_in = seen[-1].split()[1] if seen else "start"

        # straight after the crash: the warehouse opens, `latest` is whole
        with duckdb.connect(str(tmp_path / "warehouse" / "wholeplace.duckdb")) as con:
            con.execute("select count(*) from raw.fetch_manifest").fetchall()
        now = latest(tmp_path)
        assert now is not None and release_is_complete(now), f"trial {trial}: a partial release is latest"
        assert now == before or finished or killed_in == "publish", f"trial {trial}: latest moved before publish"

        # the next run succeeds unattended and publishes what it was given
        runner.complete(value)
        assert release_is_complete(latest(tmp_path))  # type: ignore[arg-type]
        assert birmingham_population(tmp_path) == {value}, f"trial {trial}: the recovered run lost the update"
        recorder.add("crash", trial=trial, stage=stage, killed_in=killed_in, at=round(kill_at, 1), finished=finished)
