"""core.catalogue: the project's catalogue is consistent, and mistakes fail naming the entry."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core.catalogue import CATALOGUE_PATH, Catalogue, Expected, load_catalogue, parse_catalogue
from core.errors import CatalogueError
from expectations.registry import raw_suite
from tests.conftest import CATALOGUE_ENTRY
from tests.conftest import catalogue_entry as entry

SNAPSHOTS = CATALOGUE_PATH.parent / "snapshots"


@pytest.fixture(scope="module")
def project() -> Catalogue:
    return load_catalogue()


def test_project_catalogue_loads_with_sources_in_every_family_it_uses(project: Catalogue) -> None:
    assert len(project.sources) >= 10
    assert project.get("mhclg_rsx").family == "council"
    assert set(project.families()) <= {"council", "nhs", "combined_authority", "reference"}


def test_every_source_id_is_snake_case(project: Catalogue) -> None:
    bad = [s.id for s in project if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", s.id)]
    assert bad == []


def test_a_file_set_partition_is_a_snapshot_folder_without_a_single_live_url() -> None:
    entry = {
        "id": "spend500",
        "family": "council",
        "publisher": "p",
        "title": "t",
        "landing_page": "https://example.org/",
        "format": "csv",
        "licence": "OGL-UK-3.0",
        "attribution": "a",
        "cadence": "monthly",
        "expected": {"every": "month", "by": 28, "grace_days": 62},
        "synthetic": False,
        "provenance": "p",
        "unit": "£",
        "copy": {"status": "publisher_file"},
        "partitions": [{"period": "2019-20", "snapshot": "spend500/2019-20/"}],
    }
    (source,) = parse_catalogue([entry])
    assert source.partitions[0].is_file_set
    entry["partitions"][0]["url"] = "https://example.org/one.csv"
    with pytest.raises(CatalogueError, match="file set .* no single live url"):
        parse_catalogue([entry])
    entry["partitions"][0].pop("url")
    assert next(iter(parse_catalogue([entry]))).partitions[0].is_file_set


def test_every_source_has_a_gx_raw_suite_named_after_it(project: Catalogue) -> None:
    for source in project:
        suite = raw_suite(source.id)
        assert suite.name == f"raw_{source.id}"
        assert suite.batches, f"raw_{source.id} has no batches"


def test_every_snapshot_named_in_the_catalogue_is_bundled(project: Catalogue) -> None:
    missing = [
        f"{s.id} {p.period}: {p.snapshot}"
        for s in project
        for p in s.partitions
        if p.snapshot
        and not (any((SNAPSHOTS / p.snapshot).iterdir()) if p.is_file_set else (SNAPSHOTS / p.snapshot).is_file())
    ]
    assert missing == []


def test_every_url_in_the_catalogue_is_https(project: Catalogue) -> None:
    urls = [s.landing_page for s in project]
    for s in project:
        for p in s.partitions:
            urls += [u for u in (p.url, p.discover.api_url if p.discover else None) if u]
    assert len(urls) > len(project.sources)
    assert [u for u in urls if not u.startswith("https://")] == []


def test_every_synthetic_sources_snapshot_says_synthetic_in_its_name(project: Catalogue) -> None:
    synthetic = [s for s in project if s.synthetic]
    assert synthetic, "the project catalogue declares synthetic sources; this test should see them"
    offenders = [
        p.snapshot for s in synthetic for p in s.partitions if p.snapshot and "SYNTHETIC" not in Path(p.snapshot).name
    ]
    assert offenders == []


# --- parse_catalogue rejects mistakes, naming the entry -------------------------------------------


def test_a_valid_entry_parses_into_a_source() -> None:
    cat = parse_catalogue([entry()])

    source = cat.get("demo_source")
    assert source.raw_table == "raw.demo_source"
    assert source.partition("2023-24").url == CATALOGUE_ENTRY["partitions"][0]["url"]
    assert source.hosts() == {"assets.publishing.service.gov.uk"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        pytest.param(
            [entry(partitions=[{"period": "2023-24", "url": "http://www.gov.uk/demo.csv"}])],
            r"catalogue entry 'demo_source' partition 2023-24: URLs must be https, got 'http://www\.gov\.uk/demo\.csv'",
            id="http-partition-url",
        ),
        pytest.param(
            [entry(landing_page="http://www.gov.uk/demo")],
            r"catalogue entry 'demo_source': URLs must be https",
            id="http-landing-page",
        ),
        pytest.param(
            [entry(), entry(title="Another")],
            r"catalogue entry 'demo_source': duplicate id",
            id="duplicate-id",
        ),
        pytest.param(
            [entry(family="parish")],
            r"catalogue entry 'demo_source': family must be one of .*got 'parish'",
            id="unknown-family",
        ),
        pytest.param(
            [entry(expected=...)],
            r"catalogue entry 'demo_source': missing 'expected'",
            id="missing-expected",
        ),
        pytest.param(
            [entry(expected={"every": "fortnight"})],
            r"catalogue entry 'demo_source': expected.every must be year, month or none, got 'fortnight'",
            id="unknown-cadence",
        ),
        pytest.param(
            [entry(expected={"every": "year", "by": "June"})],
            r"catalogue entry 'demo_source': expected.by for a yearly source is 'MM-DD'",
            id="yearly-by-not-a-date",
        ),
        pytest.param(
            [entry(expected={"every": "month", "by": 31})],
            r"expected.by for a monthly source is a day of the month 1-28, got 31",
            id="monthly-by-day-31",
        ),
        pytest.param(
            [entry(synthetic=...)],
            r"catalogue entry 'demo_source': 'synthetic' must be true or false",
            id="missing-synthetic-flag",
        ),
        pytest.param(
            [entry(synthetic="no")],
            r"catalogue entry 'demo_source': 'synthetic' must be true or false",
            id="synthetic-flag-not-a-boolean",
        ),
        pytest.param(
            [entry(partitions=[{"period": "2023-24", "note": "nowhere to read it from"}])],
            r"catalogue entry 'demo_source' partition 2023-24: needs a url, a discover rule or a snapshot",
            id="partition-without-location",
        ),
        pytest.param(
            [
                entry(
                    partitions=[{"period": "2023-24", "discover": {"page": "/government/x", "filename": "^RSX_(2023"}}]
                )
            ],
            r"catalogue entry 'demo_source' partition 2023-24: discover\.filename is not a valid pattern",
            id="invalid-discover-regex",
        ),
        pytest.param(
            [
                entry(
                    partitions=[{"period": "2023-24", "snapshot": "a.csv"}, {"period": "2023-24", "snapshot": "b.csv"}]
                )
            ],
            r"catalogue entry 'demo_source': duplicate partition periods",
            id="duplicate-period",
        ),
        pytest.param(
            [entry(id="Demo-Source")],
            r"catalogue entry 'Demo-Source': ids are snake_case",
            id="id-not-snake-case",
        ),
    ],
)
def test_parse_catalogue_rejects_a_bad_entry_naming_it(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(entries)


def test_load_catalogue_rejects_a_file_that_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yml"
    path.write_text("id: demo_source\n", encoding="utf-8")

    with pytest.raises(CatalogueError, match=r"catalogue\.yml: expected a list of sources"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("expected", "crons"),
    [
        (Expected("year", "06-30", 31), ("0 5 * 5,6,7 1", "0 5 1 * *")),
        (Expected("year", "12-31", 31), ("0 5 * 11,12,1 1", "0 5 1 * *")),  # the window wraps the year
        (Expected("year", "03-15", 100), ("0 5 * 2,3,4,5,6 1", "0 5 1 * *")),
        (Expected("month", 28, 62), ("0 5 * * 1",)),
        (Expected("year", None, 31), ("0 5 1 * *",)),
        (Expected("none"), ("0 5 1 * *",)),
    ],
)
def test_sources_are_checked_weekly_around_their_due_date_and_monthly_otherwise(expected, crons) -> None:
    assert expected.check_crons() == crons


def test_each_held_file_says_its_publisher_link_unit_and_whether_it_is_the_publishers_own() -> None:
    spec = entry(
        copy={"status": "sheet_export", "via": "a republisher"},
        partitions=[
            {
                "period": "2022-23",
                "discover": {"page": "/government/statistics/x", "filename": "^x.*ods$"},
                "copy": {"status": "publisher_file_republished", "via": "another"},
            },
            {
                "period": "2023-24",
                "snapshot": "demo/2023-24/",
                "pages": {"coventry": "https://www.coventry.gov.uk/spend", "walsall": "https://go.walsall.gov.uk/"},
            },
            {"period": "2024-25", "url": "https://assets.publishing.service.gov.uk/media/y/x.ods"},
        ],
    )
    (source,) = parse_catalogue([spec])
    discovered = source.file_provenance("2022-23", "x.ods")
    assert discovered["publisher_page"] == "https://www.gov.uk/government/statistics/x"
    assert discovered["publisher_file_url"] is None and discovered["copy_status"] == "publisher_file_republished"
    assert discovered["unit"] == "£ thousand" and discovered["unit_multiplier"] == 1000
    assert discovered["copy_note"].endswith("held via another")
    council = source.file_provenance("2023-24", "walsall_2023-04.csv")
    assert council["publisher_page"] == "https://go.walsall.gov.uk/" and council["copy_status"] == "sheet_export"
    linked = source.file_provenance("2024-25", "x.ods")
    assert linked["publisher_file_url"] == "https://assets.publishing.service.gov.uk/media/y/x.ods"
    assert linked["publisher_page"] == "https://www.gov.uk/demo"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"copy": {"status": "a copy"}}, "'copy' is a mapping"),
        ({"copy": ...}, "missing 'copy'"),
        ({"unit": ...}, "missing 'unit'"),
        ({"unit_multiplier": "thousand"}, "unit_multiplier is a whole number"),
        ({"synthetic": True}, "synthetic source's copy status is synthetic_sample"),
        ({"copy": {"status": "synthetic_sample"}}, "synthetic source's copy status is synthetic_sample"),
    ],
)
def test_a_source_without_a_unit_or_a_copy_status_is_refused(change: dict, message: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse_catalogue([entry(**change)])


def test_every_source_in_the_project_says_what_its_files_are(project: Catalogue) -> None:
    for source in project:
        assert source.unit and source.copy.status, source.id
        if source.unit.startswith("£"):
            assert source.unit_multiplier, f"{source.id}: money without its multiplier"
