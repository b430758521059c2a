"""Whole runs of the pipeline's steps as child processes (tests/reliability/run_steps.py), and
checks on what they leave, for the crash and overlap suites."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from core.settings import PROJECT_DIR


def start(warehouse: Path, snapshots: Path, sources: tuple[str, ...] = ()) -> subprocess.Popen:
    """A run on ``warehouse`` fetching from ``snapshots``, in its own process group (dbt included),
    its steps announced on stdout ("STEP load census", ..., "DONE {json}")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOLEPLACE_")}
    env.update(WHOLEPLACE_WAREHOUSE_DIR=str(warehouse), WHOLEPLACE_MODE="snapshot")
    env["WHOLEPLACE_SNAPSHOT_DIR"] = str(snapshots)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.run_steps", *sources],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen) -> tuple[str, list[tuple[float, str]], dict]:
    """Read a run to its end: (its output, (seconds, step) marks, the DONE summary). It must succeed."""
    began = time.monotonic()
    assert proc.stdout is not None
    lines, marks = [], []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("STEP "):
            marks.append((time.monotonic() - began, line.split(maxsplit=1)[1].strip()))
        elif line.startswith("DONE"):
            marks.append((time.monotonic() - began, "done"))
    code = proc.wait()
    output = "".join(lines)
    assert code == 0 and "DONE" in output, output[-4000:]
    done = json.loads(output[output.rindex("DONE ") + 5 :].splitlines()[0])
    return output, marks, done


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


def latest(warehouse: Path) -> Path | None:
    link = warehouse / "releases" / "latest"
    return link.resolve() if link.is_symlink() else None
