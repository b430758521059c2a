"""core.landing: content-addressed raw files, written once, with an append-only fetch manifest."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.landing import Landed, land, latest_fetch, manifest_path, read_manifest

URL = "https://assets.publishing.service.gov.uk/media/abc/RSX_2023-24_data_by_LA.ods"


def land_rsx(landing_dir: Path, data: bytes, **overrides: Any) -> Landed:
    kwargs: dict[str, Any] = dict(
        source_id="mhclg_rsx",
        period="2023-24",
        data=data,
        url=URL,
        file_name="RSX_2023-24_data_by_LA.ODS",
        mode="live",
    )
    kwargs.update(overrides)
    return land(landing_dir, **kwargs)


def object_files(landing_dir: Path) -> list[Path]:
    return sorted(p for p in (landing_dir / "objects").rglob("*") if p.is_file())


def test_landing_stores_bytes_once_under_their_sha256_read_only(tmp_path: Path) -> None:
    data = b"ons_code,value\nE08000025,1\n"
    digest = hashlib.sha256(data).hexdigest()

    landed = land_rsx(tmp_path, data)

    expected = tmp_path / "objects" / digest[:2] / f"{digest}.ods"  # extension lower-cased
    assert landed.object_path == f"objects/{digest[:2]}/{digest}.ods"
    assert landed.path(tmp_path) == expected
    assert object_files(tmp_path) == [expected]
    assert expected.read_bytes() == data
    assert stat.S_IMODE(expected.stat().st_mode) & 0o222 == 0, "landed files must be read-only"
    assert (landed.outcome, landed.sha256, landed.bytes) == ("new", digest, len(data))
    assert [p.name for p in expected.parent.iterdir()] == [expected.name], "no temporary file left behind"


def test_relanding_identical_bytes_is_a_noop(tmp_path: Path) -> None:
    data = b"the same bytes"
    first = land_rsx(tmp_path, data)
    mtime = first.path(tmp_path).stat().st_mtime_ns

    second = land_rsx(tmp_path, data)

    assert second.outcome == "unchanged"
    assert second.object_path == first.object_path
    assert object_files(tmp_path) == [first.path(tmp_path)]
    assert first.path(tmp_path).stat().st_mtime_ns == mtime
    rows = list(read_manifest(tmp_path))
    assert [r.outcome for r in rows] == ["new", "unchanged"], "every fetch is still recorded"
    assert rows[1] == second
    assert rows[1].retrieved_at.endswith("Z")
    parsed = datetime.strptime(rows[1].retrieved_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 60, "retrieved_at is UTC, not local time"


def test_different_bytes_for_the_same_period_are_a_new_vintage_and_both_stay(tmp_path: Path) -> None:
    first = land_rsx(tmp_path, b"version 1")
    second = land_rsx(tmp_path, b"version 2 (restated)")

    assert second.outcome == "new"
    assert second.sha256 != first.sha256
    assert object_files(tmp_path) == sorted([first.path(tmp_path), second.path(tmp_path)])
    assert first.path(tmp_path).read_bytes() == b"version 1"
    assert second.path(tmp_path).read_bytes() == b"version 2 (restated)"


def test_manifest_rows_round_trip_every_field(tmp_path: Path) -> None:
    when = datetime(2024, 12, 11, 10, 0, 0, tzinfo=UTC)
    landed = land_rsx(
        tmp_path,
        b"data",
        mirror_url="http://127.0.0.1:9999",
        origin_url=URL,
        etag='"abc"',
        last_modified="Wed, 11 Dec 2024 10:00:00 GMT",
        retrieved_at=when,
    )

    (row,) = read_manifest(tmp_path)

    assert row == landed
    assert row.retrieved_at == "2024-12-11T10:00:00.000000Z"
    assert json.loads(manifest_path(tmp_path).read_text())["etag"] == '"abc"'


def test_latest_fetch_returns_the_most_recent_fetch_for_source_period_and_url(tmp_path: Path) -> None:
    land_rsx(tmp_path, b"v1", etag='"1"')
    land_rsx(tmp_path, b"v2", etag='"2"')
    land_rsx(tmp_path, b"other period", period="2022-23", etag='"other-period"')
    land_rsx(tmp_path, b"other url", url=URL + "?v=3", etag='"other-url"')
    land_rsx(tmp_path, b"other source", source_id="mhclg_ra", etag='"other-source"')

    found = latest_fetch(tmp_path, "mhclg_rsx", "2023-24", URL)

    assert found is not None
    assert (found.etag, found.sha256) == ('"2"', hashlib.sha256(b"v2").hexdigest())
    assert latest_fetch(tmp_path, "mhclg_rsx", "2021-22", URL) is None


def test_latest_fetch_without_a_manifest_is_none(tmp_path: Path) -> None:
    assert latest_fetch(tmp_path, "mhclg_rsx", "2023-24", URL) is None
    assert list(read_manifest(tmp_path)) == []


def test_read_manifest_on_a_corrupt_line_raises_naming_the_line(tmp_path: Path) -> None:
    land_rsx(tmp_path, b"v1")
    land_rsx(tmp_path, b"v2")
    with open(manifest_path(tmp_path), "a", encoding="utf-8") as fh:
        fh.write('{"source_id": "mhclg_rsx", "period": \n')  # a torn write

    with pytest.raises(ValueError, match=r"manifest\.jsonl: line 3 is not a manifest row"):
        list(read_manifest(tmp_path))
