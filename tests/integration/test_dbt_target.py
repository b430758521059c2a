"""dbt's target and profiles come from configuration: WHOLEPLACE_DBT_TARGET picks an output of
profile `wholeplace`, WHOLEPLACE_DBT_PROFILES_DIR another profiles.yml (a deployment's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

import core.settings
from core.dbt import dbt_env, run_dbt
from core.errors import WholeplaceError

pytestmark = pytest.mark.integration


@pytest.fixture
def settings_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WHOLEPLACE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    for name in ("WHOLEPLACE_DBT_TARGET", "WHOLEPLACE_DBT_THREADS", "WHOLEPLACE_DBT_PROFILES_DIR"):
        monkeypatch.delenv(name, raising=False)

    def make(**env: str) -> core.settings.Settings:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return core.settings.get()

    return make


def test_by_default_dbt_builds_the_committed_embedded_target(settings_for):
    env = dbt_env(settings_for())
    assert (env["DBT_TARGET"], env["WHOLEPLACE_DBT_THREADS"]) == ("embedded", "4")
    assert Path(env["DBT_PROFILES_DIR"]) == core.settings.PROJECT_DIR / "dbt_project"


def test_the_target_threads_and_profiles_folder_come_from_the_environment(settings_for, tmp_path):
    env = dbt_env(
        settings_for(
            WHOLEPLACE_DBT_TARGET="deployment", WHOLEPLACE_DBT_THREADS="8", WHOLEPLACE_DBT_PROFILES_DIR=str(tmp_path)
        )
    )
    assert (env["DBT_TARGET"], env["WHOLEPLACE_DBT_THREADS"], env["DBT_PROFILES_DIR"]) == (
        "deployment",
        "8",
        str(tmp_path),
    )


def test_threads_must_be_a_positive_whole_number(settings_for):
    with pytest.raises(ValueError, match="WHOLEPLACE_DBT_THREADS must be a whole number of at least 1, got 'four'"):
        settings_for(WHOLEPLACE_DBT_THREADS="four")


@pytest.mark.parametrize("target", ["embedded", "deployment"])
def test_dbt_connects_with_each_committed_target(settings_for, target):
    run_dbt(["debug"], settings_for(WHOLEPLACE_DBT_TARGET=target))  # raises unless every check passes


def test_a_deployments_own_profiles_yml_is_used(settings_for, tmp_path):
    own = tmp_path / "secrets"
    own.mkdir()
    (own / "profiles.yml").write_text(
        "wholeplace:\n"
        "  target: analytics\n"
        "  outputs:\n"
        "    analytics:\n"
        "      type: duckdb\n"
        "      path: \"{{ env_var('WHOLEPLACE_DUCKDB_PATH') }}\"\n"
        "      threads: 2\n"
    )
    settings = settings_for(WHOLEPLACE_DBT_PROFILES_DIR=str(own), WHOLEPLACE_DBT_TARGET="analytics")
    run_dbt(["debug"], settings)
    with pytest.raises(WholeplaceError, match="target 'embedded' of profile 'wholeplace' in .*secrets/profiles.yml"):
        run_dbt(["debug"], settings_for(WHOLEPLACE_DBT_TARGET="embedded"))


def test_an_unknown_target_fails_naming_it_and_the_valid_ones(settings_for):
    with pytest.raises(WholeplaceError) as failed:
        run_dbt(["debug"], settings_for(WHOLEPLACE_DBT_TARGET="warehouse2"))
    message = str(failed.value)
    assert "target 'warehouse2' of profile 'wholeplace'" in message
    assert "does not have a target named 'warehouse2'" in message
    assert "- embedded" in message and "- deployment" in message
