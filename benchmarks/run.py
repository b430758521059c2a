"""`make bench`: how the pipeline's cost grows with transaction-level spending data.

For each scale (the real region-year: the five West Midlands councils' FY 2023-24 files and the
WMCA's workbooks, as bundled; and 1x, 10x, 100x of one region-year of payments over £500,
synthetic, see benchmarks/synthetic.py) it runs the pipeline's stages on a copy of a freshly built warehouse,
each stage in its own process (wall time, rows/s, peak RSS): land, parse+load, dbt build, GX
validate, publish. Then it runs them again with no new files (the rerun), and, in the same run,
the baselines on the same files: a bare DuckDB read_csv (the practical limit) and, at 1x, a plain
pandas read_csv + to_sql pipeline. Before the scales it times `make run` as a user meets it: a
full run of the default region through Airflow, then runs with nothing new (whole process, median
of three), and one forced through Airflow. It prints and writes benchmarks/RESULTS.md (with the
machine's facts) and benchmarks/results.json.

Nothing here is published: the synthetic files, warehouses and releases live under
benchmarks/work/ (git-ignored) and the benchmark releases are deleted once measured.

    python -m benchmarks.run                      # real, 1x, 10x, 100x
    python -m benchmarks.run --scales real,1,10   # a quicker look
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from benchmarks import synthetic

PROJECT = Path(__file__).resolve().parents[1]
WORK = PROJECT / "benchmarks" / "work"
RESULTS_MD = PROJECT / "benchmarks" / "RESULTS.md"
RESULTS_JSON = PROJECT / "benchmarks" / "results.json"
REGION = "west-midlands"  # the default region: the real scale's councils and combined authority
REAL = "real"  # the scale of the bundled real files: five councils' FY 2023-24 and the WMCA's workbooks
REAL_DIRS = {
    "spend500": PROJECT / "ingest" / "snapshots" / "spend500" / "2023-24",
    "wmca_spend": PROJECT / "ingest" / "snapshots" / "wmca_spend" / "2023-24",
}
STAGES = ("land", "load", "dbt", "gx", "publish")
STAGE_NAMES = {
    "land": "land",
    "load": "parse+load",
    "dbt": "dbt build",
    "gx": "GX validate",
    "publish": "publish",
}
REPEATS = 3  # measurements of the full load and the bare read at the small scales (the median)
TARGETS = {"vs_duckdb": 0.8, "vs_pandas": 5.0, "rss_mb_100x": 2048, "rerun_share": 0.05, "no_change_run_s": 10}


def say(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", flush=True)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "disk_free_gb": round(shutil.disk_usage(WORK).free / 1e9, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "airflow": version("apache-airflow"),
        "great_expectations": version("great-expectations"),
        "pandas": version("pandas"),
        "duckdb_memory_limit": os.environ.get("WHOLEPLACE_DUCKDB_MEMORY_LIMIT", "1GB"),
        "commit": commit.stdout.strip() or "unknown",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def measured(args: list[str], env: dict[str, str], log_path: Path) -> dict:
    """Run ``python -m benchmarks.stage <args>``; wall time and peak RSS (the process and its
    children, e.g. dbt) measured from outside."""
    started = time.monotonic()
    with open(log_path, "a", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.stage", *args],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        out, _ = proc.communicate()
    wall = time.monotonic() - started
    if proc.returncode:
        raise SystemExit(f"benchmark stage {args[0]} failed (exit {proc.returncode}); see {log_path}")
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_s"] = round(wall, 2)
    result["peak_rss_mb"] = round(result.pop("peak_rss_kb") / 1024, 1)
    return result


def stage_env(warehouse: Path, snapshots: Path, scale: int | str = 1) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOLEPLACE_")}
    env.update(
        WHOLEPLACE_WAREHOUSE_DIR=str(warehouse),
        WHOLEPLACE_SNAPSHOT_DIR=str(snapshots),
        WHOLEPLACE_REGION=REGION,
        WHOLEPLACE_MODE="snapshot",
        WHOLEPLACE_DUCKDB_MEMORY_LIMIT=os.environ.get("WHOLEPLACE_DUCKDB_MEMORY_LIMIT", "1GB"),
        WHOLEPLACE_BENCH_SOURCES=",".join(REAL_DIRS) if scale == REAL else "spend500",
        WHOLEPLACE_BENCH_PERIOD="2023-24" if scale == REAL else "2019-20",
    )
    return env


def timed_cli(args: list[str], env: dict[str, str], log_path: Path) -> float:
    """Wall seconds of ``python -m warehouse.cli <args>``, the whole process, as `make run` runs it."""
    started = time.monotonic()
    with open(log_path, "a", encoding="utf-8") as log:
        command = [sys.executable, "-m", "warehouse.cli", *args]
        done = subprocess.run(command, cwd=PROJECT, env=env, stdout=log, stderr=log)
    if done.returncode:
        raise SystemExit(f"warehouse.cli {' '.join(args)} failed; see {log_path}")
    return round(time.monotonic() - started, 2)


def build_base(log_path: Path) -> tuple[Path, dict]:
    """The warehouse every scale starts from: the real bundled snapshot built through Airflow (the
    main job, timed as `make run` on a fresh warehouse), then `make run` again with nothing new
    (three times, the median: what a user meets) and once forced through Airflow; then its payment
    tables are dropped so each scale loads its own files from scratch."""
    base = WORK / "base"
    shutil.rmtree(base, ignore_errors=True)
    env = stage_env(base, PROJECT / "ingest" / "snapshots")
    env.pop("WHOLEPLACE_SNAPSHOT_DIR")
    env["AIRFLOW_HOME"] = str(WORK / "airflow")
    say(f"building the base warehouse ({REGION}, bundled snapshot) through Airflow")
    full = timed_cli(["run", "--quiet"], env, log_path)
    unchanged = sorted(timed_cli(["run", "--quiet"], env, log_path) for _ in range(3))
    forced = timed_cli(["run", "--quiet", "--force"], env, log_path)
    runs = {"full_s": full, "no_change_s": unchanged, "no_change_median_s": unchanged[1], "forced_no_change_s": forced}
    say(f"make run: full {full:.1f} s; nothing new {unchanged} s; forced through Airflow {forced:.1f} s")
    with duckdb.connect(str(base / "wholeplace.duckdb")) as con:
        for source in REAL_DIRS:  # emptied, not dropped: the staging models read them at every scale
            for table in (f"raw.{source}", f"raw.{source}_files", f"raw.{source}_rejects"):
                con.execute(f"delete from {table}")
        con.execute("drop table if exists marts.fct_spend500_payment")
        con.execute("checkpoint")
    return base / "wholeplace.duckdb", runs


def load_per_source(sources: list[str], state: Path, env: dict[str, str], log_path: Path) -> dict:
    """Each payment source's load in its own process, as Airflow runs each source's load task:
    the stage's wall time is their sum, its peak RSS their largest; ``per_source`` keeps each one
    (the bare DuckDB read is compared with the CSV source's own load)."""
    each = {source: measured(["load", str(state), source], env, log_path) for source in sources}
    return {
        "rows": sum(r["rows"] for r in each.values()),
        "seconds": {k: v for r in each.values() for k, v in r["seconds"].items()},
        "inner_wall_s": sum(r["inner_wall_s"] for r in each.values()),
        "wall_s": round(sum(r["wall_s"] for r in each.values()), 2),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in each.values()),
        "per_source": each,
    }


def repeats(scale: int | str) -> int:
    """How many times the full load and the bare read are measured: at the small scales, where a
    second of noise (another process, the page cache) moves the ratio by a tenth, the median of
    REPEATS; at 10x and 100x once."""
    return REPEATS if scale in (REAL, 1) else 1


def csv_wall(result: dict) -> float:
    """The wall time of the CSV source's load (the whole stage when it loads only that source)."""
    return result.get("per_source", {}).get("spend500", result)["wall_s"]


def median_of(times: int, run, warehouse: Path | None = None) -> dict:
    """Run ``run`` ``times`` times and return the result with the median CSV wall time (all walls
    kept in ``walls_s``). With ``warehouse``, each run starts from the warehouse file as it was
    before the first, so every run loads the same files into the same warehouse."""
    saved = None
    if warehouse is not None and times > 1:
        saved = warehouse.with_name(warehouse.name + ".before")
        shutil.copyfile(warehouse, saved)
    results = []
    for n in range(times):
        if saved is not None and n:
            warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
            shutil.copyfile(saved, warehouse)
        results.append(run())
    if saved is not None:
        saved.unlink()
    ordered = sorted(results, key=csv_wall)
    chosen = ordered[len(ordered) // 2]
    if times > 1:
        chosen = {**chosen, "walls_s": [csv_wall(r) for r in results]}
    return chosen  # every run loaded the same files: the warehouse as the last one left it is the same


def label(scale: int | str) -> str:
    return scale if scale == REAL else f"{scale}x"


def real_files() -> dict:
    """The real scale's files, as bundled: counts and bytes (rows are counted as they load)."""
    files = [p for d in REAL_DIRS.values() for p in d.iterdir() if p.is_file()]
    return {"files": len(files), "rows": 0, "bytes": sum(p.stat().st_size for p in files)}


def run_scale(scale: int | str, base_db: Path, log_path: Path) -> dict:
    started = time.monotonic()
    if scale == REAL:
        files_dir = REAL_DIRS["spend500"]
        generated = real_files()
    else:
        files_dir = WORK / "synthetic" / f"x{scale}"
        generated = synthetic.generate(scale, files_dir)
    generate_s = round(time.monotonic() - started, 1)
    say(
        f"{label(scale)}: {generated['rows']:,} rows in {generated['files']:,} files "
        f"({generated['bytes'] / 1e9:.2f} GB), generated or reused in {generate_s} s"
    )

    root = WORK / f"x{scale}"
    shutil.rmtree(root, ignore_errors=True)
    warehouse, snapshots, state = root / "warehouse", root / "snapshots", root / "state"
    for folder in (warehouse, state):
        folder.mkdir(parents=True)
    shutil.copyfile(base_db, warehouse / "wholeplace.duckdb")
    folders = REAL_DIRS if scale == REAL else {"spend500": files_dir}
    period = "2023-24" if scale == REAL else "2019-20"
    for source, folder in folders.items():
        (snapshots / source).mkdir(parents=True)
        (snapshots / source / period).symlink_to(folder.resolve(), target_is_directory=True)
    for bundled in (PROJECT / "ingest" / "snapshots").iterdir():  # the reference data regions are checked against
        if bundled.name not in REAL_DIRS:
            (snapshots / bundled.name).symlink_to(bundled, target_is_directory=bundled.is_dir())
    env = stage_env(warehouse, snapshots, scale)

    def load() -> dict:
        if len(folders) > 1:
            return load_per_source(list(folders), state, env, log_path)
        return measured(["load", str(state)], env, log_path)

    runs = {}
    for run in ("full", "rerun"):
        runs[run] = {}
        for stage in STAGES:
            if stage == "load" and run == "full":
                result = median_of(repeats(scale), load, warehouse / "wholeplace.duckdb")
            elif stage == "load":
                result = load()
            else:
                result = measured([stage, str(state)], env, log_path)
            runs[run][stage] = result
            if stage == "load" and run == "full" and scale == REAL:
                generated["rows"] = result["rows"]
            rows = generated["rows"]
            say(
                f"{label(scale)} {run:5s} {STAGE_NAMES[stage]:12s} {result['wall_s']:8.1f} s  "
                f"{rows / max(result['wall_s'], 1e-9):>12,.0f} rows/s  peak {result['peak_rss_mb']:8.1f} MB"
            )
    baselines = {
        "duckdb_bare": median_of(
            repeats(scale), lambda: measured(["duckdb_bare", str(state), str(files_dir)], env, log_path)
        )
    }
    say(f"{label(scale)} bare DuckDB read_csv {baselines['duckdb_bare']['wall_s']:.1f} s")
    if scale == 1:
        baselines["pandas"] = measured(["pandas", str(state), str(files_dir)], env, log_path)
        say(f"{scale}x pandas read_csv + to_sql {baselines['pandas']['wall_s']:.1f} s")
    with duckdb.connect(str(warehouse / "wholeplace.duckdb"), read_only=True) as con:
        sources = list(folders)
        ((loaded, rejected),) = con.execute(
            "select sum(rows), sum(rows_rejected) from ("
            + " union all ".join(f"select rows, rows_rejected from raw.{s}_files" for s in sources)
            + ")"
        ).fetchall()
    shutil.rmtree(root)  # the benchmark's warehouse and releases: measured, never published
    return {
        "scale": scale,
        "generated": generated,
        "generate_s": generate_s,
        "rows_loaded": int(loaded),
        "rows_rejected": int(rejected),
        "runs": runs,
        "baselines": baselines,
    }


def slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares fit time = a + b * rows: (a seconds, b seconds per million rows)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - b * mx, b * 1e6


def summarise(scales: list[dict]) -> dict:
    out: dict = {"per_scale": [], "stages": {}}
    for s in scales:
        full, rerun = s["runs"]["full"], s["runs"]["rerun"]
        rows = s["generated"]["rows"]
        ingest_s = full["land"]["wall_s"] + full["load"]["wall_s"]
        # the bare read is of the CSV files: compared with the CSV source's own load (at the real
        # scale the WMCA's workbooks load in a task of their own, which has no read_csv to compare)
        csv_load = full["load"].get("per_source", {}).get("spend500", full["load"])
        csv_rows = csv_load["rows"] if "per_source" in full["load"] else rows
        e2e = sum(full[st]["wall_s"] for st in STAGES)
        e2e_rerun = sum(rerun[st]["wall_s"] for st in STAGES)
        bare = s["baselines"]["duckdb_bare"]["wall_s"]
        bare_work = s["baselines"]["duckdb_bare"]["seconds"]["read_csv"]
        spend_work = full["load"]["seconds"]["spend500"]
        work = sum(full[st]["inner_wall_s"] for st in STAGES)
        work_rerun = sum(rerun[st]["inner_wall_s"] for st in STAGES)
        entry = {
            "scale": s["scale"],
            "rows": rows,
            "ingest_rows_per_s": rows / ingest_s,
            "load_rows_per_s": rows / full["load"]["wall_s"],
            "bare_duckdb_rows_per_s": csv_rows / bare,
            "vs_duckdb": bare / csv_load["wall_s"],
            "csv_load_wall_s": csv_load["wall_s"],
            "bare_wall_s": bare,
            "vs_duckdb_work": bare_work / spend_work,
            "spend500_load_work_s": spend_work,
            "bare_work_s": bare_work,
            "ingest_vs_duckdb": bare / (full["land"]["wall_s"] + csv_load["wall_s"]),
            "rerun_work_share": work_rerun / work,
            "end_to_end_s": e2e,
            "rerun_s": e2e_rerun,
            "rerun_share": e2e_rerun / e2e,
            "peak_rss_mb": max(full[st]["peak_rss_mb"] for st in STAGES),
        }
        if "pandas" in s["baselines"]:
            entry["pandas_rows_per_s"] = rows / s["baselines"]["pandas"]["wall_s"]
            entry["vs_pandas"] = s["baselines"]["pandas"]["wall_s"] / full["load"]["wall_s"]
            entry["ingest_vs_pandas"] = s["baselines"]["pandas"]["wall_s"] / ingest_s
        out["per_scale"].append(entry)
    synthetic_scales = [s for s in scales if s["scale"] != REAL]
    for stage in (*STAGES, "end_to_end"):
        points = []
        if not synthetic_scales:
            break
        for s in synthetic_scales:
            wall = (
                sum(s["runs"]["full"][st]["wall_s"] for st in STAGES)
                if stage == "end_to_end"
                else s["runs"]["full"][stage]["wall_s"]
            )
            points.append((s["generated"]["rows"], wall))
        fixed, per_million = slope(points)
        (r0, t0), (r1, t1) = points[0], points[-1]
        # growth exponent between the smallest and largest scale: 1 is linear, < 1 sublinear
        exponent = math.log(t1 / t0) / math.log(r1 / r0) if len(points) > 1 and t0 > 0 and r1 > r0 else float("nan")
        (ra, ta), (rb, tb) = points[-2:] if len(points) > 1 else (points[0], points[0])
        marginal = (tb - ta) / (rb - ra) * 1e6 if rb > ra else float("nan")
        out["stages"][stage] = {
            "fixed_s": fixed,
            "s_per_million_rows": per_million,
            "marginal_s_per_million_rows": marginal,
            "growth_exponent": exponent,
        }
    return out


def where_the_time_goes(scales: list[dict]) -> list[str]:
    """Where a full run's time goes at the first scale measured (the real one when it ran)."""
    if not scales:
        return []
    first = scales[0]
    full = first["runs"]["full"]
    total = sum(full[st]["wall_s"] for st in STAGES)
    load = full["load"]
    starts = sum(full[st]["wall_s"] - full[st]["inner_wall_s"] for st in STAGES)
    lines = ["", f"## Where the remaining time goes ({label(first['scale'])}, full run)", ""]
    lines += ["| stage | wall s | share |", "|---|---:|---:|"]
    lines += [f"| {STAGE_NAMES[st]} | {full[st]['wall_s']:.1f} | {full[st]['wall_s'] / total:.0%} |" for st in STAGES]
    per_source = ", ".join(f"{k} {v:.1f} s" for k, v in load.get("seconds", {}).items())
    if "per_source" in load:  # each source's load its own process
        per_source += (
            " (each source's load its own process: "
            + ", ".join(f"{k} {v['wall_s']:.1f} s wall" for k, v in load["per_source"].items())
            + ")"
        )
    lines += [
        "",
        f"- Process starts and imports: {starts:.1f} s over the five stage processes (each its own Python, as "
        "each Airflow task is); a rerun with no new files is mostly these and each stage's own imports.",
        f"- parse+load: {load['wall_s']:.1f} s wall, of which in-process per source: {per_source}. Beyond the "
        "bare read, ours transcodes Windows-1252 files to UTF-8 in chunks, parses every date and amount with "
        "the layout's formats, numbers each row by its line in its file, quarantines what does not parse, "
        "classifies blank, control and total records, and writes the rows, the rejects and the file ledger "
        "in one transaction.",
        "- dbt build and the GX gate: mostly fixed costs of the whole project (every model and test, GX's own "
        "start), not of the payments; publish: writing every mart as CSV and Parquet, the metadata, the "
        "SQLite database for Datasette and the place profiles.",
    ]
    return lines


def render(facts: dict, scales: list[dict], summary: dict, runs: dict | None = None) -> str:
    lines = [
        "# Benchmark results: payments at scale",
        "",
        "Written by `make bench` (benchmarks/run.py); numbers from one run on the machine below. The real",
        "scale is the bundled real files: the five West Midlands councils' FY 2023-24 spending over £500",
        "(60 CSVs, gzipped) and the WMCA's eight monthly workbooks. 1x, 10x and 100x are synthetic",
        "(benchmarks/synthetic.py: four real councils' 2019-20 layouts, rows drawn from their real files)",
        "and were never published: warehouses and releases were deleted once measured.",
        "",
        "## Machine",
        "",
        *[f"- {k.replace('_', ' ')}: {v}" for k, v in facts.items()],
        "",
        "## Scales",
        "",
        "real: the files as bundled (GB gzipped; rows are the payment rows loaded). 1x is one synthetic",
        "region-year: seven councils (the West Midlands' count) x 12 monthly files in the four 2019-20",
        "layouts in turn, Calderdale-style councils also publishing purchase-card files, each file as many",
        "rows as that council's real files average. 10x is ten years of it; 100x ten regions x ten years.",
        "",
        "| scale | files | rows | GB | rows refused (quarantined with file, row and column) |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in scales:
        g = s["generated"]
        refused = s["rows_rejected"]
        lines.append(f"| {label(s['scale'])} | {g['files']:,} | {g['rows']:,} | {g['bytes'] / 1e9:.2f} | {refused:,} |")
    lines += ["", "## Per stage (full run: every file new)", ""]
    lines += ["| scale | stage | wall s | rows/s | peak RSS MB |", "|---|---|---:|---:|---:|"]
    for s in scales:
        rows = s["generated"]["rows"]
        total = 0.0
        for st in STAGES:
            r = s["runs"]["full"][st]
            total += r["wall_s"]
            lines.append(
                f"| {label(s['scale'])} | {STAGE_NAMES[st]} | {r['wall_s']:.1f} | "
                f"{rows / r['wall_s']:,.0f} | {r['peak_rss_mb']:,.0f} |"
            )
        peak = max(s["runs"]["full"][st]["peak_rss_mb"] for st in STAGES)
        lines.append(
            f"| {label(s['scale'])} | **end to end** | **{total:.1f}** | **{rows / total:,.0f}** | **{peak:,.0f}** |"
        )
    lines += ["", "## Rerun with no new files", "", "| scale | stage | full s | rerun s |", "|---|---|---:|---:|"]
    for s in scales:
        for st in STAGES:
            lines.append(
                f"| {label(s['scale'])} | {STAGE_NAMES[st]} | {s['runs']['full'][st]['wall_s']:.1f} | "
                f"{s['runs']['rerun'][st]['wall_s']:.1f} |"
            )
    lines += ["", "## Against the targets (same run)", ""]
    lines += [
        "Parse+load reads the landed files into the raw table (our equivalent of the baselines); ingest adds",
        "landing (hashing every file and keeping an immutable copy, which the baselines do not do). The bare",
        "DuckDB baseline is `create table as select * from read_csv(files)` per layout, DuckDB's own type",
        "sniffing, no cleaning, no lineage (DuckDB cannot decode Windows-1252 itself, so Bradford-layout files",
        "are read as UTF-8 with `ignore_errors`, skipping rows it cannot decode); the pandas baseline is",
        "`pd.read_csv` + `DataFrame.to_sql` through SQLAlchemy (duckdb-engine) per file, run at 1x only (at",
        "its rate 100x would take about 1.5 hours). Each stage runs in its own process, so every wall time",
        "includes the interpreter's start and the stage's imports; a rerun with no new files is mostly",
        "that, so the rerun is also given as the share of in-process work. At the real scale each payment",
        "source loads in its own process, as Airflow runs each source's load task: the ratio compares the",
        "councils' CSV load (spend500) with the bare read of the same CSVs (the WMCA's workbooks are XLSX,",
        "which read_csv cannot read; their load is in the per-stage table's parse+load). At the real scale",
        "and 1x, where a second of noise moves the ratio by a tenth, the full load and the bare read are",
        f"each measured {REPEATS} times (every load into the same warehouse) and the medians compared.",
        "",
        "| scale | rows | parse+load rows/s | bare DuckDB rows/s | parse+load / DuckDB, wall (target >= 0.8) "
        "| the same, in-process work | ingest / DuckDB | parse+load / pandas (target >= 5) "
        "| rerun / full, wall (target <= 5%) | rerun / full, in-process work | peak RSS MB (target < 2048 at 100x) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for e in summary["per_scale"]:
        vs_pandas = (
            f"{e['vs_pandas']:.1f}x (pandas {e['pandas_rows_per_s']:,.0f} rows/s; with landing "
            f"{e['ingest_vs_pandas']:.1f}x)"
            if "vs_pandas" in e
            else "not run"
        )
        work = f"{e['vs_duckdb_work']:.2f} ({e['bare_work_s']:.1f} s / {e['spend500_load_work_s']:.1f} s)"
        lines.append(
            f"| {label(e['scale'])} | {e['rows']:,} | {e['load_rows_per_s']:,.0f} | "
            f"{e['bare_duckdb_rows_per_s']:,.0f} | {e['vs_duckdb']:.2f} ({e['bare_wall_s']:.1f} s / "
            f"{e['csv_load_wall_s']:.1f} s) | {work} "
            f"| {e['ingest_vs_duckdb']:.2f} | {vs_pandas} | {e['rerun_share']:.1%} "
            f"({e['rerun_s']:.0f} of {e['end_to_end_s']:.0f} s) | {e['rerun_work_share']:.1%} "
            f"| {e['peak_rss_mb']:,.0f} |"
        )
    if runs:
        lines += [
            "",
            "## `make run` as a user meets it (default region, bundled snapshot, whole process)",
            "",
            "| run | wall s |",
            "|---|---:|",
            f"| full run on a fresh warehouse, through Airflow | {runs['full_s']:.1f} |",
            f"| nothing new (median of three; target <= {TARGETS['no_change_run_s']} s) "
            f"| {runs['no_change_median_s']:.1f} ({', '.join(f'{x:.1f}' for x in runs['no_change_s'])}) |",
            f"| nothing new, forced through Airflow (`make run FORCE=1`) | {runs['forced_no_change_s']:.1f} |",
            "",
            "With nothing new, `make run` answers before Airflow starts (warehouse/shortcut.py): the snapshot",
            "files' sizes and modification times, the code, the settings and the warehouse file are what they",
            "were when the last run through Airflow published or confirmed the latest release, which is verified",
            "against its sha256 first. Forced through Airflow, the same run pays Airflow's own start (importing",
            "it and its providers, parsing the DAGs, its in-process task API: about 8 s here before the first",
            "task), then one mapped task instance per source and step (about 75) that each find nothing to do.",
        ]
    lines += where_the_time_goes(scales)
    lines += [
        "",
        "## Growth with rows",
        "",
        "Least-squares fit of wall time against rows over the scales; the growth exponent compares the",
        "largest scale with the smallest (time ratio = rows ratio ^ exponent: 1 is linear, below 1 the",
        "fixed costs still dominate).",
        "",
        "| stage | fixed s | s per million rows | s per million rows, last two scales | growth exponent |",
        "|---|---:|---:|---:|---:|",
    ]
    for st, fit in summary["stages"].items():
        name = STAGE_NAMES.get(st, "end to end")
        lines.append(
            f"| {name} | {fit['fixed_s']:.1f} | {fit['s_per_million_rows']:.2f} | "
            f"{fit['marginal_s_per_million_rows']:.2f} | {fit['growth_exponent']:.2f} |"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# places: one city region against all of England, each a full run through Airflow

PLACES = ("west-midlands", "england")
PLACES_TARGETS = {"england_full_s": 600, "rerun_share": 0.05}
PLACES_BEGIN, PLACES_END = "<!-- places: written by benchmarks/run.py -->", "<!-- /places -->"
_TASK = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\]\s+-> (\S+)")


_STAMP = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\]")
START = "start (Airflow, plan)"


def stage_of(task: str) -> str:
    """The pipeline stage of an Airflow task as the run prints it (``source.load[mhclg_rsx]``)."""
    if task.startswith("source."):
        return "ingest"
    stages = {"plan": START, "build_models": "dbt build", "validate_marts": "GX validate", "publish_release": "publish"}
    return stages.get(task, task)


def stage_times(output: str, total_s: float) -> dict[str, float]:
    """Wall seconds per stage, from the times the run prints: its first line is the process's
    start, each task runs until the next starts, the last until the process ends (start + total)."""

    def seconds(m: re.Match) -> int:
        h, mi, se = (int(x) for x in m.groups()[:3])
        return h * 3600 + mi * 60 + se

    stamps = [m for line in output.splitlines() if (m := _STAMP.match(line))]
    tasks = [(seconds(m), stage_of(m.group(4))) for line in output.splitlines() if (m := _TASK.match(line))]
    if not stamps or not tasks:
        return {}
    begin = seconds(stamps[0])
    out = {START: float(tasks[0][0] - begin)}
    for (t, stage), (t_next, _) in zip(tasks, [*tasks[1:], (begin + total_s, "")], strict=True):
        out[stage] = out.get(stage, 0.0) + max(0.0, t_next - t)
    return {k: round(v, 1) for k, v in out.items()}


def place_run(region: str, log_path: Path, *extra: str) -> dict:
    """One `make run REGION=<region>` as a user meets it (the whole process): wall time, the peak
    RSS of its largest process, and the time per stage."""
    import resource

    warehouse = WORK / "places" / region
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOLEPLACE_")}
    env.update(
        WHOLEPLACE_WAREHOUSE_DIR=str(warehouse),
        WHOLEPLACE_REGION=region,
        WHOLEPLACE_MODE="snapshot",
        AIRFLOW_HOME=str(WORK / "places" / f"{region}-airflow"),
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "warehouse.cli", "run", *extra], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    wall = round(time.monotonic() - started, 1)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(done.stdout + done.stderr)
    if done.returncode:
        raise SystemExit(f"make run REGION={region} {' '.join(extra)} failed; see {log_path}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with duckdb.connect(str(warehouse / "wholeplace.duckdb"), read_only=True) as con:
        (places,) = con.execute(
            "select count(*) from marts.dim_area where is_in_region and area_type in ('local_authority', "
            "'combined_authority')"
        ).fetchone()
    release = (warehouse / "releases" / "latest").resolve()
    size = sum(f.stat().st_size for f in release.rglob("*") if f.is_file()) if release.is_dir() else 0
    return {
        "region": region,
        "places": places,
        "wall_s": wall,
        "peak_rss_mb": round(max(peak, before) / 1024, 1),
        "stages": stage_times(done.stdout, wall),
        "release_mb": round(size / 1e6, 1),
        "warehouse_mb": round((warehouse / "wholeplace.duckdb").stat().st_size / 1e6, 1),
    }


def run_places(log_path: Path) -> list[dict]:
    """Each of PLACES from a fresh warehouse and a cold chart cache, then again with nothing new,
    forced through Airflow (the rerun) and not (the shortcut)."""
    results = []
    for region in PLACES:
        shutil.rmtree(WORK / "places" / region, ignore_errors=True)
        shutil.rmtree(WORK / "places" / f"{region}-airflow", ignore_errors=True)
        os.environ["WHOLEPLACE_CHART_CACHE"] = str(WORK / "places" / "charts")
        shutil.rmtree(WORK / "places" / "charts", ignore_errors=True)
        say(f"places: make run REGION={region} on a fresh warehouse")
        full = place_run(region, log_path)
        rerun = place_run(region, log_path, "--force")
        shortcut = place_run(region, log_path)
        full["rerun_s"] = rerun["wall_s"]
        full["rerun_share"] = round(rerun["wall_s"] / full["wall_s"], 3)
        full["rerun_stages"] = rerun["stages"]
        full["no_change_s"] = shortcut["wall_s"]
        say(
            f"places: {region}: {full['places']} places, {full['wall_s']:.0f} s, rerun through Airflow "
            f"{full['rerun_s']:.0f} s, nothing new {full['no_change_s']:.1f} s, peak RSS {full['peak_rss_mb']:.0f} MB"
        )
        results.append(full)
    return results


def render_places(facts: dict, places: list[dict]) -> str:
    stages = list(dict.fromkeys(k for p in places for k in p["stages"]))
    england = next((p for p in places if p["region"] == "england"), None)
    lines = [
        PLACES_BEGIN,
        "## One region and all of England, through Airflow",
        "",
        f"Measured {facts['date']} at commit {facts['commit']} on {facts['cores']} cores: `make run REGION=<region>` "
        "on a fresh warehouse (every source loaded, a cold chart cache), the whole process; then again with "
        "nothing new, forced through Airflow (`FORCE=1`, the rerun), and not forced (answered before Airflow starts).",
        "",
        "| | " + " | ".join(p["region"] for p in places) + " |",
        "|---|" + "---:|" * len(places),
        "| places (upper-tier and combined authority areas) | " + " | ".join(str(p["places"]) for p in places) + " |",
        "| full run, s | " + " | ".join(f"{p['wall_s']:.0f}" for p in places) + " |",
    ]
    for st in stages:
        lines.append(f"| - {st}, s | " + " | ".join(f"{p['stages'].get(st, 0):.0f}" for p in places) + " |")
    lines += [
        "| rerun with nothing new, through Airflow, s | " + " | ".join(f"{p['rerun_s']:.0f}" for p in places) + " |",
        "| rerun as a share of the full run | " + " | ".join(f"{p['rerun_share']:.0%}" for p in places) + " |",
        "| nothing new, `make run`, s | " + " | ".join(f"{p['no_change_s']:.1f}" for p in places) + " |",
        "| peak RSS of the largest process, MB | " + " | ".join(f"{p['peak_rss_mb']:.0f}" for p in places) + " |",
        "| release on disk, MB | " + " | ".join(f"{p['release_mb']:.0f}" for p in places) + " |",
        "| warehouse file, MB | " + " | ".join(f"{p['warehouse_mb']:.0f}" for p in places) + " |",
        "",
    ]
    if england and len(places) > 1:
        base = places[0]
        growth = math.log(england["wall_s"] / base["wall_s"]) / math.log(england["places"] / base["places"])
        goal = PLACES_TARGETS["england_full_s"]
        rerun_met = "met" if england["rerun_share"] <= PLACES_TARGETS["rerun_share"] else "NOT met"
        lines += [
            f"Goal: all of England in at most {goal // 60} minutes end to end through Airflow: "
            f"{england['wall_s'] / 60:.1f} min, {'met' if england['wall_s'] <= goal else 'NOT met'}. "
            f"A rerun with nothing new through Airflow at most {PLACES_TARGETS['rerun_share']:.0%} of it: "
            f"{england['rerun_share']:.0%}, {rerun_met} "
            "(the forced rerun pays Airflow's start and a task per source and step that finds nothing to do). "
            f"`make run` with nothing new, which answers before Airflow starts: {england['no_change_s']:.1f} s, "
            f"{england['no_change_s'] / england['wall_s']:.1%} of the full run.",
            "",
            f"Growth: {england['places'] / base['places']:.0f} times the places cost "
            f"{england['wall_s'] / base['wall_s']:.1f} times the time (time ratio = places ratio ^ {growth:.2f}): "
            "every source is national already, so loading costs the same; dbt grows little; the place profiles "
            "(a page and its charts per place) grow with the places.",
        ]
    lines.append(PLACES_END)
    return "\n".join(lines)


def write_places(text: str) -> None:
    """Put the places section into RESULTS.md, replacing the previous one (the rest untouched)."""
    current = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if PLACES_BEGIN in current and PLACES_END in current:
        head, rest = current.split(PLACES_BEGIN, 1)
        current = head + text + rest.split(PLACES_END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS_MD.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="real,1,10,100", help="comma-separated scales (default real,1,10,100)")
    parser.add_argument(
        "--only", choices=("places", "scales"), help="only the places (one region and England) or only the scales"
    )
    args = parser.parse_args(argv)
    scales = [x if x == REAL else int(x) for x in args.scales.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    log_path = WORK / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    started = time.monotonic()
    facts = machine()
    if args.only != "scales":
        say(f"benchmark: places {', '.join(PLACES)}; log {log_path}")
        places = run_places(log_path)
        RESULTS_JSON.with_name("places.json").write_text(json.dumps({"machine": facts, "places": places}, indent=2))
        if args.only == "places":
            write_places(render_places(facts, places))
            print(render_places(facts, places))
            return 0
    say(f"benchmark: scales {', '.join(label(s) for s in scales)}; log {log_path}")
    base_db, runs = build_base(log_path)
    results = [run_scale(scale, base_db, log_path) for scale in scales]
    summary = summarise(results)
    facts["benchmark_wall_min"] = round((time.monotonic() - started) / 60, 1)
    RESULTS_JSON.write_text(
        json.dumps({"machine": facts, "make_run": runs, "scales": results, "summary": summary}, indent=2, default=str)
    )
    text = render(facts, results, summary, runs)
    RESULTS_MD.write_text(text, encoding="utf-8")
    if args.only != "scales":
        write_places(render_places(facts, places))
    print(text)
    say(
        f"written {RESULTS_MD.relative_to(PROJECT)} and {RESULTS_JSON.relative_to(PROJECT)} "
        f"in {facts['benchmark_wall_min']} min"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
