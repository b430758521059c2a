"""Run state: the small JSON files the pipeline's steps write in ``<warehouse>/runs/`` and the
command line, freshness and alerts read. One name for each, here."""

from __future__ import annotations

import json
import os

from core import settings as settings_mod

LAST_ERROR = "last_error.json"  # what the last failing step failed on (the run summary says it)
LAST_RUN = "last_run.json"
PUBLISHED_INPUTS = "published_inputs.json"  # what the latest release was built from (kept across runs)
VALIDATED_RAW = "validated_raw.json"  # per source: the inputs of its last passing raw validation
BUILT = "built.json"  # the inputs of the last dbt build that finished (cleared while one runs)


def read_state(name: str, settings=None) -> dict:
    """One of the run state files (LAST_ERROR, VALIDATED_RAW, ...); {} when there is none yet."""
    path = (settings or settings_mod.get()).run_state_dir / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_state(name: str, payload: dict, settings=None) -> None:
    """Replace one run state file at once (a reader never sees half of it)."""
    settings = settings or settings_mod.get()
    settings.run_state_dir.mkdir(parents=True, exist_ok=True)
    path = settings.run_state_dir / name
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # unique: fetches may fail side by side
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
