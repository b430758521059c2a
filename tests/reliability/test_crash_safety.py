"""Crash safety: `kill -9` at random points of a run (fetch, load, raw checks, dbt, GX, publish).
After each kill the warehouse opens, `latest` is the previous release or a complete new one (never
a partial one), and the next run succeeds without any manual clean-up, publishing the inputs it
was given (no lost update). (`make test-crash`; CRASH_KILLS sets how many, default 30: trials go
on until that many runs were really killed.)

Every trial gives the pipeline new input (the mid-2024 population estimates alternating between two
test-only revisions, never published outside the temporary warehouse), so dbt, the gate and publication
really run and can be interrupted; each kill is aimed, seeded, at a moment inside one step of a
measured run (a source's fetch, load or checks, the dbt build, the gate, publication).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.reliability import runs
from tests.reliability.runs import release_is_complete
from tests.reliability.snapshots import POPULATION_PUBLISHED, population, revised

pytestmark = pytest.mark.crash

KILLS = int(os.environ.get("CRASH_KILLS", "30"))
STAGES = ("fetch", "load", "validate", "dbt", "gx", "publish")
VARIANTS = (POPULATION_PUBLISHED, POPULATION_PUBLISHED + 100)  # the published figure, and a test-only revision


class Runner:
    """Runs on one warehouse under ``root``, each given the population estimates with Birmingham at a value."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.warehouse = root / "warehouse"

    def start(self, value: int) -> subprocess.Popen:
        return runs.start(self.warehouse, revised(self.root / f"snapshots-{value}", *population(value)))

    def complete(self, value: int) -> list[tuple[str, float]]:
        """Run to the end; each step it announced ("load mhclg_ra", "dbt", ...) and its seconds."""
        _, marks, _ = runs.finish(self.start(value))
        return [(step, until - at) for (at, step), (until, _) in zip(marks, marks[1:], strict=False)]


def birmingham_population(root: Path) -> set[int]:
    with duckdb.connect(str(root / "warehouse" / "wholeplace.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select distinct population_count from marts.whole_place_budget"
            " where area_code = 'E08000025' and financial_year = '2024-25'"
        ).fetchall()
    return {r[0] for r in rows}


def test_kill_9_anywhere_leaves_a_warehouse_the_next_run_recovers(tmp_path, recorder):
    runner = Runner(tmp_path)
    runner.complete(VARIANTS[0])  # the first release
    steps = runner.complete(VARIANTS[1])  # a run with new input: every stage works; its timeline
    assert set(STAGES) <= {step.split()[0] for step, _ in steps}, steps
    rng = random.Random(20261126)
    kills = trial = 0
    while kills < KILLS:
        assert trial < 2 * KILLS, f"only {kills} of {KILLS} runs were still running when their kill came"
        value = VARIANTS[trial % 2]
        before = runs.latest(runner.warehouse)
        stage = STAGES[trial % len(STAGES)]
        # aim at one announced step of that stage (one source's load, the dbt build, ...) and a
        # moment inside it, as long as it took in the measured run
        aimed, took = rng.choice([(step, t) for step, t in steps if step.split()[0] == stage])
        delay = rng.uniform(0, took)
        proc = runner.start(value)
        seen: list[str] = []
        entered = threading.Event()

        def read(p=proc, out=seen, mark=f"STEP {aimed}", flag=entered) -> None:
            for line in p.stdout:
                if line.startswith("STEP"):
                    out.append(line)
                    if line.strip() == mark:
                        flag.set()

        reader = threading.Thread(target=read)
        reader.start()
        while not entered.is_set() and proc.poll() is None:
            time.sleep(0.02)
        began = time.monotonic()
        while time.monotonic() - began < delay and proc.poll() is None:
            time.sleep(0.02)
        finished = proc.poll() is not None
        if not finished:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        reader.join()
        killed_in = seen[-1].split()[1] if seen else "start"

        # straight after the crash: the warehouse opens, `latest` is whole
        with duckdb.connect(str(tmp_path / "warehouse" / "wholeplace.duckdb")) as con:
            con.execute("select count(*) from raw.fetch_manifest").fetchall()
        now = runs.latest(runner.warehouse)
        assert now is not None and release_is_complete(now), f"trial {trial}: a partial release is latest"
        assert now == before or finished or killed_in == "publish", f"trial {trial}: latest moved before publish"

        # the next run succeeds unattended and publishes what it was given
        runner.complete(value)
        assert release_is_complete(runs.latest(runner.warehouse))  # type: ignore[arg-type]
        assert birmingham_population(tmp_path) == {value}, f"trial {trial}: the recovered run lost the update"
        recorder.add("crash", trial=trial, stage=stage, killed_in=killed_in, at=round(delay, 1), finished=finished)
        trial += 1
    recorder.expected["crash"] = trial
