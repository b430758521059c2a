"""Every dbt model is documented: a yml entry with a description, and a grain test (a unique
key) on every intermediate and mart model."""

from __future__ import annotations

import yaml

from tests.paths import PROJECT_ROOT

MODELS = PROJECT_ROOT / "dbt_project" / "models"


def _entries() -> dict[str, dict]:
    found = {}
    for yml in MODELS.rglob("*.yml"):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            found[model["name"]] = model
    return found


def _has_grain_test(model: dict) -> bool:
    tests = model.get("data_tests") or model.get("tests") or []
    if any(isinstance(t, dict) and "unique_combination_of_columns" in t for t in tests):
        return True
    for column in model.get("columns", []):
        names = [t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests") or []]
        if "unique" in names:
            return True
    return False


def test_every_model_has_yml_with_a_description():
    entries = _entries()
    sql = {p.stem: p for p in MODELS.rglob("*.sql")}
    undocumented = sorted(str(p.relative_to(MODELS)) for name, p in sql.items() if name not in entries)
    assert undocumented == []
    assert [n for n in sql if not str(entries[n].get("description", "")).strip()] == []


def test_every_intermediate_and_mart_model_tests_its_grain():
    entries = _entries()
    layers = [p.stem for layer in ("intermediate", "marts") for p in (MODELS / layer).rglob("*.sql")]
    assert "int_council_spend_lines_unioned" in layers
    assert [n for n in layers if not _has_grain_test(entries[n])] == []
