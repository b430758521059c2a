"""Where the tests find the project: one definition, so a test's depth in the tree does not matter."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = PROJECT_ROOT / "tests" / "fixtures"
SNAPSHOTS_DIR = PROJECT_ROOT / "ingest" / "snapshots"
