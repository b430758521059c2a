"""Spending over £500 through dbt: fct_spend500_payment is incremental by file. A build after new
or changed files touches only their rows; a build with nothing new rewrites nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from core import settings as settings_mod
from core.dbt import run_dbt
from ingest.sources import spend500, wmca_spend

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "spend500"
# the councils' payments meet the combined authority's (empty here) in int_payments_unioned
SELECT = [
    "build",
    "--indirect-selection",
    "cautious",
    "--select",
    "stg_spend500__payments",
    "stg_wmca_spend__payments",
    "int_payments_unioned",
]
SELECT += ["fct_spend500_payment"]


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("WHOLEPLACE_DUCKDB_PATH", raising=False)
    got = settings_mod.get()
    got.warehouse_dir.mkdir(parents=True)
    return got


def load(settings, *files: spend500.SpendFile) -> None:
    with duckdb.connect(str(settings.duckdb_path)) as con:
        spend500.load_files(con, list(files), settings.warehouse_dir)
        wmca_spend.load_files(con, [])  # its tables, empty


def query(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_build_adds_new_files_replaces_changed_ones_and_leaves_the_rest_alone(settings, tmp_path):
    manchester = spend500.SpendFile("manchester_2019-05.csv", FIXTURES / "manchester_2019-05_excerpt.csv")
    salford = spend500.SpendFile("salford_2019-04.csv", FIXTURES / "salford_2019-04_excerpt.csv")
    load(settings, manchester, salford)
    run_dbt(SELECT, settings)
    assert query(settings, "select source_file, count(*) from marts.fct_spend500_payment group by 1 order by 1") == [
        ("manchester_2019-05.csv", 8),
        ("salford_2019-04.csv", 7),
    ]
    # mark the built rows: an incremental build must not rewrite the files that did not change
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("update marts.fct_spend500_payment set expense_type = 'NOT REWRITTEN'")

    run_dbt(SELECT, settings)  # nothing new
    assert query(settings, "select distinct expense_type from marts.fct_spend500_payment") == [("NOT REWRITTEN",)]

    shorter = tmp_path / "manchester_2019-05.csv"  # the council republishes May with 2 rows
    shorter.write_text("\n".join(manchester.path.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    card = spend500.SpendFile("calderdale_2019-04-card.csv", FIXTURES / "calderdale_2019-04-card_excerpt.csv")
    load(settings, spend500.SpendFile("manchester_2019-05.csv", shorter), salford, card)
    run_dbt(SELECT, settings)

    rows = query(
        settings,
        "select source_file, count(*), count(*) filter (where expense_type = 'NOT REWRITTEN') "
        "from marts.fct_spend500_payment group by 1 order by 1",
    )
    assert rows == [
        ("calderdale_2019-04-card.csv", 5, 0),  # new
        ("manchester_2019-05.csv", 2, 0),  # replaced by its new content
        ("salford_2019-04.csv", 7, 7),  # unchanged: not rewritten
    ]
    assert query(settings, "select count(*) from marts.fct_spend500_payment") == query(
        settings, "select count(*) from raw.spend500"
    )
