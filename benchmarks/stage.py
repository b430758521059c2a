"""One pipeline stage in its own process, so `make bench` can measure its wall time and peak RSS.

    python -m benchmarks.stage <land|load|dbt|gx|publish> <state_dir> [source (load: one source)]
    python -m benchmarks.stage <duckdb_bare|pandas> <state_dir> <files_dir>

Stages call the same functions the Airflow tasks do (ingest.run, warehouse.pipeline); settings
come from the environment (WHOLEPLACE_WAREHOUSE_DIR, WHOLEPLACE_SNAPSHOT_DIR, WHOLEPLACE_REGION),
the payment sources and the period a scale loads from WHOLEPLACE_BENCH_SOURCES (comma-separated,
default spend500) and WHOLEPLACE_BENCH_PERIOD. Each prints one JSON line: what it processed, and
the in-process seconds per source. The baselines read the same files another way.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from pathlib import Path

SOURCES = tuple(os.environ.get("WHOLEPLACE_BENCH_SOURCES", "spend500").split(","))
PERIOD = os.environ.get("WHOLEPLACE_BENCH_PERIOD", "2019-20")


def land(state: Path) -> dict:
    from ingest.run import fetch_source

    out: dict = {"files": 0, "new_files": 0, "bytes": 0, "seconds": {}}
    for source in SOURCES:
        started = time.monotonic()
        (fetched,) = fetch_source(source, [PERIOD])  # the Airflow fetch task's work: one file-set partition
        out["seconds"][source] = time.monotonic() - started
        (state / f"fetched_{source}.json").write_text(json.dumps(fetched.to_json()))
        out["files"] += fetched.files
        out["new_files"] += fetched.new_files
        out["bytes"] += fetched.bytes
    return out


def load(state: Path, source: str | None = None) -> dict:
    """Load the landed files of ``source`` (default: every payment source of the scale)."""
    from ingest.run import Fetched, load_source

    out: dict = {"rows": 0, "seconds": {}}
    for name in [source] if source else SOURCES:
        fetched = Fetched.from_json(json.loads((state / f"fetched_{name}.json").read_text()))
        started = time.monotonic()
        (outcome,) = load_source(name, [fetched])  # the Airflow load task's work
        out["seconds"][name] = time.monotonic() - started
        out["rows"] += outcome.rows  # the rows loaded (none on a rerun: no file is new)
    return out


def dbt(state: Path) -> dict:
    from warehouse import pipeline

    built = pipeline.build_models()
    (state / "built.json").write_text(json.dumps(built))
    return {"dbt": built["dbt"]}


def gx(state: Path) -> dict:
    from warehouse import pipeline

    raws = [pipeline.validate_raw(source) for source in SOURCES]
    gate = pipeline.validate_marts(json.loads((state / "built.json").read_text()))
    (state / "gate.json").write_text(json.dumps(gate))
    return {
        "raw_expectations": sum(r["evaluated"] for r in raws),
        "gate_expectations": gate["evaluated"],
        "success": all(r["success"] for r in raws) and gate["success"],
    }


def publish(state: Path) -> dict:
    from warehouse import pipeline

    gate = json.loads((state / "gate.json").read_text())
    built = json.loads((state / "built.json").read_text())
    summary = pipeline.publish(gate, built)
    return {
        "release": summary["release"],
        "new_release": summary["new_release"],
        "spend_over_500_monthly_rows": summary["rows"].get("spend_over_500_monthly"),
    }


def _groups(files_dir: Path) -> dict[str, list[str]]:
    """The CSV files by the layout they match (a council's files are one group)."""
    from ingest.sources.spend500 import match_layout

    groups: dict[str, list[str]] = {}
    for path in sorted(files_dir.glob("*.csv*")):
        groups.setdefault(match_layout(path)[0].name, []).append(str(path))
    return groups


LENIENT = "union_by_name = true, ignore_errors = true, null_padding = true, strict_mode = false"


def duckdb_bare(state: Path, files_dir: Path) -> dict:
    """The practical limit: DuckDB's own read_csv (sniffed types) into a table, one statement per
    layout. DuckDB cannot decode Windows-1252 by itself, so it reads every file as UTF-8 with
    ignore_errors: the rows that do not decode are skipped (less work than ours, which keeps them).
    Where one sniffed read of a layout's files fails (a council's header changes during the year;
    Walsall's has line breaks in it), union_by_name, null_padding and strict_mode off let it read
    them (slower: every file is sniffed). No cleaning, no lineage."""
    import duckdb

    rows = 0
    target = state / "bare.duckdb"
    target.unlink(missing_ok=True)
    started = time.monotonic()
    with duckdb.connect(str(target), config={"memory_limit": "1GB"}) as con:
        for n, files in enumerate(_groups(files_dir).values()):
            # the plainest read that works: sniffed as one table, else each month's header of its own
            for options in ("ignore_errors = true", LENIENT):
                try:
                    query = f"create or replace table t{n} as select * from read_csv({files!r}, {options})"
                    ((count,),) = con.execute(query).fetchall()
                    break
                except duckdb.Error:
                    continue
            else:
                raise RuntimeError(f"bare DuckDB could not read {files[0]} and its group")
            rows += count
    seconds = time.monotonic() - started
    target.unlink()
    return {"rows": rows, "seconds": {"read_csv": seconds}}


def pandas(state: Path, files_dir: Path) -> dict:
    """What users would write instead: pandas read_csv of each file, then DataFrame.to_sql into
    DuckDB through SQLAlchemy (duckdb-engine)."""
    import pandas as pd
    import sqlalchemy

    from ingest.sources.spend500 import ENCODINGS, layouts

    target = state / "pandas.duckdb"
    target.unlink(missing_ok=True)
    engine = sqlalchemy.create_engine(f"duckdb:///{target}")
    rows = 0
    for layout, files in _groups(files_dir).items():
        for path in files:
            frame = pd.read_csv(path, dtype=str, encoding=ENCODINGS[layouts()[layout].encoding])
            frame.to_sql(f"spend_{layout}", engine, if_exists="append", index=False)
            rows += len(frame)
    engine.dispose()
    target.unlink()
    return {"rows": rows}


STAGES = {"land": land, "load": load, "dbt": dbt, "gx": gx, "publish": publish}
BASELINES = {"duckdb_bare": duckdb_bare, "pandas": pandas}


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    name, state = argv[0], Path(argv[1])
    started = time.monotonic()
    if name in STAGES:
        result = STAGES[name](state, *argv[2:])
    else:
        result = BASELINES[name](state, Path(argv[2]))
    wall = time.monotonic() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # dbt runs as a child process
    print(json.dumps({"stage": name, "inner_wall_s": wall, "peak_rss_kb": max(own, children), **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
