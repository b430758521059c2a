"""The layers hold (the import-linter contracts in pyproject.toml, as `make lint` runs them), the
DAG files import only what sits below them, and no module does several jobs' worth of lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "ingest", "expectations", "warehouse")
MAX_MODULE_LINES = 500


def test_the_import_contracts_are_kept_with_no_cycle():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout, result.stdout[-4000:]


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_dag_files_use_the_pipeline_and_the_core_only():
    """dags/ is not a package, so import-linter cannot see it: its files may call the pipeline's
    steps, the alerts and the core, never ingest, the checks or the publication directly."""
    allowed = ("core", "warehouse.pipeline", "warehouse.alerts", "common", "assets")
    for dag_file in sorted((PROJECT / "dags").glob("*.py")):
        ours = {m for m in _imported(dag_file) if m.split(".")[0] in (*PACKAGES, "common", "assets")}
        wrong = sorted(m for m in ours if not m.startswith(allowed) and m != "warehouse")
        assert not wrong, f"{dag_file.name} imports {wrong}"


def test_no_module_is_longer_than_one_job():
    """A module over ~500 lines does several jobs: split it (each module one job its name says)."""
    long = {
        str(path.relative_to(PROJECT)): n
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_the_runtime_data_folder_holds_no_code():
    """data/ (settings.DATA_DIR) is runtime data only; the packages hold no runtime data."""
    from core.settings import DATA_DIR, LEGACY_DATA_ENTRIES

    assert not DATA_DIR.exists() or not any(DATA_DIR.rglob("*.py"))
    tracked = subprocess.run(["git", "ls-files", "data"], cwd=PROJECT, capture_output=True, text=True).stdout
    assert tracked == "", tracked
    for package in PACKAGES:
        left = [name for name in LEGACY_DATA_ENTRIES if (PROJECT / package / name).exists()]
        assert not left, f"{package}/ holds runtime data: {left}"


def test_tests_import_only_public_names_and_mirror_the_package_tree():
    """A test uses what a module offers (no _private name or module), and a unit test of
    <package>/<module>.py lives in tests/unit/<package>/test_<module>.py."""
    private = []
    for path in sorted((PROJECT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [a.name for a in node.names]
                parts = node.module.split(".")
            elif isinstance(node, ast.Import):
                names, parts = [], [p for a in node.names for p in a.name.split(".")]
            else:
                continue
            bad = [n for n in [*parts, *names] if n.startswith("_") and not n.startswith("__")]
            if bad:
                private.append(f"{path.relative_to(PROJECT)}:{node.lineno} {bad}")
    assert private == []
    unit = PROJECT / "tests" / "unit"
    for test in unit.rglob("test_*.py"):
        folder = test.parent.relative_to(unit)
        if folder.parts:  # tests/unit/<package path>/ mirrors a package of the project
            assert (PROJECT / folder / "__init__.py").is_file(), f"{test.relative_to(PROJECT)}: no package {folder}"


# the eight places a source lives (docs/extending.md "Adding a source"), {id} its catalogue id
SOURCE_FILES = (
    "ingest/sources/{id}.py",  # or a package ingest/sources/{id}/
    "ingest/snapshots/{id}/",
    "tests/unit/ingest/sources/test_{id}.py",
    "expectations/suites/raw_{id}.py",
    "dbt_project/models/staging/{id}/_{id}__sources.yml",
    "dbt_project/models/staging/{id}/_{id}__models.yml",
    "dbt_project/models/staging/{id}/stg_{id}__",
)
# where it needs them: test data, and a seed of the source's own codes
OPTIONAL_SOURCE_FILES = ("tests/fixtures/{id}/", "dbt_project/seeds/{id}_")
# spending over £500 is a file set with councils' layouts as data, a mart of its own and a
# multi-run integration test
SOURCE_EXTRAS = {
    "spend500": (
        "ingest/sources/spend500_layouts.yml",
        "dbt_project/models/marts/spending/fct_spend500_payment.sql",
        "tests/integration/test_spend500_incremental.py",
        "tests/unit/ingest/sources/test_spend500_west_midlands.py",  # the West Midlands' real year
    )
}


def test_every_source_lives_in_the_places_the_guide_lists():
    """Beside its catalogue entry, a source is its module, its snapshots, its unit test, its GX
    suite and its staging folder (sources yml, models yml, stg_ models): no file elsewhere is
    named after it, so adding one touches eight files."""
    import yaml

    ids = [e["id"] for e in yaml.safe_load((PROJECT / "ingest" / "catalogue.yml").read_text(encoding="utf-8"))]
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True).stdout.split()
    readme = (PROJECT / "docs" / "extending.md").read_text(encoding="utf-8")
    for place in SOURCE_FILES:
        assert place.format(id="mhclg_rsx").split("{")[0] in readme.replace("`", ""), place
    for sid in ids:
        allowed = [p.format(id=sid) for p in (*SOURCE_FILES, *OPTIONAL_SOURCE_FILES)]
        allowed += [f"ingest/sources/{sid}/", *SOURCE_EXTRAS.get(sid, ())]
        named = [f for f in tracked if sid in Path(f).name or f"/{sid}/" in f"/{f}"]
        elsewhere = [f for f in named if not any(f.startswith(a) for a in allowed)]
        assert (PROJECT / "expectations" / "suites" / f"raw_{sid}.py").is_file(), sid
        assert list((PROJECT / "dbt_project" / "models" / "staging" / sid).glob(f"stg_{sid}__*.sql")), sid
        assert elsewhere == [], f"{sid}: files outside its places: {elsewhere}"
