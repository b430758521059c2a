"""Settings, read once from the environment into one typed object.

Every path the pipeline writes lives under the warehouse directory (``data/`` by default: the
project's one folder of runtime data, holding no code), so a test (or a second deployment) points
``WHOLEPLACE_WAREHOUSE_DIR`` somewhere else and is isolated from the default.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

from core.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
# the one folder of runtime data: DuckDB file, landing zone, releases, run state, logs
DATA_DIR = PROJECT_DIR / "data"
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
# what a checkout from before data/ kept in warehouse/ (the package folder): moved by move_legacy_data
LEGACY_DATA_DIR = PROJECT_DIR / "warehouse"
LEGACY_DATA_ENTRIES = (
    "wholeplace.duckdb",
    "wholeplace.duckdb.wal",
    "raw",
    "releases",
    "staging",
    "runs",
    "gx",
    "dbt",
    "logs",
    "alerts",
    "lineage",
    "regions",
    "demo",
)

# How long each Airflow task may run before Airflow fails it (its execution_timeout), in minutes,
# sized to the bundled run's work with a wide margin (load of the largest source ~20 s, dbt build
# ~40 s); WHOLEPLACE_TASK_TIMEOUT_<TASK> (e.g. WHOLEPLACE_TASK_TIMEOUT_BUILD_MODELS=120) overrides one.
# A fetch task's partitions each also have their own fetch deadline (WHOLEPLACE_FETCH_DEADLINE).
TASK_TIMEOUT_MINUTES = {
    "plan": 10,
    "fetch": 60,
    "load": 60,
    "validate": 30,
    "build_models": 60,
    "validate_marts": 30,
    "publish_release": 30,
}

Mode = Literal["snapshot", "live"]
DEFAULT_REGION = "west-midlands"


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    region: str
    warehouse_dir: Path
    duckdb_path: Path
    snapshot_dir: Path
    mode: Mode
    mirror_url: str | None = field(repr=False)  # may carry credentials: never shown
    connect_timeout_s: float
    read_timeout_s: float
    max_download_bytes: int
    http_retries: int
    http_backoff_s: float
    user_agent: str
    # one fetch (all its reads, retries and redirects) must finish within this many seconds
    fetch_deadline_s: float = 600.0
    # the mirror may be on a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, ...)
    mirror_allow_link_local: bool = False
    # DuckDB's memory limit for the warehouse's connections and dbt (it spills to disk beyond it),
    # so a large load or build stays within a small machine's memory
    duckdb_memory_limit: str = "1GB"
    # dbt: the output of profile `wholeplace` to build with, and the folder of the profiles.yml
    # that defines it (default: the committed dbt_project/profiles.yml)
    dbt_target: str = "embedded"
    dbt_profiles_dir: Path | None = None
    dbt_threads: int = 4  # for targets that read it (`deployment`); `embedded` uses two
    # the opt-in demo: also load the synthetic samples (catalogue `synthetic: true`), into a
    # warehouse of its own, so the default warehouse and its releases never hold a synthetic row
    samples: bool = False
    # completeness refusals this run acknowledges: source ids or source:period (ingest.completeness)
    accept_fewer_rows: tuple[str, ...] = ()

    @property
    def landing_dir(self) -> Path:
        """Content-addressed raw files and the fetch manifest."""
        return self.warehouse_dir / "raw"

    @property
    def releases_dir(self) -> Path:
        return self.warehouse_dir / "releases"

    @property
    def latest_link(self) -> Path:
        """The `latest` symlink to the current release (what feeds and portals read)."""
        return self.releases_dir / "latest"

    def current_release(self) -> Path | None:
        """The release `latest` points at, or None before the first."""
        link = self.latest_link
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    @property
    def gx_dir(self) -> Path:
        """The Great Expectations file context the suites in expectations/ are built into."""
        return self.warehouse_dir / "gx"

    @property
    def dbt_project_dir(self) -> Path:
        return DBT_PROJECT_DIR

    @property
    def dbt_profiles(self) -> Path:
        return self.dbt_profiles_dir or self.dbt_project_dir

    @property
    def dbt_target_dir(self) -> Path:
        return self.warehouse_dir / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.warehouse_dir / "dbt" / "logs"

    @property
    def run_state_dir(self) -> Path:
        """Where tasks leave what the `make run` summary reads (last error, last release)."""
        return self.warehouse_dir / "runs"

    @property
    def staging_dir(self) -> Path:
        """Exports under validation before they become a release (write, audit, publish)."""
        return self.warehouse_dir / "staging"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {value!r}") from exc


def get() -> Settings:
    """Settings from the environment. Not cached: reading it is cheap and tests change it."""
    # the default region keeps data/; another region builds side by side in data/regions/<name>/
    region = os.environ.get("WHOLEPLACE_REGION", "").strip() or DEFAULT_REGION
    samples = _flag("WHOLEPLACE_SAMPLES")
    default_dir = DATA_DIR if region == DEFAULT_REGION else DATA_DIR / "regions" / region
    if samples:  # the demo with synthetic samples builds beside the real warehouse, never in it
        default_dir = default_dir / "demo"
    warehouse_dir = _env_path("WHOLEPLACE_WAREHOUSE_DIR", default_dir)
    mode = os.environ.get("WHOLEPLACE_MODE", "snapshot").strip().lower()
    if mode not in ("snapshot", "live"):
        raise ConfigError(f"WHOLEPLACE_MODE must be 'snapshot' or 'live', got {mode!r}")
    mirror = os.environ.get("WHOLEPLACE_MIRROR_URL", "").strip().rstrip("/") or None
    return Settings(
        project_dir=PROJECT_DIR,
        region=region,
        warehouse_dir=warehouse_dir,
        duckdb_path=_env_path("WHOLEPLACE_DUCKDB_PATH", warehouse_dir / "wholeplace.duckdb"),
        snapshot_dir=_env_path("WHOLEPLACE_SNAPSHOT_DIR", PROJECT_DIR / "ingest" / "snapshots"),
        mode=mode,  # type: ignore[arg-type]
        mirror_url=mirror,
        connect_timeout_s=_env_float("WHOLEPLACE_CONNECT_TIMEOUT", 10.0),
        read_timeout_s=_env_float("WHOLEPLACE_READ_TIMEOUT", 60.0),
        max_download_bytes=int(_env_float("WHOLEPLACE_MAX_DOWNLOAD_MB", 200) * 1024 * 1024),
        http_retries=int(_env_float("WHOLEPLACE_HTTP_RETRIES", 4)),
        http_backoff_s=_env_float("WHOLEPLACE_HTTP_BACKOFF", 1.0),
        user_agent=os.environ.get(
            "WHOLEPLACE_USER_AGENT", "wholeplace/0.1 (+https://github.com/wholeplace/wholeplace)"
        ),
        fetch_deadline_s=_env_float("WHOLEPLACE_FETCH_DEADLINE", 600.0),
        mirror_allow_link_local=_flag("WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL"),
        duckdb_memory_limit=_memory_limit(os.environ.get("WHOLEPLACE_DUCKDB_MEMORY_LIMIT", "1GB")),
        dbt_target=os.environ.get("WHOLEPLACE_DBT_TARGET", "").strip() or "embedded",
        dbt_profiles_dir=_env_path("WHOLEPLACE_DBT_PROFILES_DIR", DBT_PROJECT_DIR),
        dbt_threads=_positive_int("WHOLEPLACE_DBT_THREADS", 4),
        samples=samples,
        accept_fewer_rows=tuple(
            x for x in re.split(r"[\s,]+", os.environ.get("WHOLEPLACE_ACCEPT_FEWER_ROWS", "").strip()) if x
        ),
    )


def task_timeout(task: str) -> timedelta:
    """The execution_timeout of an Airflow task (TASK_TIMEOUT_MINUTES, or its environment override)."""
    name = f"WHOLEPLACE_TASK_TIMEOUT_{task.upper()}"
    minutes = _env_float(name, TASK_TIMEOUT_MINUTES[task])
    if minutes <= 0:
        raise ConfigError(f"{name} must be a positive number of minutes, got {minutes:g}")
    return timedelta(minutes=minutes)


def _flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ConfigError(f"{name} must be 1 or 0 (true or false), got {value!r}")


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, got {value!r}")
    return int(value)


def _memory_limit(value: str) -> str:
    text = value.strip().upper().replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d+)?(KB|MB|GB|TB|KIB|MIB|GIB|TIB)", text):
        raise ConfigError(f"WHOLEPLACE_DUCKDB_MEMORY_LIMIT must be a size such as 1GB or 512MB, got {value!r}")
    return text


def move_legacy_data() -> list[str]:
    """Runtime data a checkout from before data/ kept in warehouse/, moved to data/ (the same
    names inside): the names moved. Nothing is moved over something data/ already holds."""
    moved = []
    for name in LEGACY_DATA_ENTRIES:
        old, new = LEGACY_DATA_DIR / name, DATA_DIR / name
        if (old.exists() or old.is_symlink()) and not (new.exists() or new.is_symlink()):
            DATA_DIR.mkdir(exist_ok=True)
            old.rename(new)
            moved.append(name)
    return moved
