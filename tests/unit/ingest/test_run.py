"""ingest.run: fetch -> land -> parse -> load, live through a local MIRROR of the publisher hosts.

pytest-httpserver serves plain http on localhost; with WHOLEPLACE_MIRROR_URL pointing at it,
``https://<host>/<path>`` is read from ``/<host>/<path>`` (see tests/unit/ingest/test_http.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WerkzeugResponse

import core.settings
from core.catalogue import CATALOGUE_PATH, catalogue
from core.landing import read_manifest
from core.settings import Settings
from ingest.run import ingest_source
from tests.paths import FIXTURES_DIR

SNAPSHOTS = CATALOGUE_PATH.parent / "snapshots"
RSX_2122_URL = "https://assets.publishing.service.gov.uk/media/6825a5a1ab96d4ed0b262f78/RSX_2021-22_data_by_LA_Live.ods"
RSX_2122_MIRROR_PATH = (
    "/assets.publishing.service.gov.uk/media/6825a5a1ab96d4ed0b262f78/RSX_2021-22_data_by_LA_Live.ods"
)
ETAG = '"rsx-2021-22-v1"'


@pytest.fixture
def live(warehouse_settings: Settings, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WHOLEPLACE_MODE", "live")
    monkeypatch.setenv("WHOLEPLACE_MIRROR_URL", httpserver.url_for("/").rstrip("/"))
    return core.settings.get()


def raw_rows(settings: Settings, table: str, period: str | None = None) -> list[tuple]:
    where = f"where _period = '{period}'" if period else ""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return con.execute(f"select * from raw.{table} {where} order by all").fetchall()


def object_files(settings: Settings) -> list[Path]:
    return sorted(p for p in (settings.landing_dir / "objects").rglob("*") if p.is_file())


def test_catalogue_url_for_rsx_2021_22_is_the_one_this_test_mirrors() -> None:
    assert catalogue().get("mhclg_rsx").partition("2021-22").url == RSX_2122_URL


def test_live_ingest_through_the_mirror_loads_rows_and_then_revalidates_with_etag(
    live: Settings, httpserver: HTTPServer
) -> None:
    data = (SNAPSHOTS / "mhclg_rsx" / "RSX_2021-22_data_by_LA_Live.csv").read_bytes()

    def conditional(request: Request) -> WerkzeugResponse:
        if request.headers.get("If-None-Match") == ETAG:
            return WerkzeugResponse(status=304, headers={"ETag": ETAG})
        return WerkzeugResponse(data, headers={"ETag": ETAG}, content_type="application/octet-stream")

    httpserver.expect_request(RSX_2122_MIRROR_PATH).respond_with_handler(conditional)

    (first,) = ingest_source("mhclg_rsx", periods=["2021-22"], settings=live)

    assert (first.period, first.mode, first.fetch, first.loaded) == ("2021-22", "live", "new", True)
    assert first.file_name == "RSX_2021-22_data_by_LA_Live.ods"
    assert first.rows > 1000
    rows = raw_rows(live, "mhclg_rsx")
    assert len(rows) == first.rows
    assert {r[-5:-1] for r in rows} == {("2021-22", first.file_name, first.sha256, RSX_2122_URL)}
    (fetch,) = read_manifest(live.landing_dir)
    assert (fetch.url, fetch.origin_url, fetch.mirror_url, fetch.mode) == (
        RSX_2122_URL,
        RSX_2122_URL,
        httpserver.url_for("/").rstrip("/"),
        "live",
    )
    assert (fetch.etag, fetch.outcome, fetch.bytes) == (ETAG, "new", len(data))
    # every data row of the sheet: loaded, or skipped with the reason (RSX 2021-22 has blank and
    # label rows, and a check sum below the England total), recorded with the load
    counted = first.counted
    assert counted is not None and counted.rows_in == counted.loaded + sum(counted.skipped.values())
    assert counted.skipped["unlabelled workings below the England total"] > 0
    with duckdb.connect(str(live.duckdb_path), read_only=True) as con:
        (sheet_rows,) = con.execute("select count(distinct _source_row) from raw.mhclg_rsx").fetchone()
        assert sheet_rows == counted.loaded  # the rows counted loaded are those the raw table cites
        recorded = con.execute("select sha256, rows_in, rows_loaded, rows_skipped from raw.row_counts").fetchall()
    assert recorded == [(first.sha256, counted.rows_in, counted.loaded, sum(counted.skipped.values()))]
    objects = object_files(live)
    assert len(objects) == 1
    assert objects[0].read_bytes() == data
    assert "If-None-Match" not in httpserver.log[0][0].headers

    (second,) = ingest_source("mhclg_rsx", periods=["2021-22"], settings=live)

    assert httpserver.log[1][0].headers.get("If-None-Match") == ETAG
    assert httpserver.log[1][1].status_code == 304
    assert (second.fetch, second.loaded, second.sha256, second.rows) == (
        "not_modified",
        False,
        first.sha256,
        first.rows,
    )
    assert object_files(live) == objects
    assert raw_rows(live, "mhclg_rsx") == rows  # _loaded_at included: nothing was reloaded
    assert [m.outcome for m in read_manifest(live.landing_dir)] == ["new", "not_modified"]
    with duckdb.connect(str(live.duckdb_path), read_only=True) as con:
        assert con.execute("select list(outcome order by retrieved_at) from raw.fetch_manifest").fetchone()[0] == [
            "new",
            "not_modified",
        ]


def test_live_ingest_discovers_the_current_file_through_the_content_api(live: Settings, httpserver: HTTPServer) -> None:
    rule = catalogue().get("mhclg_rsx").partition("2023-24").discover
    assert rule is not None
    file_path = "/media/67b0c0ffee/RSX_2023-24_data_by_LA.ods"
    file_url = f"https://assets.publishing.service.gov.uk{file_path}"
    httpserver.expect_request(f"/www.gov.uk/api/content{rule.page}").respond_with_json(
        {
            "base_path": rule.page,
            "details": {
                "attachments": [
                    {"attachment_type": "html", "url": f"{rule.page}/technical-notes"},
                    {
                        "attachment_type": "file",
                        "url": "https://assets.publishing.service.gov.uk/media/67b0c0ffee/RO_2023-24_notes.pdf",
                    },
                    {"attachment_type": "file", "url": file_url},
                ]
            },
        }
    )
    httpserver.expect_request(f"/assets.publishing.service.gov.uk{file_path}").respond_with_data(
        (SNAPSHOTS / "mhclg_rsx" / "RSX_2023-24_data_by_LA.csv").read_bytes()
    )

    (outcome,) = ingest_source("mhclg_rsx", periods=["2023-24"], settings=live)

    assert (outcome.mode, outcome.fetch, outcome.loaded, outcome.file_name) == (
        "live",
        "new",
        True,
        "RSX_2023-24_data_by_LA.ods",
    )
    assert outcome.rows > 1000
    assert len(raw_rows(live, "mhclg_rsx", "2023-24")) == outcome.rows
    (fetch,) = read_manifest(live.landing_dir)
    assert (fetch.url, fetch.mode) == (file_url, "live")
    assert [r[0].path for r in httpserver.log] == [
        f"/www.gov.uk/api/content{rule.page}",
        f"/assets.publishing.service.gov.uk{file_path}",
    ]


def test_snapshot_mode_on_a_live_only_source_creates_its_empty_table_and_lands_nothing(
    warehouse_settings: Settings,
) -> None:
    assert all(p.snapshot is None for p in catalogue().get("nomis_population").partitions)

    outcomes = ingest_source("nomis_population", settings=warehouse_settings)

    assert outcomes == []
    assert raw_rows(warehouse_settings, "nomis_population") == []
    assert list(read_manifest(warehouse_settings.landing_dir)) == []
    assert not (warehouse_settings.landing_dir / "objects").exists()
    with duckdb.connect(str(warehouse_settings.duckdb_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.fetch_manifest").fetchone() == (0,)
        assert con.execute(
            "select synthetic from raw.source_catalogue where source_id = 'nomis_population'"
        ).fetchone() == (False,)


# ---- file sets (spending over £500: many files per period) ---------------------------------------


def spend_snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *names: str) -> Path:
    folder = tmp_path / "snapshots" / "spend500" / "2019-20"
    folder.mkdir(parents=True)
    fixtures = FIXTURES_DIR / "spend500"
    for name in names:
        (folder / name.replace("_excerpt", "")).write_bytes((fixtures / name).read_bytes())
    monkeypatch.setenv("WHOLEPLACE_SNAPSHOT_DIR", str(tmp_path / "snapshots"))
    for reference in SNAPSHOTS.iterdir():  # region checks read the reference snapshots
        if reference.name != "spend500":
            (tmp_path / "snapshots" / reference.name).symlink_to(reference)
    return folder


def test_a_file_set_lands_every_file_and_loads_only_new_or_changed_ones(
    warehouse_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = spend_snapshots(tmp_path, monkeypatch, "manchester_2019-05_excerpt.csv", "salford_2019-04_excerpt.csv")

    (first,) = ingest_source("spend500", ["2019-20"])
    assert (first.file_name, first.rows, first.loaded, first.fetch) == ("2 files in spend500/2019-20/", 15, True, "new")

    import core.landing

    def no_hashing(path):  # unchanged files (same size and mtime) are not read again
        raise AssertionError(f"{path} hashed again")

    hashing = core.landing.sha256_file
    monkeypatch.setattr(core.landing, "sha256_file", no_hashing)
    (again,) = ingest_source("spend500", ["2019-20"])
    assert (again.rows, again.loaded, again.fetch) == (0, False, "unchanged")

    monkeypatch.setattr(core.landing, "sha256_file", hashing)
    changed = folder / "manchester_2019-05.csv"
    changed.write_text("\n".join(changed.read_text(encoding="utf-8").splitlines()[:4]) + "\n", encoding="utf-8")
    (third,) = ingest_source("spend500", ["2019-20"])
    assert (third.rows, third.loaded, third.fetch) == (3, True, "new")
    manifest = [r for r in read_manifest(warehouse_settings.landing_dir) if r.source_id == "spend500"]
    assert [r.outcome for r in manifest] == ["new", "new", "unchanged", "unchanged", "new", "unchanged"]
    with duckdb.connect(str(warehouse_settings.duckdb_path), read_only=True) as con:
        assert con.execute("select _source_file, count(*) from raw.spend500 group by 1 order by 1").fetchall() == [
            ("manchester_2019-05.csv", 3),
            ("salford_2019-04.csv", 7),
        ]


def test_fetch_lands_without_opening_the_warehouse_and_hands_load_a_small_json_handle(
    warehouse_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from core.errors import WholeplaceError
    from ingest.run import Fetched, fetch_source, load_source

    spend_snapshots(tmp_path, monkeypatch, "manchester_2019-05_excerpt.csv", "salford_2019-04_excerpt.csv")

    (file_set,) = fetch_source("spend500", periods=["2019-20"])
    (single,) = fetch_source("mhclg_rsx", periods=["2023-24"])

    assert not warehouse_settings.duckdb_path.exists()  # fetches run outside the DuckDB pool
    assert (file_set.files, file_set.new_files, file_set.landed) == (2, 2, None)
    assert single.landed is not None and single.landed.outcome == "new" and single.file_set is None
    handle = json.dumps(file_set.to_json())
    assert len(handle) < 400  # the XCom holds the listing's sha256, not the file list
    assert Fetched.from_json(json.loads(json.dumps(single.to_json()))) == single

    (loaded,) = load_source("spend500", [Fetched.from_json(json.loads(handle))])
    assert (loaded.rows, loaded.loaded) == (15, True)
    (rsx,) = load_source("mhclg_rsx", [single])
    assert rsx.loaded and rsx.rows == len(raw_rows(warehouse_settings, "mhclg_rsx", "2023-24")) > 0

    with pytest.raises(WholeplaceError, match="asked to load a partition fetched for spend500"):
        load_source("mhclg_rsx", [file_set])
    missing = Fetched("spend500", "2019-20", file_set="0" * 64, files=2)
    with pytest.raises(WholeplaceError, match="listing 000000000000 is not in the landing zone"):
        load_source("spend500", [missing])


def test_definition_tables_are_rewritten_only_when_what_they_mirror_has_changed(
    warehouse_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    import ingest.run
    from ingest.membership import all_regions

    checked: list[int] = []

    def counted_regions():
        checked.append(1)
        return all_regions()

    monkeypatch.setattr(ingest.run, "all_regions", counted_regions)
    warehouse_settings.duckdb_path.parent.mkdir(parents=True)
    current = "select region_name from raw.region_definitions where is_current limit 1"
    with duckdb.connect(str(warehouse_settings.duckdb_path)) as con:
        ingest.run.refresh_metadata_tables(con, warehouse_settings)
        ingest.run.refresh_metadata_tables(con, warehouse_settings)  # nothing changed: no region checked again
        assert len(checked) == 1
        assert con.execute(current).fetchall() == [(warehouse_settings.region,)]

        other = dataclasses.replace(warehouse_settings, region="west-yorkshire")
        ingest.run.refresh_metadata_tables(con, other)  # another region built here
        assert len(checked) == 2
        assert con.execute(current).fetchall() == [("west-yorkshire",)]

        con.execute("drop table raw.source_catalogue")  # a table gone is written again
        ingest.run.refresh_metadata_tables(con, other)
        assert len(checked) == 3
        assert con.execute("select count(*) > 0 from raw.source_catalogue").fetchall() == [(True,)]
        assert con.execute("select count(*) from raw.fetch_manifest").fetchall() == [(0,)]


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_a_file_of_a_file_set_that_is_not_a_regular_file_is_refused_and_nothing_lands(
    warehouse_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    import os

    from core.errors import SourceError

    folder = spend_snapshots(tmp_path, monkeypatch, "manchester_2019-05_excerpt.csv")
    outside = tmp_path / "outside.csv"
    outside.write_text("Body Name,Net Amount\nsecret,1\n", encoding="utf-8")
    odd = folder / "salford_2019-04.csv"
    if kind == "symlink":
        odd.symlink_to(outside)  # a file outside the project under a payments file's name
    else:
        os.mkfifo(odd)
    with pytest.raises(SourceError) as refused:
        ingest_source("spend500", ["2019-20"])
    message = str(refused.value)
    assert message.startswith("spend500: spend500/2019-20/salford_2019-04.csv"), message
    assert ("symbolic link" if kind == "symlink" else "not a regular file") in message
    # nothing of the folder landed, the outside file's bytes least of all
    assert not [r for r in read_manifest(warehouse_settings.landing_dir) if r.source_id == "spend500"]


def test_a_snapshot_file_replaced_by_a_link_is_refused(
    warehouse_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.errors import SourceError

    spend_snapshots(tmp_path, monkeypatch, "manchester_2019-05_excerpt.csv")
    partition = catalogue().get("bsol_ward_locality").partitions[0]
    linked = tmp_path / "snapshots" / "bsol_ward_locality"
    linked.unlink()  # the fixture linked the whole folder: make it a real one holding a link
    linked.mkdir()
    (tmp_path / "elsewhere.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "snapshots" / partition.snapshot).symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(SourceError, match="is a symbolic link"):
        ingest_source("bsol_ward_locality")
