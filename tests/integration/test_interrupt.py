"""Ctrl-C (SIGINT) or SIGTERM on `make run` stops the Airflow run and releases the run lock within a
few seconds, prints no traceback, and says nothing was published."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import PROJECT, Pipeline
from tests.reliability.report import record_hardening

pytestmark = pytest.mark.integration


def lock_holder(path) -> str:
    return path.read_text().strip() if path.exists() else ""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_stops_airflow_releases_the_lock_and_publishes_nothing(tmp_path, signum, recorder):
    pipeline = Pipeline(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "warehouse.cli", "run", "--quiet"],
        cwd=PROJECT,
        env=pipeline.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lock = pipeline.warehouse / "runs" / "step.lock"
    waited = time.monotonic()
    while " in pid " not in lock_holder(lock):  # a step that writes the warehouse is running
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() - waited < 300, "no warehouse step started within 5 minutes"
        time.sleep(0.2)

    sent = time.monotonic()
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=60)
    took = time.monotonic() - sent

    assert took < 15, f"took {took:.1f} s to stop\n{out}"
    assert proc.returncode == 128 + signum, out
    assert "Traceback" not in out
    assert "INTERRUPTED" in out and "nothing was published" in out
    assert "run lock released" in out
    assert not (pipeline.warehouse / "releases" / "latest").exists()
    group = int(re.search(r"process group (\d+)", out).group(1))
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)  # no Airflow process is left
    with open(lock, "a+") as fh:  # and the lock is free now, not in ~90 s
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    during = re.search(r"INTERRUPTED during ([^\s:]+)", out)
    record_hardening(
        recorder,
        "Ctrl-C (SIGINT) during make run" if signum == signal.SIGINT else "SIGTERM during make run",
        f"stopped {took:.1f} s after the signal{f' (during {during.group(1)})' if during else ''}: Airflow's process "
        f"group gone, the run lock free, no traceback, exit {proc.returncode}, 'nothing was published'",
    )
