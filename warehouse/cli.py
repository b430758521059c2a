"""`make run`: run the main job through Airflow itself, on the embedded default.

    python -m warehouse.cli run [--dag wholeplace] [--quiet] [--period 2021-22 ...]
    python -m warehouse.cli status        # the latest release and what it holds

`run` prepares a project-local Airflow (SQLite metadata in $AIRFLOW_HOME, default ./.airflow),
creates the one-slot DuckDB pool, and runs ``airflow dags test wholeplace``: every task runs
for real, in this one process, in dependency order. Progress is printed as tasks start and end;
the full Airflow log goes to <warehouse>/logs/. It ends with the release path, the rows per mart
and the checks' outcome, or with what failed (source, file, row) and the release still `latest`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core import settings as settings_mod
from core.state import LAST_ERROR, LAST_RUN
from warehouse.publication.integrity import verify_release
from warehouse.publication.publish import current_latest

POOL = "wholeplace_duckdb"
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_PLAN = re.compile(r"plan: \d+ sources: (\[.*?\])")
_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+)")
_TASK_STATE = re.compile(r"Task instance state updated .*new_state=(\w+)")
_OURS = re.compile(r"\[(?:info|warning|error)\s*\] (.*?)\s+\[((?:ingest|warehouse|expectations)\.[\w.]+)\]")


def airflow_env(project_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    home = Path(env.get("AIRFLOW_HOME") or project_dir / ".airflow").resolve()
    env["AIRFLOW_HOME"] = str(home)
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(project_dir / "dags"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "True")
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    env.setdefault("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(home / "logs"))
    env.setdefault("PYTHONWARNINGS", "ignore")
    # OpenLineage events for every task (warehouse/publication/lineage.py): JSON lines under <warehouse>/lineage/
    from warehouse.publication.lineage import EXTRACTOR, transport_config

    env.setdefault("AIRFLOW__OPENLINEAGE__TRANSPORT", transport_config(settings_mod.get()))
    env.setdefault("AIRFLOW__OPENLINEAGE__NAMESPACE", "wholeplace")
    env.setdefault("AIRFLOW__OPENLINEAGE__EXTRACTORS", EXTRACTOR)
    # emit from a thread: a fork of the one `dags test` process waits out its 10 s timeout per task
    env.setdefault("AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD", "True")
    return env


def _airflow(args: list[str], env: dict[str, str], *, log: Path | None = None) -> subprocess.CompletedProcess:
    binary = str(Path(sys.executable).with_name("airflow"))
    out = open(log, "a", encoding="utf-8") if log else subprocess.DEVNULL
    try:
        return subprocess.run([binary, *args], env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    finally:
        if log:
            out.close()


def prepare_airflow(env: dict[str, str], log: Path) -> None:
    """Migrate the SQLite metadata DB (once per Airflow version) and create the DuckDB pool."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    from importlib.metadata import version

    marker = home / ".wholeplace-prepared"
    wanted = f"airflow {version('apache-airflow')}"
    if marker.exists() and marker.read_text().strip() == wanted:
        return
    _step(f"preparing Airflow (SQLite metadata in {home}) ...")
    for args in (["db", "migrate"], ["pools", "set", POOL, "1", "DuckDB allows one writer process per file"]):
        result = _airflow(args, env, log=log)
        if result.returncode != 0:
            raise SystemExit(f"airflow {' '.join(args)} failed; see {log}")
    marker.write_text(wanted + "\n")


def _step(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", flush=True)


_FY = re.compile(r"^(\d{4})-(\d{2})$")


def financial_year(text: str) -> str:
    """'2021-22' (a UK financial year, April to March), or a clear error."""
    m = _FY.match(text.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise argparse.ArgumentTypeError(
            f"a financial year looks like 2021-22 (April 2021 to March 2022), got {text!r}"
        )
    return text.strip()


def run(dag_id: str, verbose: bool, periods: list[str] | None = None) -> int:
    settings = settings_mod.get()
    from core.catalogue import catalogue
    from core.errors import WholeplaceError
    from ingest.membership import all_regions, current_region
    from ingest.sources import check_sources

    try:  # a malformed region, or one naming councils outside it, is refused before anything runs
        region = current_region()
        all_regions()  # the others are benchmarked in the release
        check_sources(catalogue())  # every source module has the shape its catalogue entry needs
    except WholeplaceError as exc:
        print(f"FAILED before starting: {exc}")
        return 2
    env = airflow_env(settings.project_dir)
    logs = settings.warehouse_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    for name in (LAST_ERROR, LAST_RUN):
        (settings.run_state_dir / name).unlink(missing_ok=True)
    previous = current_latest(settings)
    if previous is not None:  # the latest release's files, against the sha256 they were published with
        found = verify_release(previous)
        if found.ok:
            _step(found.describe())
        else:
            _step(f"WARNING: {found.describe()}")
            _step("  this run publishes an intact release rather than reporting no change")

    _step(
        f"wholeplace: {region.title} ({region.combined_authority_code}, {len(region.councils)} councils), "
        f"{settings.mode} mode, warehouse {settings.duckdb_path}"
    )
    if not settings.duckdb_path.exists() and (settings.landing_dir / "loads.jsonl").exists():
        _step(
            f"the warehouse file {settings.duckdb_path} is missing: rebuilding it from the landing zone "
            f"({settings.landing_dir}), vintage history included"
        )
    elif settings.duckdb_path.exists():
        from core.db import connect
        from core.errors import WholeplaceError

        try:  # a damaged file is named, with its recovery, before Airflow starts
            with connect(settings.duckdb_path, wait_s=5):
                pass
        except WholeplaceError as exc:
            if "cannot be opened" in str(exc):
                print(f"FAILED before starting: {exc}")
                return 2
    if settings.accept_fewer_rows:
        _step(f"acknowledging fewer rows or areas than before for: {', '.join(settings.accept_fewer_rows)}")
    prepare_airflow(env, log_path)
    _step(f"running the '{dag_id}' DAG through Airflow (airflow dags test); full log: {log_path}")
    conf = []
    if periods:  # a backfill: the sources that publish these periods reload them; the rest stay
        _step(f"backfill of {', '.join(periods)}: only those periods are fetched and reloaded")
        conf = ["--conf", json.dumps({"periods": periods})]
    started = time.monotonic()
    binary = str(Path(sys.executable).with_name("airflow"))
    with open(log_path, "a", encoding="utf-8") as log_file:
        # its own session: Ctrl-C reaches this process only, which stops the whole Airflow process
        # group itself (tasks, dbt) so the run lock is released at once, not when Airflow gets to it
        proc = subprocess.Popen(
            [binary, "dags", "test", dag_id, *conf],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert proc.stdout is not None
        current, planned = None, []
        try:
            with _interruptible():
                for line in proc.stdout:
                    log_file.write(line)
                    if m := _PLAN.search(line):
                        planned = json.loads(m.group(1))
                    if m := _TASK_START.search(line):
                        current = _task_label(m.group(1), int(m.group(2)), planned)
                        _step(f"  -> {current}")
                    elif (m := _TASK_STATE.search(line)) and current and m.group(1) in ("failed", "up_for_retry"):
                        _step(f"  !! {current} {m.group(1)}")
                    elif verbose and (m := _OURS.search(line)) and _worth_showing(m.group(1)):
                        _step(f"     {m.group(1)}")
                code = proc.wait()
        except Interrupted as stop:
            return _interrupted(settings, proc, stop.signum, current, previous, log_path)
    elapsed = time.monotonic() - started
    return _summarise(settings, code, elapsed, previous, log_path)


class Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP (the terminal closed) raise Interrupted (no traceback) while the
    run is followed: Airflow runs in its own session, so it hears of them only through us."""

    def stop(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


STOP_GRACE_S = 5.0


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the Airflow process group, SIGKILL after STOP_GRACE_S: its locks die with it."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            # the group may outlive its leader (a dbt or task child): make sure it is gone
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
        break


def _interrupted(settings, proc: subprocess.Popen, signum: int, current: str | None, previous, log_path: Path) -> int:
    with _ignoring_signals():  # a second Ctrl-C must not leave the Airflow processes behind
        _step(f"{signal.Signals(signum).name}: stopping the Airflow run (process group {proc.pid}) ...")
        _stop_group(proc)
    latest = current_latest(settings)
    print()
    if latest is not None and latest != previous:
        print(
            f"INTERRUPTED{f' during {current}' if current else ''}: release {latest.name} had already been published."
        )
    else:
        print(f"INTERRUPTED{f' during {current}' if current else ''}: nothing was published.")
        print(f"  latest release is still {latest.name}" if latest else "  there is no published release yet")
    print("  the Airflow run was stopped and the run lock released; run `make run` again to finish")
    print(f"  full log: {log_path}")
    return 128 + signum


@contextmanager
def _ignoring_signals() -> Iterator[None]:
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _task_label(task_id: str, map_index: int, planned: list[str]) -> str:
    """A mapped task instance by its source, as the plan listed them: 'source.load[mhclg_ra]'."""
    if map_index < 0:
        return task_id
    name = planned[map_index] if map_index < len(planned) else str(map_index)
    return f"{task_id}[{name}]"


def _worth_showing(message: str) -> bool:
    """dbt prints a line per node; show only its totals and anything that went wrong."""
    if not message.startswith("dbt | "):
        return True
    return any(k in message for k in ("Finished running", "Done.", "FAIL", "ERROR", "WARN", "Error"))


def _summarise(settings, code: int, elapsed: float, previous: Path | None, log_path: Path) -> int:
    error_path = settings.run_state_dir / LAST_ERROR
    run_path = settings.run_state_dir / LAST_RUN
    print()
    if code == 0 and run_path.exists():
        summary = json.loads(run_path.read_text())
        if summary.get("superseded_by_build"):
            print(f"OK in {elapsed:.0f} s: not published here; latest stays {summary['release']}")
            print(
                f"  another run rebuilt the marts (dbt build {summary['superseded_by_build']}) after this run's "
                "gate passed: that run validates and publishes them, this run's files included"
            )
            return 0
        status = "published new release" if summary["new_release"] else "no change since the latest release"
        print(f"OK in {elapsed:.0f} s: {status} {summary['release']}")
        if summary.get("work_skipped"):
            print("  nothing new: same files and code as that release, so dbt, the checks and publication were skipped")
        print(f"  release:  {summary['path']}")
        print(f"  latest:   {settings.releases_dir / 'latest'}")
        print(f"  warehouse: {settings.duckdb_path}")
        print("  rows per mart:")
        for mart, n in summary["rows"].items():
            print(f"    {mart:<22} {n:>8,}")
        gx = summary["checks"]["great_expectations"]
        dbt = summary["checks"].get("dbt", {})
        print(
            f"  checks: Great Expectations {gx['checkpoint']}: "
            f"{'passed' if gx['success'] else 'FAILED'} ({gx['expectations_evaluated']} expectations); "
            f"dbt: {', '.join(f'{k}={v}' for k, v in dbt.items())}"
        )
        print(f"  data docs: {Path(summary['path']) / 'data_docs' / 'index.html'}")
        return 0
    print(f"FAILED after {elapsed:.0f} s: nothing was published.")
    if error_path.exists():
        err = json.loads(error_path.read_text())
        print(f"  step:  {err['step']} {' '.join(err.get('arguments', []))}".rstrip())
        print(f"  error: {err['error']}")
    else:
        print("  Airflow could not run the DAG (see the log).")
    from warehouse.alerts import alerts_file

    alerts = alerts_file(settings)
    if alerts.exists() and alerts.stat().st_mtime >= time.time() - elapsed:
        print(f"  alert:  written to {alerts} (and sent to the wholeplace_alerts connection, if one is set)")
    latest = current_latest(settings)
    if latest is not None:
        same = " (unchanged)" if previous is not None and latest == previous else ""
        print(f"  latest release is still {latest.name}{same}")
    else:
        print("  there is no published release yet")
    print(f"  full log: {log_path}")
    return code or 1


def status(as_of: str | None = None, *, as_json: bool = False, fail_on_late: bool = False) -> int:
    """The latest release, then per source: what is loaded, when a new file is due, whether late."""
    from datetime import date

    from core.freshness import statuses

    settings = settings_mod.get()
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        print(f"--as-of takes a date like 2026-11-26, got {as_of!r}", file=sys.stderr)
        return 2
    rows = statuses(settings, day)
    latest = current_latest(settings)
    from dataclasses import asdict

    from warehouse.alerts import alerts_file, read_alerts

    recent = read_alerts(settings)[-5:]
    if as_json:
        out = {
            "release": latest.name if latest else None,
            "release_problems": verify_release(latest).problems if latest else [],
            "sources": [r.as_row() for r in rows],
            "recent_alerts": [asdict(a) for a in recent],
        }
        print(json.dumps(out, indent=2))
    else:
        if latest is None:
            print("no release yet: run `make run`")
        else:
            package = json.loads((latest / "datapackage.json").read_text())
            print(f"latest release: {package['version']} ({latest})")
            if package.get("contains_synthetic_data"):
                print(f"  contains synthetic data from: {', '.join(package['synthetic_sources'])}")
            found = verify_release(latest)
            print(f"  integrity: {found.describe()}" if found.ok else f"  integrity: DAMAGED {found.describe()}")
        print(f"\nsources as of {day or 'today'} (from {settings.landing_dir / 'manifest.jsonl'}):")
        head = ("source", "state", "period", "file", "sha256", "new file", "next due", "last run")
        table = [
            (
                r.source_id,
                r.state + (f" {r.late_by_days}d" if r.late_by_days else ""),
                r.latest_period or "-",
                (r.file_name or "-")[:34],
                (r.sha256 or "-")[:12],
                (r.last_new_file_at or "-")[:10],
                r.next_due or "-",
                r.last_run,
            )
            for r in rows
        ]
        widths = [max(len(str(x[i])) for x in [head, *table]) for i in range(len(head) - 1)]
        for line in [head, *table]:
            print("  " + "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)) + "  " + line[-1])
        late = [r.source_id for r in rows if r.state == "LATE"]
        print(f"\n{len(late)} late: {', '.join(late)}" if late else "\nnothing late")
        if recent:
            print(f"\nrecent alerts ({alerts_file(settings)}):")
            for a in recent:
                print(f"  {a.at[:16]}Z {a.kind}: {a.summary}"[:200])
    return 3 if fail_on_late and any(r.state == "LATE" for r in rows) else 0


def recover() -> int:
    """Move a damaged warehouse file aside and rebuild it from the landing zone (`make run`)."""
    settings = settings_mod.get()
    path = settings.duckdb_path
    if path.exists():
        aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        path.rename(aside)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            wal.rename(aside.with_name(aside.name + ".wal"))
        _step(f"moved {path.name} aside to {aside} (delete it once the rebuild is checked)")
    else:
        _step(f"no warehouse file at {path}: rebuilding it")
    return run("wholeplace", verbose=True)


def verify(release: str | None) -> int:
    """Check a release's files against the sha256 they were published with (default: latest)."""
    settings = settings_mod.get()
    target = Path(release) if release else current_latest(settings)
    if target is None:
        print("no release yet: run `make run`")
        return 1
    if not target.is_dir() and (settings.releases_dir / str(release)).is_dir():
        target = settings.releases_dir / str(release)  # a version name rather than a path
    found = verify_release(target)
    print(found.describe())
    return 0 if found.ok else 1


def serve(port: int) -> int:
    """Browse the latest release with Datasette (replaces this process)."""
    from warehouse.publication.datasette import serve_command

    settings = settings_mod.get()
    latest = current_latest(settings)
    if latest is None:
        print("no release yet: run `make run` first")
        return 1
    command = serve_command(settings.releases_dir / "latest", port=port)
    print(f"serving release {latest.name}")
    print(f"  tables and SQL:  http://127.0.0.1:{port}/wholeplace")
    print(f"  place profiles:  http://127.0.0.1:{port}/files/site/index.html")
    print(f"  release files:   http://127.0.0.1:{port}/files/datapackage.json")
    print(f"  releases feed:   http://127.0.0.1:{port}/releases/feed.atom")
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.cli", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the main job through Airflow")
    run_p.add_argument("--dag", default="wholeplace")
    run_p.add_argument("--quiet", action="store_true", help="only task starts and the summary")
    run_p.add_argument(
        "--accept-fewer-rows",
        dest="accept_fewer_rows",
        action="append",
        metavar="SOURCE[:PERIOD]",
        help="acknowledge a restatement with fewer rows or areas than the previous vintage (repeatable; "
        "recorded in the release's changelog)",
    )
    run_p.add_argument(
        "--period",
        dest="periods",
        action="append",
        type=financial_year,
        help="backfill: reload only this financial year, e.g. 2021-22 (repeatable)",
    )
    status_p = sub.add_parser("status", help="the latest release, and per source what is loaded and what is late")
    status_p.add_argument("--as-of", help="judge lateness on this date (YYYY-MM-DD) instead of today")
    status_p.add_argument("--json", action="store_true", help="machine-readable output")
    status_p.add_argument("--fail-on-late", action="store_true", help="exit 3 when a source is late (for cron)")
    sub.add_parser("recover", help="move a damaged warehouse file aside and rebuild it from the landing zone")
    verify_p = sub.add_parser("verify", help="check a release's files against their published sha256")
    verify_p.add_argument("release", nargs="?", help="a release folder or version (default: latest)")
    serve_p = sub.add_parser("serve", help="browse the latest release with Datasette")
    serve_p.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    if not os.environ.get("WHOLEPLACE_WAREHOUSE_DIR"):  # a checkout from before data/: its data moves once
        moved = settings_mod.move_legacy_data()
        if moved:
            print(f"moved the runtime data from warehouse/ to data/: {', '.join(moved)}")
    if args.command == "run":
        if args.accept_fewer_rows:  # the Airflow tasks read it from the environment (core.settings)
            known = os.environ.get("WHOLEPLACE_ACCEPT_FEWER_ROWS", "")
            os.environ["WHOLEPLACE_ACCEPT_FEWER_ROWS"] = ",".join(filter(None, [known, *args.accept_fewer_rows]))
        return run(args.dag, verbose=not args.quiet, periods=args.periods)
    if args.command == "serve":
        return serve(args.port)
    if args.command == "verify":
        return verify(args.release)
    if args.command == "recover":
        return recover()
    return status(args.as_of, as_json=args.json, fail_on_late=args.fail_on_late)


def entry() -> int:
    """main() for the command line: Ctrl-C outside a followed run stops quietly, no traceback."""
    from core.errors import ConfigError

    try:
        return main()
    except ConfigError as exc:  # a bad setting: said plainly, before anything runs
        print(f"FAILED before starting: {exc}")
        return 2
    except KeyboardInterrupt:
        print("\nINTERRUPTED before the run started: nothing was published.")
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(entry())
