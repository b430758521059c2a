"""The same DAGs on Airflow proper: PostgreSQL metadata, the CeleryExecutor with a Redis broker and
two Celery workers, all started here as processes on 127.0.0.1. The pipeline is triggered through
Airflow's REST API; the run must succeed, both workers must have run tasks, and a release must be
published. Then the same build runs again on a fresh warehouse with one worker, and the speed-up of
two workers over one is reported (DISTRIBUTED_SPEED_UP=0 leaves that out). The build is England's
(every place) unless DISTRIBUTED_REGION names another region (CI builds the default region, to keep
within its time). Everything started is stopped again, also when the test fails.
(`make test-distributed`)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.distributed.conftest import free_port, wait_for_port

pytestmark = pytest.mark.distributed

PROJECT = Path(__file__).resolve().parents[2]
DAG_ID = "wholeplace"
WORKERS = ("worker1", "worker2")
POOL = "wholeplace_duckdb"
SECRET = "pa55-Wh0le-place-77"  # a connection password the probe DAG logs; Airflow must mask it
REGION = os.environ.get("DISTRIBUTED_REGION", "").strip() or "england"
SPEED_UP = os.environ.get("DISTRIBUTED_SPEED_UP", "1").strip() != "0"  # the one-worker run (CI: 0)


def dags_folder(root: Path) -> Path:
    """The project's DAG files, plus the masking probe (links: the same files, not copies)."""
    folder = root / "dags"
    folder.mkdir()
    for path in (PROJECT / "dags").glob("*.py"):
        (folder / path.name).symlink_to(path)
    (folder / "mask_probe.py").symlink_to(Path(__file__).with_name("mask_probe.py"))
    return folder


def overlap(instances: list[dict]) -> int:
    """The most task instances running at the same moment (from their start and end times)."""
    edges = sorted(
        [(t["start_date"], 1) for t in instances if t["start_date"]]
        + [(t["end_date"], -1) for t in instances if t["end_date"]],
        key=lambda e: (e[0], e[1]),  # an end before a start at the same instant
    )
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def airflow_env(root: Path, postgres: str, redis_url: str, api_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WHOLEPLACE_"))}
    env.update(
        AIRFLOW_HOME=str(root / "airflow"),
        PYTHONPATH=str(PROJECT),
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"postgresql+psycopg2://{postgres}",
        AIRFLOW__CELERY__BROKER_URL=redis_url,
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+postgresql://{postgres}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="2",
        AIRFLOW__CORE__DAGS_FOLDER=str(root / "dags"),
        AIRFLOW_CONN_PUBLISHER_MIRROR=json.dumps(
            {"conn_type": "http", "host": "mirror.example", "login": "svc", "password": SECRET}
        ),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
        AIRFLOW__CORE__HOSTNAME_CALLABLE="tests.distributed.hostname.worker_name",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api_port}/execution/",
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API_AUTH__JWT_SECRET="distributed-test-secret",
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(root / "airflow" / "logs"),
        AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL="5",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        WHOLEPLACE_WAREHOUSE_DIR=str(root / "warehouse"),
        WHOLEPLACE_MODE="snapshot",
        WHOLEPLACE_REGION=REGION,
    )
    return env


def api(port: int, method: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def test_the_pipeline_runs_on_two_celery_workers_and_publishes(tmp_path, postgres, redis_url):
    api_port = free_port()
    env = airflow_env(tmp_path, postgres, redis_url, api_port)
    dags_folder(tmp_path)
    airflow = str(Path(sys.executable).with_name("airflow"))
    logs = tmp_path / "logs"
    logs.mkdir()
    for args in (["db", "migrate"], ["pools", "set", POOL, "1", "DuckDB: one writer"]):
        done = subprocess.run([airflow, *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
    commands = {
        "api-server": ["api-server", "--port", str(api_port)],
        "scheduler": ["scheduler"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer"],
        **{w: ["celery", "worker", "--celery-hostname", f"{w}@%h", "--concurrency", "2"] for w in WORKERS},
    }
    processes: dict[str, subprocess.Popen] = {}

    def start(name: str, args: list[str], extra: dict[str, str] | None = None) -> None:
        processes[name] = subprocess.Popen(
            [airflow, *args],
            env={**env, "WHOLEPLACE_TEST_WORKER": name, **(extra or {})} if name in WORKERS else env,
            stdout=open(logs / f"{name}.log", "a"),  # noqa: SIM115 - closed at exit
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(name: str) -> None:
        process = processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    try:
        for name, args in commands.items():
            start(name, args)
        wait_for_port(api_port, "the Airflow API server", timeout=180)
        token = api(api_port, "GET", "/auth/token")["access_token"]

        def run_to_end(dag_id: str) -> tuple[str, str]:
            """Unpause (once the dag-processor has parsed it), trigger, wait: (run id, state)."""
            deadline = time.monotonic() + 300
            while True:
                try:
                    api(api_port, "PATCH", f"/api/v2/dags/{dag_id}", token, {"is_paused": False})
                    break
                except urllib.error.HTTPError as exc:
                    if exc.code != 404 or time.monotonic() > deadline:
                        raise
                    time.sleep(3)
            begun = time.monotonic()
            run = api(api_port, "POST", f"/api/v2/dags/{dag_id}/dagRuns", token, {"logical_date": None})
            state = run["state"]
            while state not in ("success", "failed") and time.monotonic() - begun < 900:
                time.sleep(5)
                dead = [n for n, p in processes.items() if p.poll() is not None]
                assert not dead, (
                    f"{', '.join(dead)} stopped; see {logs}: " + (logs / f"{dead[0]}.log").read_text()[-2000:]
                )
                state = api(api_port, "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}", token)["state"]
            return run["dag_run_id"], state

        started = time.monotonic()
        run_id, state = run_to_end(DAG_ID)
        wall = time.monotonic() - started
        tasks = api(api_port, "GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=500", token)
        per_worker = Counter(t.get("hostname") or "?" for t in tasks["task_instances"])
        failed = [t["task_id"] for t in tasks["task_instances"] if t["state"] != "success"]
        print(f"distributed run {run_id} ({REGION}): {state} in {wall:.0f} s; tasks per worker: {dict(per_worker)}")
        (tmp_path / "summary.json").write_text(json.dumps({"state": state, "wall_s": wall, "per_worker": per_worker}))
        assert state == "success", f"run {state}; not successful: {failed}; logs in {logs}"
        assert set(per_worker) >= set(WORKERS), per_worker
        assert (tmp_path / "warehouse" / "releases" / "latest" / "datapackage.json").exists()

        # the fan-out: one mapped instance per catalogue source and step, named by its source
        from core.catalogue import catalogue

        sources = {s.id for s in catalogue()}
        for step in ("fetch", "load", "validate"):
            named = {t["rendered_map_index"] for t in tasks["task_instances"] if t["task_id"] == f"source.{step}"}
            assert named == sources, step
        fetches = [t for t in tasks["task_instances"] if t["task_id"] == "source.fetch"]
        print(f"fetch instances: {len(fetches)}, at most {overlap(fetches)} at once (outside the DuckDB pool)")
        print(f"DuckDB-pool instances at once: {overlap([t for t in tasks['task_instances'] if t['pool'] == POOL])}")
        assert overlap([t for t in tasks["task_instances"] if t["pool"] == POOL]) == 1  # one writer at a time
        # each validate instance emitted its own raw.<source> Asset (through the alias), publish the release's
        query = urllib.parse.urlencode({"source_run_id": run_id, "limit": 100})  # run ids hold '+' and ':'
        events = api(api_port, "GET", f"/api/v2/assets/events?{query}", token)
        uris = sorted(e["uri"] for e in events["asset_events"])
        assert uris == sorted(
            [f"duckdb://wholeplace/raw/{s}" for s in sources] + ["duckdb://wholeplace/releases/latest"]
        )

        # Airflow masks a connection's password in task logs, however the task writes it
        probe_id, probe_state = run_to_end("mask_probe")
        assert probe_state == "success", probe_state
        (log_file,) = (tmp_path / "airflow" / "logs" / "dag_id=mask_probe").rglob("*.log")
        text = log_file.read_text()
        assert "password in a log line: ***" in text and "password printed: ***" in text, text[-3000:]
        assert SECRET not in text
        print(f"mask_probe {probe_id}: the password appears 0 times in {log_file.name}, masked 3 times")

        # the same build on a fresh warehouse with one worker: what the second worker buys
        if not SPEED_UP:
            return
        for name in WORKERS:
            stop(name)
        one = tmp_path / "warehouse-one-worker"
        start(WORKERS[0], commands[WORKERS[0]], {"WHOLEPLACE_WAREHOUSE_DIR": str(one)})
        started = time.monotonic()
        _, one_state = run_to_end(DAG_ID)
        one_wall = time.monotonic() - started
        assert one_state == "success", f"the one-worker run {one_state}; logs in {logs}"
        assert (one / "releases" / "latest" / "datapackage.json").exists()
        speed_up = one_wall / wall
        print(
            f"distributed {REGION}: two workers {wall:.0f} s, one worker {one_wall:.0f} s: speed-up {speed_up:.2f}x "
            "(the DuckDB writers are one at a time by design: a second worker runs the fetches and the "
            "read-only work beside them)"
        )
        (tmp_path / "summary.json").write_text(
            json.dumps(
                {
                    "region": REGION,
                    "state": state,
                    "wall_s": wall,
                    "one_worker_wall_s": one_wall,
                    "speed_up": speed_up,
                    "per_worker": per_worker,
                }
            )
        )
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
