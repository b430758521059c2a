"""core.db's small writers: many rows in one statement, and small tables from records."""

from __future__ import annotations

import duckdb
import pytest

from core import db


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def test_insert_rows_writes_every_row_across_chunks_and_keeps_keys_unique(con):
    con.execute("create table t (k VARCHAR primary key, n BIGINT, loaded_at TIMESTAMPTZ)")
    rows = [[f"k{i}", i] for i in range(db.INSERT_CHUNK * 2 + 7)]

    db.insert_rows(con, "insert or replace into t (k, n, loaded_at)", rows, row="(?, ?, now())")
    db.insert_rows(con, "insert or replace into t (k, n, loaded_at)", [["k3", -3]], row="(?, ?, now())")

    assert con.execute("select count(*), sum(n), count(loaded_at) from t").fetchall() == [
        (len(rows), sum(range(len(rows))) - 3 - 3, len(rows))
    ]


def test_insert_rows_with_nothing_to_insert_does_nothing(con):
    con.execute("create table t (k VARCHAR)")

    db.insert_rows(con, "insert into t", [], row="(?)")

    assert con.execute("select count(*) from t").fetchall() == [(0,)]


def test_replace_table_types_columns_from_their_values_and_replaces_what_was_there(con):
    con.execute("create schema raw; create table raw.t as select 1 as old")

    db.replace_table(
        con,
        "raw.t",
        [
            {"code": "E08000025", "is_current": True, "n": 7, "note": None},
            {"code": "E08000026", "is_current": False, "n": 8, "note": "x"},
        ],
    )

    assert [(c, t) for c, t, *_ in con.execute("describe raw.t").fetchall()] == [
        ("code", "VARCHAR"),
        ("is_current", "BOOLEAN"),
        ("n", "BIGINT"),
        ("note", "VARCHAR"),
    ]
    assert con.execute("select * from raw.t order by code").fetchall() == [
        ("E08000025", True, 7, None),
        ("E08000026", False, 8, "x"),
    ]


def test_replace_table_refuses_no_records_and_leaves_the_table_alone(con):
    con.execute("create table t as select 1 as n")

    with pytest.raises(ValueError, match="no records for t"):
        db.replace_table(con, "t", [])

    assert con.execute("select n from t").fetchall() == [(1,)]
