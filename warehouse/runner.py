"""A DAG run through Airflow itself, followed: the project-local Airflow (SQLite metadata in
$AIRFLOW_HOME, the one-slot DuckDB pool), ``airflow dags test`` in its own process group, progress
as tasks start and end, Ctrl-C and signals stopping the whole group, and the run's summary."""

from __future__ import annotations

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
from warehouse import shortcut
from warehouse.publication.integrity import verify_release
from warehouse.publication.publish import current_latest

POOL = "wholeplace_duckdb"
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_PLAN = re.compile(r"plan: \d+ sources: (\[.*?\])")
_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+)")
_TASK_STATE = re.compile(r"Task instance state updated .*new_state=(\w+)")
_OURS = re.compile(r"\[(?:info|warning|error)\s*\] (.*?)\s+\[((?:core|ingest|warehouse|expectations)\.[\w.]+)\]")


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
    step(f"preparing Airflow (SQLite metadata in {home}) ...")
    for args in (["db", "migrate"], ["pools", "set", POOL, "1", "DuckDB allows one writer process per file"]):
        result = _airflow(args, env, log=log)
        if result.returncode != 0:
            raise SystemExit(f"airflow {' '.join(args)} failed; see {log}")
    marker.write_text(wanted + "\n")


def step(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", flush=True)


def run(dag_id: str, verbose: bool, periods: list[str] | None = None, *, force: bool = False) -> int:
    started = time.monotonic()
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
    logs = settings.warehouse_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    for name in (LAST_ERROR, LAST_RUN):
        (settings.run_state_dir / name).unlink(missing_ok=True)
    previous = current_latest(settings)
    intact = False
    if previous is not None:  # the latest release's files, against the sha256 they were published with
        found = verify_release(previous)
        intact = found.ok
        if found.ok:
            step(found.describe())
        else:
            step(f"WARNING: {found.describe()}")
            step("  this run publishes an intact release rather than reporting no change")
    fingerprint = None
    if shortcut.recordable(settings, dag_id=dag_id, periods=periods):
        fingerprint = shortcut.inputs_fingerprint(settings)
    if shortcut.eligible(settings, dag_id=dag_id, periods=periods, force=force):
        same = shortcut.nothing_new(settings, previous, fingerprint) if intact else None
        if same is not None:
            print()
            _print_release(settings, same, time.monotonic() - started, "no change since the latest release")
            print(
                "  nothing new: the same snapshot files, code and settings as the run that published it, and the "
                "warehouse untouched since, so Airflow was not started (make run FORCE=1 runs the DAG anyway)"
            )
            return 0

    step(f"wholeplace: {region.describe}, {settings.mode} mode, warehouse {settings.duckdb_path}")
    if not settings.duckdb_path.exists() and (settings.landing_dir / "loads.jsonl").exists():
        step(
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
        step(f"acknowledging fewer rows or areas than before for: {', '.join(settings.accept_fewer_rows)}")
    env = airflow_env(settings.project_dir)  # imports Airflow (seconds): only when it runs
    prepare_airflow(env, log_path)
    step(f"running the '{dag_id}' DAG through Airflow (airflow dags test); full log: {log_path}")
    conf = []
    if periods:  # a backfill: the sources that publish these periods reload them; the rest stay
        step(f"backfill of {', '.join(periods)}: only those periods are fetched and reloaded")
        conf = ["--conf", json.dumps({"periods": periods})]
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
                        step(f"  -> {current}")
                    elif (m := _TASK_STATE.search(line)) and current and m.group(1) in ("failed", "up_for_retry"):
                        step(f"  !! {current} {m.group(1)}")
                    elif verbose and (m := _OURS.search(line)) and _worth_showing(m.group(1)):
                        step(f"     {m.group(1)}")
                code = proc.wait()
        except Interrupted as stop:
            return _interrupted(settings, proc, stop.signum, current, previous, log_path)
    elapsed = time.monotonic() - started
    result = _summarise(settings, code, elapsed, previous, log_path)
    if result == 0 and fingerprint is not None and (settings.run_state_dir / LAST_RUN).exists():
        shortcut.record(settings, fingerprint, json.loads((settings.run_state_dir / LAST_RUN).read_text()))
    return result


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
        step(f"{signal.Signals(signum).name}: stopping the Airflow run (process group {proc.pid}) ...")
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
        _print_release(settings, summary, elapsed, status)
        if summary.get("work_skipped"):
            print("  nothing new: same files and code as that release, so dbt, the checks and publication were skipped")
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


def _print_release(settings, summary: dict, elapsed: float, status: str) -> None:
    """The summary of a run that ended in a release: its name, where it is, rows and checks."""
    print(f"OK in {elapsed:.0f} s: {status} {summary['release']}")
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
    print(f"  size:     {release_size(Path(summary['path']))}")


def release_size(release: Path) -> str:
    """How large a release is on disk, and its largest parts (the size the England build reaches
    is stated, not discovered)."""
    if not release.is_dir():
        return "not found"
    parts: dict[str, int] = {}
    total = 0
    for f in release.rglob("*"):
        if f.is_file():
            size = f.stat().st_size
            total += size
            top = f.relative_to(release).parts[0]
            key = "site" if top == "site" else f.suffix.lstrip(".") or top
            parts[key] = parts.get(key, 0) + size
    largest = sorted(parts.items(), key=lambda kv: -kv[1])[:4]
    return f"{total / 1e6:,.0f} MB (" + ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in largest) + ")"
