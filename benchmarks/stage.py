"""One pipeline stage in its own process, so `make bench` can measure its wall time and peak RSS.

    python -m benchmarks.stage <land|load|dbt|gx|publish|duckdb_bare|pandas> <state_dir> [files_dir]

Stages call the same functions the Airflow tasks do (ingest.run, warehouse.pipeline); settings
come from the environment (WHOLEPLACE_WAREHOUSE_DIR, WHOLEPLACE_SNAPSHOT_DIR, WHOLEPLACE_REGION).
Each prints one JSON line: what it processed. The baselines read the same files another way.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

SOURCE = "spend500"


def _raw_rows(settings) -> int:
    from core.db import connect

    with connect(settings.duckdb_path) as con:
        ((rows,),) = con.execute("select count(*) from raw.spend500").fetchall()
    return rows


def land(state: Path) -> dict:
    from ingest.run import fetch_source

    (fetched,) = fetch_source(SOURCE)  # the Airflow fetch task's work: one file-set partition
    (state / "fetched.json").write_text(json.dumps(fetched.to_json()))
    return {"files": fetched.files, "new_files": fetched.new_files, "bytes": fetched.bytes}


def load(state: Path) -> dict:
    from core import settings as settings_mod
    from ingest.run import Fetched, load_source

    fetched = Fetched.from_json(json.loads((state / "fetched.json").read_text()))
    (outcome,) = load_source(SOURCE, [fetched])  # the Airflow load task's work
    return {"rows_loaded": outcome.rows, "loaded": outcome.loaded, "rows": _raw_rows(settings_mod.get())}


def dbt(state: Path) -> dict:
    from core import settings as settings_mod
    from warehouse import pipeline

    built = pipeline.build_models()
    (state / "built.json").write_text(json.dumps(built))
    return {"dbt": built["dbt"], "rows": _raw_rows(settings_mod.get())}


def gx(state: Path) -> dict:
    from core import settings as settings_mod
    from warehouse import pipeline

    raw = pipeline.validate_raw(SOURCE)
    gate = pipeline.validate_marts(json.loads((state / "built.json").read_text()))
    (state / "gate.json").write_text(json.dumps(gate))
    return {
        "raw_expectations": raw["evaluated"],
        "gate_expectations": gate["evaluated"],
        "success": raw["success"] and gate["success"],
        "rows": _raw_rows(settings_mod.get()),
    }


def publish(state: Path) -> dict:
    from core import settings as settings_mod
    from warehouse import pipeline

    gate = json.loads((state / "gate.json").read_text())
    built = json.loads((state / "built.json").read_text())
    summary = pipeline.publish(gate, built)
    return {
        "release": summary["release"],
        "new_release": summary["new_release"],
        "spend_over_500_monthly_rows": summary["rows"].get("spend_over_500_monthly"),
        "rows": _raw_rows(settings_mod.get()),
    }


def _groups(files_dir: Path) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(files_dir.glob("*.csv")):
        groups[path.name.split("-r")[0]].append(str(path))
    return groups


def duckdb_bare(state: Path, files_dir: Path) -> dict:
    """The practical limit: DuckDB's own read_csv (sniffed types) into a table, one statement per
    layout. DuckDB cannot decode Windows-1252 by itself, so those files are read as UTF-8 with
    ignore_errors: the rows that do not decode are skipped (less work than ours, which keeps them)."""
    import duckdb

    from ingest.sources.spend500 import layouts

    rows = 0
    target = state / "bare.duckdb"
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target), config={"memory_limit": "1GB"}) as con:
        for n, (layout, files) in enumerate(_groups(files_dir).items()):
            lenient = ", ignore_errors = true" if layouts()[layout].encoding != "utf-8" else ""
            ((count,),) = con.execute(f"create table t{n} as select * from read_csv({files!r}{lenient})").fetchall()
            rows += count
    target.unlink()
    return {"rows": rows}


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
    result = STAGES[name](state) if name in STAGES else BASELINES[name](state, Path(argv[2]))
    wall = time.monotonic() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # dbt runs as a child process
    print(json.dumps({"stage": name, "inner_wall_s": wall, "peak_rss_kb": max(own, children), **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
