"""ingest.load: idempotent partition loads into raw.<source>, with lineage columns."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest

from core.catalogue import Partition, Source
from core.errors import SourceError
from core.landing import Landed
from ingest.load import META_COLUMNS, load_partition

COLUMNS = {"area_code": "VARCHAR", "value": "INTEGER", "_source_row": "INTEGER"}

SOURCE = Source(
    id="demo_source",
    family="council",
    publisher="A publisher",
    title="A title",
    landing_page="https://www.gov.uk/demo",
    format="CSV",
    licence="OGL-UK-3.0",
    attribution="Contains public sector information licensed under the Open Government Licence v3.0.",
    cadence="annual",
    synthetic=True,
    provenance="made up for a test",
    partitions=(Partition("2022-23", snapshot="demo/2022-23.csv"), Partition("2023-24", snapshot="demo/2023-24.csv")),
)


def landed(period: str, content: bytes) -> Landed:
    sha = hashlib.sha256(content).hexdigest()
    name = f"demo_{period}.csv"
    return Landed(
        source_id=SOURCE.id,
        period=period,
        url=f"snapshot://demo/{name}",
        origin_url=None,
        mirror_url=None,
        mode="snapshot",
        file_name=name,
        retrieved_at="2024-12-11T10:00:00.000000Z",
        sha256=sha,
        bytes=len(content),
        etag=None,
        last_modified=None,
        outcome="new",
        object_path=f"objects/{sha[:2]}/{sha}.csv",
    )


def frame(*rows: tuple[object, object]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"area_code": code, "value": value, "_source_row": i} for i, (code, value) in enumerate(rows, start=2)],
        columns=list(COLUMNS),
    )


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as c:
        yield c


def rows_by_period(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select _period, area_code, value, _source_file_sha256 from raw.demo_source order by _period, area_code"
    ).fetchall()


def test_load_creates_raw_table_with_parser_columns_then_lineage(con: duckdb.DuckDBPyConnection) -> None:
    file = landed("2023-24", b"v1")

    result = load_partition(con, SOURCE, file, frame(("E08000025", 10), ("E08000026", 20)), COLUMNS)

    assert (result.source_id, result.period, result.rows, result.loaded) == ("demo_source", "2023-24", 2, True)
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'demo_source' order by ordinal_position"
    ).fetchall()
    assert [c for c, _ in columns] == [
        "area_code",
        "value",
        "_source_row",
        "_source_id",
        "_period",
        "_source_file",
        "_source_file_sha256",
        "_source_url",
        "_loaded_at",
    ]
    assert dict(columns) == {**COLUMNS, **META_COLUMNS}
    lineage = con.execute(
        "select distinct _source_id, _period, _source_file, _source_file_sha256, _source_url from raw.demo_source"
    ).fetchall()
    assert lineage == [("demo_source", "2023-24", file.file_name, file.sha256, file.url)]
    assert con.execute("select list(_source_row order by _source_row) from raw.demo_source").fetchone()[0] == [2, 3]


def test_loading_the_same_file_again_is_a_noop(con: duckdb.DuckDBPyConnection) -> None:
    file = landed("2023-24", b"v1")
    load_partition(con, SOURCE, file, frame(("E08000025", 10), ("E08000026", 20)), COLUMNS)
    loaded_at = con.execute("select list(distinct _loaded_at) from raw.demo_source").fetchone()[0]

    again = load_partition(con, SOURCE, file, frame(("E08000025", 10), ("E08000026", 20)), COLUMNS)

    assert (again.loaded, again.rows) == (False, 2)
    assert con.execute("select list(distinct _loaded_at) from raw.demo_source").fetchone()[0] == loaded_at
    assert con.execute("select count(*) from raw.demo_source").fetchone()[0] == 2


def test_a_new_file_for_a_period_replaces_that_period_only(con: duckdb.DuckDBPyConnection) -> None:
    old_2223, old_2324, new_2324 = landed("2022-23", b"a"), landed("2023-24", b"v1"), landed("2023-24", b"v2")
    load_partition(con, SOURCE, old_2223, frame(("E08000025", 1)), COLUMNS)
    load_partition(con, SOURCE, old_2324, frame(("E08000025", 10), ("E08000026", 20)), COLUMNS)

    result = load_partition(con, SOURCE, new_2324, frame(("E08000025", 11)), COLUMNS)

    assert (result.loaded, result.rows) == (True, 1)
    assert rows_by_period(con) == [
        ("2022-23", "E08000025", 1, old_2223.sha256),
        ("2023-24", "E08000025", 11, new_2324.sha256),
    ]


def test_the_replaced_rows_stay_queryable_as_an_older_vintage(con: duckdb.DuckDBPyConnection) -> None:
    v1, v2 = landed("2023-24", b"v1"), landed("2023-24", b"v2")
    load_partition(con, SOURCE, v1, frame(("E08000025", 10), ("E08000026", 20)), COLUMNS)
    assert con.execute("select count(*) from raw_vintages.demo_source").fetchone() == (0,)

    load_partition(con, SOURCE, v2, frame(("E08000025", 11)), COLUMNS)
    load_partition(con, SOURCE, v2, frame(("E08000025", 11)), COLUMNS)  # same file again: nothing moves

    assert con.execute(
        "select _period, area_code, value, _source_file_sha256 from raw_vintages.demo_source order by area_code"
    ).fetchall() == [("2023-24", "E08000025", 10, v1.sha256), ("2023-24", "E08000026", 20, v1.sha256)]


def test_a_frame_whose_columns_differ_from_the_declaration_raises_naming_them(
    con: duckdb.DuckDBPyConnection,
) -> None:
    bad = frame(("E08000025", 1)).rename(columns={"value": "amount"})

    with pytest.raises(SourceError) as err:
        load_partition(con, SOURCE, landed("2023-24", b"v1"), bad, COLUMNS)

    message = str(err.value)
    assert message.startswith("demo_source: demo_2023-24.csv: ")
    assert "missing ['value']" in message
    assert "extra ['amount']" in message
    assert con.execute(
        "select count(*) from information_schema.tables where table_name = 'demo_source'"
    ).fetchone() == (0,), "nothing is created for a frame that does not match"


def test_columns_in_a_different_order_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    reordered = frame(("E08000025", 1))[["value", "area_code", "_source_row"]]

    with pytest.raises(SourceError, match=r"differ from its declaration \(missing \[\], extra \[\]\)"):
        load_partition(con, SOURCE, landed("2023-24", b"v1"), reordered, COLUMNS)


def test_a_failing_insert_rolls_back_and_keeps_the_old_partition(con: duckdb.DuckDBPyConnection) -> None:
    old = landed("2023-24", b"v1")
    load_partition(con, SOURCE, old, frame(("E08000025", 10), ("E08000026", 20)), COLUMNS)
    before = con.execute("select * from raw.demo_source order by all").fetchall()

    with pytest.raises(
        SourceError, match=r"demo_source: demo_2023-24\.csv, row 3, column value: the value n/a does not"
    ):
        load_partition(con, SOURCE, landed("2023-24", b"v2"), frame(("E08000025", 11), ("E08000026", "n/a")), COLUMNS)

    assert con.execute("select * from raw.demo_source order by all").fetchall() == before
    # the connection is usable afterwards (no transaction left open)
    assert load_partition(con, SOURCE, landed("2023-24", b"v3"), frame(("E08000025", 12)), COLUMNS).loaded


@pytest.mark.parametrize("figure", [10**30, "1e40", -(2**40)])
def test_a_figure_too_large_for_its_column_is_refused_naming_row_and_column_not_the_database_error(
    con: duckdb.DuckDBPyConnection, figure: object
) -> None:
    with pytest.raises(SourceError) as refused:
        load_partition(con, SOURCE, landed("2023-24", b"v1"), frame(("E08000025", 1), ("E08000026", figure)), COLUMNS)
    message = str(refused.value)
    assert message.startswith("demo_source: demo_2023-24.csv, row 3, column value: the value ")
    assert "does not fit the value column (INTEGER)" in message
    assert "Conversion Error" not in message and "Out of Range" not in message
    assert (refused.value.row, refused.value.column) == (3, "value")


def test_an_overflowing_figure_in_a_publishers_file_is_refused_naming_its_cell(
    warehouse_settings, tmp_path, monkeypatch, recorder
):
    import shutil

    from ingest.run import ingest_source
    from tests.integration.conftest import PROJECT, edit_coventry_figure

    folder = tmp_path / "snapshots" / "mhclg_rsx"
    folder.mkdir(parents=True)
    path = folder / "RSX_2021-22_data_by_LA_Live.csv"
    shutil.copy(PROJECT / "ingest" / "snapshots" / "mhclg_rsx" / path.name, path)
    path.chmod(0o644)
    row, column, _ = edit_coventry_figure(path, "9" * 25)  # £ thousands: too large for DECIMAL(18,3)
    monkeypatch.setenv("WHOLEPLACE_SNAPSHOT_DIR", str(tmp_path / "snapshots"))
    with pytest.raises(SourceError) as refused:
        ingest_source("mhclg_rsx", ["2021-22"])
    assert str(refused.value).startswith(f"mhclg_rsx: {path.name}, row {row}, column {column} (value_gbp_thousands): ")
    assert "9999999999999999999999999 does not fit" in str(refused.value)
    from tests.reliability.report import record_hardening

    record_hardening(recorder, "a figure too large for its column", f"refused: {str(refused.value)[:150]}")
