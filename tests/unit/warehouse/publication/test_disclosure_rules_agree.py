"""The disclosure rules are written twice, for two engines: the dbt macros (macros/disclosure.sql)
apply them in the warehouse, and warehouse/publication/disclosure.py applies them in Python (and
proves a suppressed cell cannot be recovered). Both are run here over every count up to 1,000,
halves and missing values: they must give the same published count and status."""

from __future__ import annotations

import duckdb
import jinja2
import pytest

from tests.paths import PROJECT_ROOT
from warehouse.publication.disclosure import round_or_suppress

MACROS = PROJECT_ROOT / "dbt_project" / "macros" / "disclosure.sql"
COUNTS = [None, *range(0, 1001), 0.4, 0.5, 6.5, 7.4, 7.5, 12.5, 12.49, 997.5]


@pytest.fixture(scope="module")
def sql_rules() -> dict:
    template = jinja2.Environment().from_string(
        MACROS.read_text(encoding="utf-8") + "{{ disclosed_count('n') }}\x00{{ disclosure_status(['n']) }}"
    )
    count_sql, status_sql = template.render().strip().split("\x00")
    con = duckdb.connect()
    con.execute("create table counts (n decimal(10, 2))")
    con.executemany("insert into counts values (?)", [[c] for c in COUNTS])
    rows = con.execute(f"select n, {count_sql}, {status_sql} from counts").fetchall()
    return {(None if n is None else float(n)): (count, status) for n, count, status in rows}


def test_the_macro_and_the_python_rules_agree(sql_rules):
    differ = {
        count: (sql_rules[None if count is None else float(count)], round_or_suppress(count))
        for count in COUNTS
        if sql_rules[None if count is None else float(count)] != round_or_suppress(count)
    }
    assert differ == {}, "count: (macro, python)"


def test_the_rules_are_the_published_ones(sql_rules):
    assert sql_rules[0.0] == (0, "published")
    assert {sql_rules[float(n)] for n in range(1, 8)} == {(None, "[c]")}
    assert sql_rules[8.0] == (10, "rounded") and sql_rules[12.5] == (15, "rounded")
