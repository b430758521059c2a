"""Shape checks for docker-compose.yml, the Dockerfile and .env.example.

No Docker engine runs here, so these read the files (PyYAML, tomllib, text) and check the shape the
official Airflow 3 docker-compose file has, plus what this project adds: its packages mounted and
importable, the one-slot DuckDB pool, and an image whose Airflow matches the lock. The file is also
validated against the Compose specification's JSON schema (check-jsonschema's vendored copy).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS = ROOT / "core" / "settings.py"

# Every service the official Airflow 3 file (airflow-core/docs/howto/docker-compose/docker-compose.yaml) has.
UPSTREAM_SERVICES = {
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
    "airflow-cli",
    "flower",
}
AIRFLOW_SERVICES = sorted(s for s in UPSTREAM_SERVICES if s.startswith("airflow-") or s == "flower")
LONG_RUNNING = [
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
]
PROJECT_MOUNT = "/opt/wholeplace"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # safe_load resolves the anchors and `<<` merges


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "use the mapping form so the x-airflow-common env merges"
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _defaults(value: str) -> str:
    """`${VAR:-default}` -> default: the value compose uses when the operator sets nothing."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}", lambda m: m.group(1) or "", value)


def _mounts(service: dict) -> dict[str, str]:
    """container path -> host path (defaults applied), for the short `host:container[:mode]` volume syntax."""
    out = {}
    for volume in service.get("volumes", []):
        host, container, *_ = _defaults(volume).split(":")
        out[container] = host
    return out


def _init_script(services: dict) -> str:
    command = services["airflow-init"]["command"]
    return command if isinstance(command, str) else "\n".join(command)


def _lock_version(package: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    versions = [p["version"] for p in lock["package"] if p["name"] == package]
    assert len(versions) == 1, f"uv.lock should pin exactly one {package}, got {versions}"
    return versions[0]


def test_every_upstream_service_exists(services: dict) -> None:
    assert UPSTREAM_SERVICES <= set(services), UPSTREAM_SERVICES - set(services)
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-triggerer"]["command"] == "triggerer"
    assert services["airflow-cli"]["profiles"] == ["debug"]
    assert services["flower"]["profiles"] == ["flower"]


def test_common_anchor_shared_by_every_airflow_service(compose: dict, services: dict) -> None:
    common = compose["x-airflow-common"]
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["image"] == common["image"], name
        assert service["volumes"] == common["volumes"], name
        for key, value in _env(common).items():
            if key == "_PIP_ADDITIONAL_REQUIREMENTS":  # upstream's init blanks it
                continue
            assert _env(service).get(key) == value, f"{name}: {key}"


@pytest.mark.parametrize("name", LONG_RUNNING + ["postgres", "redis"])
def test_long_running_services_have_healthchecks_and_restart(services: dict, name: str) -> None:
    assert services[name]["healthcheck"]["test"], name
    assert services[name]["restart"] == "always"


def test_services_wait_for_init_and_backing_stores(services: dict) -> None:
    for name in LONG_RUNNING:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


def test_celery_executor_with_postgres_metadata_and_redis_broker(compose: dict) -> None:
    env = _env(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert "@postgres/" in env["AIRFLOW__CELERY__RESULT_BACKEND"]
    assert re.fullmatch(r"redis://[^/]*@?redis:6379/\d+", env["AIRFLOW__CELERY__BROKER_URL"])
    # Airflow 3: workers run tasks through the API server's execution API, authenticated by JWTs.
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"


def test_image_built_from_dockerfile_and_uid_as_upstream(compose: dict) -> None:
    common = compose["x-airflow-common"]
    assert common["build"] == "."
    assert common["image"].endswith("wholeplace-airflow:latest}")
    assert common["user"] == "${AIRFLOW_UID:-50000}:0"
    assert "${AIRFLOW_UID}" in _init_script(compose["services"])  # upstream's AIRFLOW_UID warning + chown


def test_dags_folder_mounted_from_repo(compose: dict) -> None:
    common = compose["x-airflow-common"]
    dags = _env(common)["AIRFLOW__CORE__DAGS_FOLDER"]
    assert dags == "/opt/airflow/dags"
    assert _mounts(common)[dags] == "./dags"
    assert (ROOT / "dags").is_dir()


def test_pipeline_packages_mounted_and_importable(compose: dict) -> None:
    common = compose["x-airflow-common"]
    mounts = _mounts(common)
    env = _env(common)
    assert PROJECT_MOUNT in env["PYTHONPATH"].split(":")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert {"core", "ingest", "warehouse", "expectations"} <= set(packages)
    # Same layout as the repository, so core/settings.py's PROJECT_DIR (/opt/wholeplace) finds dbt_project/.
    for directory in [*packages, "dbt_project"]:
        assert mounts.get(f"{PROJECT_MOUNT}/{directory}") == f"./{directory}", directory
        assert (ROOT / directory).is_dir(), directory
    for package in packages:
        assert (ROOT / package / "__init__.py").is_file(), package
    # The image works without the mounts too.
    dockerfile = DOCKERFILE.read_text()
    assert re.search(rf"^ENV PYTHONPATH={PROJECT_MOUNT}\b", dockerfile, re.MULTILINE)


def test_every_project_folder_the_pipeline_reads_is_mounted_and_in_the_image(compose: dict) -> None:
    """What a deployment must ship: the folders of the code and configuration that turn landed files
    into releases (the pipeline's inputs fingerprint lists them) and the DAGs."""
    from warehouse.pipeline import code_roots

    needed = sorted(code_roots())
    assert {"core", "ingest", "warehouse", "expectations", "dbt_project", "regions"} <= set(needed)
    mounts = _mounts(compose["x-airflow-common"])
    copied = dict(re.findall(r"^COPY --chown=\S+ (\S+) (\S+)$", DOCKERFILE.read_text(), re.MULTILINE))
    for folder in needed:
        assert mounts.get(f"{PROJECT_MOUNT}/{folder}") == f"./{folder}", f"docker-compose.yml does not mount {folder}/"
        assert copied.get(folder) == f"./{folder}", f"the Dockerfile does not copy {folder}/"
    assert copied.get("dags") == "/opt/airflow/dags"


def test_warehouse_runtime_dir_shared_by_every_worker(compose: dict) -> None:
    common = compose["x-airflow-common"]
    env = _env(common)
    assert env["WHOLEPLACE_WAREHOUSE_DIR"] == f"{PROJECT_MOUNT}/data"
    assert _mounts(common)[env["WHOLEPLACE_WAREHOUSE_DIR"]] == "./data"
    assert env["WHOLEPLACE_MODE"] == "${WHOLEPLACE_MODE:-snapshot}"
    assert "WHOLEPLACE_MIRROR_URL" in env


def test_every_wholeplace_env_var_in_compose_is_read_by_settings(compose: dict) -> None:
    settings = SETTINGS.read_text()
    names = [k for k in _env(compose["x-airflow-common"]) if k.startswith("WHOLEPLACE_")]
    assert names
    for name in names:
        assert f'"{name}"' in settings, f"{name} is set in docker-compose.yml but never read in core/settings.py"


def test_init_migrates_creates_admin_and_the_duckdb_pool(services: dict) -> None:
    init = services["airflow-init"]
    env = _env(init)
    assert env["_AIRFLOW_DB_MIGRATE"] == "true"
    assert env["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert env["_AIRFLOW_WWW_USER_USERNAME"] == "${_AIRFLOW_WWW_USER_USERNAME:-airflow}"
    assert env["_AIRFLOW_WWW_USER_PASSWORD"] == "${_AIRFLOW_WWW_USER_PASSWORD:-airflow}"
    assert init["user"] == "0:0"
    assert init["entrypoint"] == "/bin/bash"

    script = _init_script(services)
    pool_lines = [line for line in script.splitlines() if "pools set" in line]
    assert len(pool_lines) == 1, pool_lines
    args = shlex.split(pool_lines[0])
    i = args.index("pools")
    assert args[i - 1] == "airflow" and args[i + 1] == "set"
    name, slots, description = args[i + 2 : i + 5]
    assert slots == "1"
    assert "one writer" in description
    # The pool the DAGs take is the one init creates.
    assets = (ROOT / "dags" / "assets.py").read_text()
    assert re.search(rf'^WAREHOUSE_POOL\s*=\s*"{re.escape(name)}"', assets, re.MULTILINE)
    assert name == "wholeplace_duckdb"
    # ... after the entrypoint has migrated the metadata database (it does so on `airflow version`).
    assert script.index("/entrypoint airflow version") < script.index("pools set")


def test_dockerfile_airflow_matches_the_lock() -> None:
    dockerfile = DOCKERFILE.read_text()
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, re.MULTILINE)
    assert len(bases) == 1, bases
    match = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python(\d+)\.(\d+)", bases[0])
    assert match, f"pin the base image's Airflow and Python: {bases[0]}"
    assert match.group(1) == _lock_version("apache-airflow")
    python = (int(match.group(2)), int(match.group(3)))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == (3, 11) and requires == ">=3.11,<3.12", (python, requires)


def test_dockerfile_installs_the_lock_without_resolving() -> None:
    dockerfile = DOCKERFILE.read_text()
    assert "COPY --chown=airflow:0 pyproject.toml uv.lock ./" in dockerfile
    assert re.search(r"uv export --frozen --no-dev --no-emit-project --no-hashes", dockerfile)
    assert "--no-deps -r" in dockerfile
    for forbidden in ("uv lock", "uv sync", "--upgrade"):
        assert forbidden not in dockerfile, forbidden


def test_env_example_wholeplace_vars_are_read_by_settings() -> None:
    settings = SETTINGS.read_text()
    names = re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE)
    assert {"AIRFLOW_UID", "_AIRFLOW_WWW_USER_USERNAME", "_AIRFLOW_WWW_USER_PASSWORD"} <= set(names)
    wholeplace = [n for n in names if n.startswith("WHOLEPLACE_")]
    expected = {
        "WHOLEPLACE_MODE",
        "WHOLEPLACE_MIRROR_URL",
        "WHOLEPLACE_WAREHOUSE_DIR",
        "WHOLEPLACE_CONNECT_TIMEOUT",
        "WHOLEPLACE_READ_TIMEOUT",
        "WHOLEPLACE_MAX_DOWNLOAD_MB",
        "WHOLEPLACE_HTTP_RETRIES",
        "WHOLEPLACE_HTTP_BACKOFF",
    }
    assert expected <= set(wholeplace)
    for name in wholeplace:
        assert f'"{name}"' in settings, f"{name} is in .env.example but never read in core/settings.py"


def test_dockerignore_keeps_runtime_data_and_environments_out() -> None:
    entries = {line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip()}
    for entry in (".venv", ".airflow", ".git", ".env", "**/__pycache__", "**/*.duckdb", "data"):
        assert entry in entries, entry


# ---- the Compose specification's own JSON schema --------------------------------------------------


def _check_against_compose_spec(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with the Compose specification schema it vendors (compose-spec/compose-spec's
    schema/compose-spec.json), from the locked dev dependencies: no Docker engine, no network."""
    binary = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(binary), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_docker_compose_is_valid_against_the_compose_specification_schema() -> None:
    checked = _check_against_compose_spec(COMPOSE)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok -- validation done" in checked.stdout


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        (lambda c: c["services"]["postgres"].update(restart_policy="always"), "restart_policy"),
        (lambda c: c["services"]["redis"].update(depends_on=5), "services.redis.depends_on"),
        (lambda c: c.update(volumez={"data": {}}), "volumez"),
    ],
    ids=["unknown-service-key", "wrong-type", "unknown-top-level-key"],
)
def test_the_schema_check_refuses_a_broken_compose_file(tmp_path: Path, breakage, complaint: str) -> None:
    broken = yaml.safe_load(COMPOSE.read_text())
    breakage(broken)
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False))

    checked = _check_against_compose_spec(path)

    assert checked.returncode != 0
    assert complaint in checked.stdout + checked.stderr
