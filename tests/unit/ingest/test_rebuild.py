"""Losing the warehouse file loses nothing: the landing zone keeps every file ever fetched and a
ledger of what was loaded (raw/loads.jsonl), so a run that finds wholeplace.duckdb missing rebuilds
it, vintage history included, and says so; a damaged file gets a clear message and a recovery
command."""

from __future__ import annotations

import logging

import duckdb
import pytest

from core.db import connect
from core.errors import WholeplaceError
from ingest.run import ingest_source
from tests.reliability.report import record_hardening
from tests.unit.ingest.test_completeness import MYE_2024, snapshots, truncate_at_a_line_break  # noqa: F401


def vintages(settings) -> tuple[list, list]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        current = con.execute(
            "select distinct _source_file_sha256 from raw.ons_mid_year_estimates where _period = '2024'"
        ).fetchall()
        older = con.execute(
            "select _source_file_sha256, count(*) from raw_vintages.ons_mid_year_estimates "
            "where _period = '2024' group by 1 order by 1"
        ).fetchall()
    return current, older


def restate(path) -> None:
    """The same file with one figure revised (County Durham's population): a new vintage."""
    text = path.read_bytes()
    assert text.count(b"E06000047,County Durham,Unitary Authority,538011,") == 1
    path.write_bytes(
        text.replace(b"County Durham,Unitary Authority,538011,", b"County Durham,Unitary Authority,538012,")
    )


def test_a_lost_warehouse_file_is_rebuilt_with_its_vintage_history_and_the_run_says_so(
    snapshots,  # noqa: F811
    warehouse_settings,
    caplog,
    recorder,
):
    (first,) = ingest_source("ons_mid_year_estimates", ["2024"])
    restate(snapshots / MYE_2024)
    (second,) = ingest_source("ons_mid_year_estimates", ["2024"])
    before = vintages(warehouse_settings)
    assert before == ([(second.sha256,)], [(first.sha256, first.rows)])

    warehouse_settings.duckdb_path.unlink()
    caplog.set_level(logging.INFO)
    (again,) = ingest_source("ons_mid_year_estimates", ["2024"])

    assert again.loaded and again.sha256 == second.sha256
    assert vintages(warehouse_settings) == before  # the older vintage is back, not silently gone
    assert "rebuilding the vintage history from the landing zone" in caplog.text
    record_hardening(
        recorder,
        "the warehouse file deleted",
        f"rebuilt from the landing zone with its vintage history ({first.rows} rows of the older vintage back in "
        "raw_vintages), and the run says so",
    )


def test_an_acknowledged_restatement_replays_without_a_new_acknowledgement(
    snapshots,  # noqa: F811
    warehouse_settings,
    monkeypatch,
):
    ingest_source("ons_mid_year_estimates", ["2024"])
    truncate_at_a_line_break(snapshots / MYE_2024, 0.5)
    monkeypatch.setenv("WHOLEPLACE_ACCEPT_FEWER_ROWS", "ons_mid_year_estimates")
    (accepted,) = ingest_source("ons_mid_year_estimates", ["2024"])
    monkeypatch.delenv("WHOLEPLACE_ACCEPT_FEWER_ROWS")

    warehouse_settings.duckdb_path.unlink()
    (again,) = ingest_source("ons_mid_year_estimates", ["2024"])  # no flag: the ledger says it was acknowledged

    assert again.loaded and again.sha256 == accepted.sha256
    with duckdb.connect(str(warehouse_settings.duckdb_path), read_only=True) as con:
        recorded = con.execute("select sha256 from raw.completeness_acknowledgements").fetchall()
    assert recorded == [(accepted.sha256,)]


def test_a_damaged_warehouse_file_is_named_with_the_recovery_command(warehouse_settings, recorder):
    warehouse_settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    warehouse_settings.duckdb_path.write_bytes(b"not a database " * 512)
    for write in (False, True):
        with pytest.raises(WholeplaceError) as failed, connect(warehouse_settings.duckdb_path, write=write):
            pass
        message = str(failed.value)
        assert str(warehouse_settings.duckdb_path) in message and "cannot be opened" in message
        assert "make recover" in message
    record_hardening(
        recorder,
        "the warehouse file damaged",
        "refused naming the file, then: " + message[message.index("Recover with") :],
    )


def test_a_warehouse_loaded_before_the_ledger_existed_gets_one_from_its_vintages(
    snapshots,  # noqa: F811
    warehouse_settings,
):
    from core.landing import loads_path

    (first,) = ingest_source("ons_mid_year_estimates", ["2024"])
    restate(snapshots / MYE_2024)
    (second,) = ingest_source("ons_mid_year_estimates", ["2024"])
    before = vintages(warehouse_settings)
    loads_path(warehouse_settings.landing_dir).unlink()  # as a deployment from before the ledger
    ingest_source("ons_mid_year_estimates", ["2024"])  # nothing new to load: the ledger is written from the warehouse
    shas = [
        line.split('"sha256": "')[1][:64]
        for line in loads_path(warehouse_settings.landing_dir).read_text().splitlines()
    ]
    assert shas == [first.sha256, second.sha256]

    warehouse_settings.duckdb_path.unlink()
    ingest_source("ons_mid_year_estimates", ["2024"])
    assert vintages(warehouse_settings) == before
