"""Small helpers the metadata writers share: the CSV resources of a package, a CSV's header, the
licence, text cells and deterministic JSON."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

# ---- helpers -------------------------------------------------------------------------------------

OGL_URI = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def is_csv(resource: dict) -> bool:
    fmt = (resource.get("format") or "").lower()
    return fmt == "csv" or (not fmt and str(resource.get("path", "")).lower().endswith(".csv"))


def csv_resources(package: dict) -> list[dict]:
    return [r for r in package.get("resources", []) if is_csv(r)]


def csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def licence_uri(package: dict) -> str:
    for licence in package.get("licenses") or []:
        if text_or_none(licence.get("path")):
            return licence["path"]
    return OGL_URI


def text_or_none(value: Any) -> str | None:
    """A string value, or None for None / NaN (pandas' missing value) / empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return text or None


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
