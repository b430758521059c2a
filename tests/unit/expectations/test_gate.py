"""expectations.gate: suites run through a GX checkpoint on a tiny DuckDB warehouse in tmp_path."""

from __future__ import annotations

import duckdb
import pytest

from core.errors import ValidationFailed
from core.settings import Settings
from expectations.checks import Batch, Suite, between, in_set, not_null, rows_between
from expectations.gate import GateResult, run_gate


@pytest.fixture
def warehouse(warehouse_settings: Settings) -> Settings:
    warehouse_settings.duckdb_path.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse_settings.duckdb_path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.t (area_code varchar, value integer, _source_file varchar, _source_row integer)")
        con.execute(
            "insert into raw.t values "
            "('E08000025', 10, 'demo_2023-24.csv', 2), "
            "('E08000026', 20, 'demo_2023-24.csv', 3), "
            "('E08000027', 999, 'demo_2023-24.csv', 4)"
        )
        con.execute("create table raw.empty (area_code varchar, value integer)")
    return warehouse_settings


def test_a_passing_suite_succeeds_and_builds_data_docs(warehouse: Settings) -> None:
    suite = Suite(
        name="raw_t",
        batches=(
            Batch(
                name="raw_t",
                query="select * from raw.t",
                expectations=lambda: [rows_between(1, 10), not_null("area_code"), between("value", 0, 1000)],
            ),
        ),
    )

    result = run_gate([suite], checkpoint_name="raw_t_checkpoint", settings=warehouse)

    assert isinstance(result, GateResult)
    assert (result.success, result.evaluated, result.failed, result.skipped) == (True, 3, (), ())
    assert result.batch_rows == {"raw_t": 3}
    assert result.docs_index is not None
    assert result.docs_index.name == "index.html"
    assert result.docs_index.is_file()
    assert result.docs_index.is_relative_to(warehouse.gx_dir)
    assert result.summary() == "raw_t_checkpoint: 3/3 expectations passed"


def test_a_failing_range_raises_naming_batch_column_and_source_row(warehouse: Settings) -> None:
    suite = Suite(
        name="raw_t",
        batches=(
            Batch(
                name="raw_t",
                query="select * from raw.t",
                expectations=lambda: [not_null("area_code"), between("value", 0, 100)],
            ),
        ),
    )

    with pytest.raises(ValidationFailed) as err:
        run_gate([suite], checkpoint_name="raw_t_checkpoint", settings=warehouse)

    message = str(err.value)
    assert "'raw_t_checkpoint' failed (1 of 2 expectations)" in message
    assert "raw_t.value: expect_column_values_to_be_between failed" in message
    assert "demo_2023-24.csv row 4" in message
    assert "999" in message
    assert "row 2" not in message and "row 3" not in message, "only the offending row is named"

    result = run_gate([suite], checkpoint_name="raw_t_checkpoint", settings=warehouse, raise_on_failure=False)
    assert not result.success
    assert [(f.batch, f.column) for f in result.failed] == [("raw_t", "value")]


def test_a_batch_without_lineage_columns_is_validated_with_added_ones(warehouse: Settings) -> None:
    suite = Suite(
        name="derived",
        batches=(
            Batch(
                name="area_totals",
                query="select area_code, sum(value) as total from raw.t group by all order by area_code",
                expectations=lambda: [in_set("area_code", ["E08000025", "E08000026"])],
            ),
        ),
    )

    with pytest.raises(ValidationFailed) as err:
        run_gate([suite], checkpoint_name="derived_checkpoint", settings=warehouse)

    # the gate names the batch as the file and numbers its rows from 1
    assert "area_totals.area_code: expect_column_values_to_be_in_set failed" in str(err.value)
    assert "area_totals row 3" in str(err.value)


def test_skip_if_empty_batches_on_an_empty_table_are_skipped(warehouse: Settings) -> None:
    suite = Suite(
        name="mixed",
        batches=(
            Batch(
                name="live_only",
                query="select * from raw.empty",
                expectations=lambda: [rows_between(1, 10)],  # would fail if it ran
                skip_if_empty=True,
            ),
            Batch(name="raw_t", query="select * from raw.t", expectations=lambda: [rows_between(1, 10)]),
        ),
    )

    result = run_gate([suite], checkpoint_name="mixed_checkpoint", settings=warehouse)

    assert (result.success, result.evaluated, result.skipped) == (True, 1, ("live_only",))
    assert result.batch_rows == {"live_only": 0, "raw_t": 3}
    assert "1 empty batches skipped: live_only" in result.summary()


def test_an_empty_batch_without_skip_if_empty_fails_its_row_count(warehouse: Settings) -> None:
    suite = Suite(
        name="empty",
        batches=(
            Batch(name="empty_batch", query="select * from raw.empty", expectations=lambda: [rows_between(1, 10)]),
        ),
    )

    with pytest.raises(ValidationFailed, match=r"empty_batch: expect_table_row_count_to_be_between failed: observed 0"):
        run_gate([suite], checkpoint_name="empty_checkpoint", settings=warehouse)


def test_a_context_left_unreadable_by_a_killed_run_does_not_stop_the_next(warehouse: Settings) -> None:
    """kill -9 while GX rewrote its config once left an empty great_expectations.yml that failed
    every later run; each run now builds its own context and swaps it in only after it has run."""
    suite = Suite(
        name="raw_t",
        batches=(Batch(name="raw_t", query="select * from raw.t", expectations=lambda: [rows_between(1, 10)]),),
    )
    first = run_gate([suite], checkpoint_name="raw_t_checkpoint", settings=warehouse)
    # what a kill leaves: a half-built context (its config truncated) and a half-swapped old one
    for leftover in (".raw_t_checkpoint.building", ".raw_t_checkpoint.replaced"):
        (warehouse.gx_dir / leftover / "gx").mkdir(parents=True)
        (warehouse.gx_dir / leftover / "gx" / "great_expectations.yml").write_text("")
    for config in warehouse.gx_dir.rglob("great_expectations.yml"):
        config.write_text("")  # and any context already in place is never read again

    again = run_gate([suite], checkpoint_name="raw_t_checkpoint", settings=warehouse)

    assert again.success and again.docs_index == first.docs_index and again.docs_index.is_file()
    assert sorted(p.name for p in warehouse.gx_dir.iterdir()) == ["raw_t_checkpoint"]
    # the docs show the run that just gated, not every run before it
    validations = warehouse.gx_dir / "raw_t_checkpoint" / "gx" / "uncommitted" / "validations"
    assert len([p for p in validations.rglob("*.json")]) == 1


def test_data_docs_are_built_for_a_failed_run_even_when_not_asked_for_a_passing_one(warehouse: Settings) -> None:
    passing = Suite(
        name="raw_t",
        batches=(Batch(name="raw_t", query="select * from raw.t", expectations=lambda: [rows_between(1, 10)]),),
    )
    failing = Suite(
        name="raw_t",
        batches=(Batch(name="raw_t", query="select * from raw.t", expectations=lambda: [rows_between(5, 10)]),),
    )
    quiet = run_gate([passing], checkpoint_name="quiet", settings=warehouse, docs_on_success=False)
    loud = run_gate(
        [failing], checkpoint_name="loud", settings=warehouse, docs_on_success=False, raise_on_failure=False
    )

    assert quiet.success and quiet.docs_index is None
    assert not list((warehouse.gx_dir / "quiet").rglob("*.html"))
    assert not loud.success and loud.docs_index is not None and loud.docs_index.is_file()
