"""Overlap: runs that overlap lose no update, never publish marts their own gate did not pass, and
readers of the warehouse and of `latest` see no error while they run.

Airflow's one-slot pool serialises the writing tasks, not whole runs: `wholeplace`, the
asset-triggered `build_warehouse` and the ingest DAGs can interleave their steps. Two `make run`s
(or a manual step beside a deployment) are kept to one writing step at a time by the warehouse's
step lock. The first test plays the interleavings that used to go wrong, step by step; the second
starts two runs as processes at once, with readers querying the warehouse and reading the
published release throughout.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from tests.reliability import runs
from tests.reliability.snapshots import BUNDLED, OFLOG, POPULATION_PUBLISHED, population, revised, sha256

pytestmark = pytest.mark.integration

POPULATION = population(POPULATION_PUBLISHED + 100)
SOURCE = POPULATION[0].source


def _release_figures(release: Path) -> tuple[set[int], set[str]]:
    """(Birmingham's population in whole_place_budget, the sha256s OFLOG rows of fct_outcome cite)."""
    with duckdb.connect() as con:
        population = con.execute(
            f"select distinct population_count from read_csv('{release / 'whole_place_budget.csv'}') "
            "where area_code = 'E08000025' and financial_year = '2024-25'"
        ).fetchall()
        oflog = con.execute(
            f"select distinct source_file_sha256 from read_csv('{release / 'fct_outcome.csv'}') "
            "where source_id = 'oflog_asc'"
        ).fetchall()
    return {p for (p,) in population}, {s for (s,) in oflog}


def test_interleaved_runs_lose_no_update_and_publish_only_what_their_gate_passed(
    published_copy, tmp_path, monkeypatch, recorder
):
    from warehouse import pipeline

    settings = published_copy
    census_world = revised(tmp_path / "population-revised", *POPULATION)
    oflog_world = revised(tmp_path / "oflog-revised", OFLOG)
    oflog_new = sha256(oflog_world, OFLOG.source, OFLOG.file)

    def world(folder: Path) -> None:
        monkeypatch.setenv("WHOLEPLACE_SNAPSHOT_DIR", str(folder))

    # run B fetches OFLOG's revised file (the landing zone only: fetches take no lock) ...
    world(oflog_world)
    b_fetched = pipeline.fetch(OFLOG.source)
    # ... while run A loads the revised population file, builds, checks and publishes
    world(census_world)
    pipeline.load(SOURCE, pipeline.fetch(SOURCE))
    pipeline.validate_raw(SOURCE)
    a_built = pipeline.build_models()
    a = pipeline.publish(pipeline.validate_marts(a_built), a_built)
    assert a["new_release"]
    assert _release_figures(settings.current_release())[0] == {POPULATION_PUBLISHED + 100}

    # B loads its file: A's build did not read it, so B's validation and build must not be skipped
    # (they were, when "what is built" was taken from the files fetched rather than those loaded)
    pipeline.load(OFLOG.source, b_fetched)
    assert not pipeline.validate_raw(OFLOG.source).get("unchanged")
    b_built = pipeline.build_models()
    assert "unchanged_since" not in b_built, "B's build was skipped: its file would never be published"
    b_gate = pipeline.validate_marts(b_built)

    # run C loads the population file as first published and rebuilds before B publishes
    world(BUNDLED)
    pipeline.load(SOURCE, pipeline.fetch(SOURCE))
    pipeline.validate_raw(SOURCE)
    c_built = pipeline.build_models()
    b = pipeline.publish(b_gate, b_built)
    # the marts are C's build now, which B's gate never saw: B publishes nothing
    assert b["superseded_by_build"] and b["superseded_by_build"] != b_gate["build_id"]
    assert not b["new_release"] and settings.current_release().name == a["release"]
    c_gate = pipeline.validate_marts(c_built)
    assert c_gate["build_id"] == b["superseded_by_build"]
    c = pipeline.publish(c_gate, c_built)

    # C's release holds both updates: B's file (C's build read it) and C's population file
    release = settings.current_release()
    assert c["new_release"] and release.name == c["release"] and runs.release_is_complete(release)
    assert _release_figures(release) == ({POPULATION_PUBLISHED}, {oflog_new})
    recorder.expected["overlap"] = 2
    recorder.add(
        "overlap",
        kind="interleaved steps",
        order="B fetch; A load, build, gate, publish; B load, build, gate; C load, build; "
        "B publish (superseded); C gate, publish",
        superseded=1,
        readers=0,
        reads=0,
        reader_errors=0,
        releases=2,
        lost=0,
    )


class Readers:
    """Threads reading while runs write: SQL on the warehouse (read-only, waiting while a writer
    holds the file) and the files of the release `latest` points at (checked against its hashes)."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.stop = threading.Event()
        self.reads = {"sql": 0, "release": 0}
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._sql), threading.Thread(target=self._release)]

    def _guard(self, kind: str, read) -> None:
        while not self.stop.is_set():
            try:
                read()
                self.reads[kind] += 1
            except Exception as exc:  # noqa: BLE001 - any error a reader meets is the finding
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            time.sleep(0.25)

    def _sql(self) -> None:
        from core.db import connect

        def read() -> None:
            with connect(self.warehouse / "wholeplace.duckdb") as con:
                (n,) = con.execute("select count(*) from marts.whole_place_budget").fetchone()
                assert n > 0, "whole_place_budget is empty"

        self._guard("sql", read)

    def _release(self) -> None:
        def read() -> None:
            release = runs.latest(self.warehouse)
            package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
            (resource,) = [r for r in package["resources"] if r["name"] == "whole_place_budget"]
            import hashlib

            digest = hashlib.sha256((release / resource["path"]).read_bytes()).hexdigest()
            assert f"sha256:{digest}" == resource["hash"], f"{release.name}: whole_place_budget.csv differs"

        self._guard("release", read)

    def __enter__(self) -> Readers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def test_two_runs_at_once_with_readers_lose_no_update_and_readers_see_no_error(published_copy, tmp_path, recorder):
    settings = published_copy
    warehouse = settings.warehouse_dir
    before = {p.name for p in settings.releases_dir.iterdir() if p.is_dir() and not p.is_symlink()}
    # the publishers have revised two files; run A reloads the population estimates, run B OFLOG's file, at once
    world = revised(tmp_path / "world", *POPULATION, OFLOG)
    with Readers(warehouse) as readers, ThreadPoolExecutor(2) as pool:
        a = runs.start(warehouse, world, (SOURCE,))
        b = runs.start(warehouse, world, (OFLOG.source,))
        (_, a_marks, a_done), (_, b_marks, b_done) = pool.map(runs.finish, (a, b))
        time.sleep(1)  # a last read of what they left

    assert readers.errors == [], readers.errors[:5]
    assert readers.reads["sql"] > 0 and readers.reads["release"] > 0
    release = runs.latest(warehouse)
    assert release is not None and runs.release_is_complete(release)
    # no lost update: what is published holds both runs' files
    assert _release_figures(release) == ({POPULATION_PUBLISHED + 100}, {sha256(world, OFLOG.source, OFLOG.file)})
    created = {p.name for p in settings.releases_dir.iterdir() if p.is_dir() and not p.is_symlink()} - before
    assert all(runs.release_is_complete(settings.releases_dir / name) for name in created)
    superseded = [d for d in (a_done, b_done) if d.get("superseded_by_build")]
    for done in superseded:  # a run that did not publish was overtaken by the other's build
        other = b_done if done is a_done else a_done
        assert done["superseded_by_build"] == other["gated_build"]
    order = sorted([(t, f"A {s}") for t, s in a_marks] + [(t, f"B {s}") for t, s in b_marks])
    recorder.expected["overlap"] = 2
    recorder.add(
        "overlap",
        kind="two processes at once",
        order="; ".join(step.split(" ")[0] + " " + step.split(" ")[1] for _, step in order),
        superseded=len(superseded),
        readers=2,
        reads=sum(readers.reads.values()),
        reader_errors=len(readers.errors),
        releases=len(created),
        lost=0,
    )
