"""The validators a data portal runs on a release: ``frictionless validate`` and pyshacl with the
DCAT-AP 2.1.1 shapes as their command-line tools, and csvw's strict validation (what
``csvwvalidate`` without --lax runs). Each returns what the tool said, so a failing test shows it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from warehouse.publication.metadata.dcat import SHAPES

BIN = Path(sys.executable).parent


def frictionless(release: Path) -> dict:
    """``frictionless validate --json datapackage.json`` in the release folder: its JSON report."""
    done = subprocess.run(
        [BIN / "frictionless", "validate", "--json", "datapackage.json"],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(done.stdout)


def frictionless_errors(report: dict) -> list[str]:
    errors = [f"package: {e['message']}" for e in report.get("errors", [])]
    for task in report.get("tasks", []):
        errors += [f"{task['name']}: {e['message']}" for e in task.get("errors", [])]
    return errors


def shacl(release: Path) -> tuple[int, str]:
    """``pyshacl -s <DCAT-AP 2.1.1 shapes> -df json-ld catalog.jsonld``: (exit code, report)."""
    done = subprocess.run(
        [BIN / "pyshacl", "-s", str(SHAPES), "-df", "json-ld", "catalog.jsonld"],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


def csvw(release: Path) -> dict[str, str]:
    """Every CSVW file checked as ``csvwvalidate`` checks it (the same call, in this process: one
    interpreter instead of one per table): {file: "OK" or what failed}."""
    from csvw import CSVW

    said = {}
    for metadata in sorted(release.glob("*.csv-metadata.json")):
        try:
            checked = CSVW(str(metadata), validate=True, strict=True)
        except ValueError as exc:
            said[metadata.name] = f"FAIL: {exc}"
            continue
        said[metadata.name] = (
            "OK" if checked.is_valid else "FAIL: " + "; ".join(str(w.message) for w in checked.warnings)
        )
    return said
