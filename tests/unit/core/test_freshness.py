"""core.freshness and `make status`: when a source's next file is due, and when it is late
(time is passed in as --as-of, never waited for)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from core.catalogue import Expected
from core.freshness import next_due, statuses
from core.landing import append_manifest_rows
from core.settings import Settings
from tests.conftest import fetched_row
from warehouse import cli


@pytest.mark.parametrize(
    ("expected", "after", "due"),
    [
        (Expected("year", "06-30", 31), date(2025, 7, 2), date(2026, 6, 30)),
        (Expected("year", "06-30", 31), date(2026, 6, 29), date(2026, 6, 30)),
        (Expected("year", "06-30", 31), date(2026, 6, 30), date(2027, 6, 30)),  # due strictly after
        (Expected("year", None, 31), date(2025, 3, 1), date(2026, 3, 1)),  # within a year of the last
        (Expected("month", 28, 62), date(2025, 12, 30), date(2026, 1, 28)),
        (Expected("month", 1, 7), date(2026, 4, 1), date(2026, 5, 1)),
        (Expected("none"), date(2025, 1, 1), None),
    ],
)
def test_the_next_due_date_follows_the_catalogue_calendar(expected, after, due) -> None:
    assert next_due(expected, after) == due


@pytest.fixture
def landed(warehouse_settings: Settings) -> Settings:
    """mhclg_ra (due each 30 June, 31 days' grace): its 2025-26 file came on 2 July 2025; the
    weekly fetches since found the same file (not_modified). The census has no calendar."""
    warehouse_settings.landing_dir.mkdir(parents=True)
    append_manifest_rows(
        warehouse_settings.landing_dir,
        [
            fetched_row("mhclg_ra", "2023-24", "2023-07-01T06:00:00+00:00", "new", "b" * 64),
            fetched_row("mhclg_ra", "2025-26", "2025-07-02T06:00:00+00:00", "new"),
            fetched_row("mhclg_ra", "2025-26", "2026-07-20T06:00:00+00:00", "not_modified"),
            fetched_row("ons_mid_year_estimates", "2023", "2022-07-01T06:00:00+00:00", "new", "c" * 64),
        ],
    )
    return warehouse_settings


def test_a_source_is_late_once_the_grace_after_its_due_date_has_passed(landed: Settings) -> None:
    before = {s.source_id: s for s in statuses(landed, date(2026, 7, 31))}  # 31 days after 30 June
    after = {s.source_id: s for s in statuses(landed, date(2026, 8, 15))}

    ra = after["mhclg_ra"]
    assert (before["mhclg_ra"].state, ra.state, ra.late_by_days) == ("ok", "LATE", 15)
    assert (ra.latest_period, ra.file_name, ra.sha256) == ("2025-26", "mhclg_ra_2025-26.ods", "a" * 64)
    assert ra.detail == "LATE: 2026-27 expected since 2026-06-30"
    # a fetch that found the same file again is a check, not a new file
    seen = (ra.last_new_file_at[:10], ra.last_checked_at[:10], ra.next_due)
    assert seen == ("2025-07-02", "2026-07-20", "2026-06-30")
    assert after["ons_mid_year_estimates"].state == "no calendar"
    assert after["mhclg_rsx"].state == "never loaded"


def test_make_status_names_a_late_source_and_a_failed_step(landed: Settings, capsys) -> None:
    landed.run_state_dir.mkdir(parents=True)
    (landed.run_state_dir / "last_error.json").write_text(
        json.dumps(
            {
                "step": "load",
                "arguments": ["ons_mid_year_estimates"],
                "error": "ons_mid_year_estimates: census.csv row 4: 'X' is not a GSS district code\nmore",
                "at": "2026-08-01T10:00:00+00:00",
            }
        )
    )

    code = cli.main(["status", "--as-of", "2026-08-15", "--fail-on-late"])
    out = capsys.readouterr().out

    assert code == 3  # for cron and monitoring
    (ra,) = [line for line in out.splitlines() if line.strip().startswith("mhclg_ra ")]
    assert "LATE: 2026-27 expected since 2026-06-30" in ra
    (census,) = [line for line in out.splitlines() if line.strip().startswith("ons_mid_year_estimates")]
    assert "FAILED in load at 2026-08-01T10:00Z: ons_mid_year_estimates: census.csv row 4" in census
    assert "1 late: mhclg_ra" in out
    assert "recent alerts" not in out
    from warehouse.alerts import Alert, deliver

    deliver(Alert("task_failed", "ons_mid_year_estimates", "all", "source.load", "census load failed: row 4"), landed)
    cli.main(["status", "--as-of", "2026-08-15"])
    out = capsys.readouterr().out
    assert "recent alerts" in out and "task_failed: census load failed: row 4" in out
    assert cli.main(["status", "--as-of", "2026-07-01", "--fail-on-late"]) == 0
    capsys.readouterr()
    cli.main(["status", "--json", "--as-of", "2026-08-15"])
    rows = json.loads(capsys.readouterr().out)["sources"]
    assert {r["source_id"]: r["state"] for r in rows}["mhclg_ra"] == "LATE"


@pytest.mark.parametrize(
    ("landed", "due"),
    [
        (date(2025, 6, 18), date(2026, 6, 30)),  # 12 days early: it answers 30 June 2025
        (date(2025, 7, 2), date(2026, 6, 30)),  # 2 days late: it answers 30 June 2025 too
        (date(2025, 9, 20), date(2026, 6, 30)),  # very late, still nearest to 30 June 2025
        (date(2026, 2, 1), date(2027, 6, 30)),  # nearer 30 June 2026: that one is answered early
    ],
)
def test_a_new_file_answers_the_due_date_nearest_to_it(landed, due) -> None:
    from core.freshness import due_after_file

    assert due_after_file(Expected("year", "06-30", 31), landed) == due


def test_a_file_landed_a_little_early_is_not_reported_late(landed: Settings) -> None:
    append_manifest_rows(
        landed.landing_dir, [fetched_row("mhclg_ra", "2026-27", "2026-06-18T06:00:00+00:00", "new", "d" * 64)]
    )
    ra = {s.source_id: s for s in statuses(landed, date(2026, 8, 15))}["mhclg_ra"]
    assert (ra.state, ra.latest_period, ra.next_due) == ("ok", "2026-27", "2027-06-30")


def test_a_file_that_just_landed_is_late_when_its_period_is_behind_the_publishers(landed: Settings) -> None:
    # the bundled snapshot's RA is 2023-24, landed today: new bytes, an old period
    append_manifest_rows(
        landed.landing_dir, [fetched_row("mhclg_ra", "2023-24", "2026-12-02T06:00:00+00:00", "new", "e" * 64)]
    )
    ra = {s.source_id: s for s in statuses(landed, date(2026, 12, 3))}["mhclg_ra"]
    assert (ra.state, ra.latest_period) == ("LATE", "2025-26")  # the latest period held
    assert (ra.expected_period, ra.expected_since) == ("2026-27", "2026-06-30")


@pytest.mark.parametrize(
    ("expected", "periods", "today", "wanted"),
    [
        # RA: the budget for a year, by 30 June of its first year; not late until the grace has passed
        (Expected("year", "06-30", 31, 0), ["2023-24"], date(2026, 7, 31), ("2025-26", date(2025, 6, 30))),
        (Expected("year", "06-30", 31, 0), ["2023-24"], date(2026, 8, 1), ("2026-27", date(2026, 6, 30))),
        # RSX: a year's outturn by 30 November after it ends
        (Expected("year", "11-30", 31, -1), ["2024-25"], date(2026, 12, 3), ("2024-25", date(2025, 11, 30))),
        (Expected("year", "11-30", 31, -1), ["2024-25"], date(2027, 1, 1), ("2025-26", date(2026, 11, 30))),
        # monthly files in financial-year file sets: April's file is due by 28 May
        (Expected("month", 28, 62, -1), ["2023-24"], date(2026, 12, 3), ("2026-27", date(2026, 5, 28))),
        (Expected("month", 28, 62, -1), ["2023-24"], date(2026, 7, 29), ("2025-26", date(2025, 5, 28))),
        # a monthly file named by its month
        (Expected("month", 1, 7, 0), ["2024-04"], date(2026, 12, 3), ("2026-11", date(2026, 11, 1))),
        # no period calendar, or periods not named by time: never late by period
        (Expected("year", "06-30", 31), ["2023-24"], date(2026, 12, 3), None),
        (Expected("year", None, 31), ["all"], date(2026, 12, 3), None),
    ],
)
def test_the_period_a_publisher_should_have_out(expected, periods, today, wanted) -> None:
    from core.freshness import expected_period

    assert expected_period(expected, periods, today) == wanted
