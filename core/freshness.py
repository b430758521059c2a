"""Freshness: per source, what is loaded, when a new file is next due, and whether it is late.

Read from the landing manifest (the durable record of every fetch) and the run state files, never
from the DuckDB file, so `make status` answers while a run is writing. A source's calendar is its
catalogue entry's ``expected`` (see core.catalogue.Expected). A new file (a fetch that found
the same bytes again does not count) answers the due date nearest to it, whether it came a little
early or a little late; the next file is due on the date after that one, and is late once
``grace_days`` have passed since then without a newer file. The same rule drives the deadline
alerts (dags/publications.py): ``answered`` says whether a due date has had its file.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from core.catalogue import Expected, catalogue
from core.landing import read_manifest
from core.settings import Settings
from core.state import LAST_ERROR, VALIDATED_RAW, read_state


def next_due(expected: Expected, after: date) -> date | None:
    """The first date a new file is due strictly after ``after`` (None: no calendar)."""
    if expected.every == "year" and expected.by:
        month, day = expected.month_day
        due = date(after.year, month, min(day, calendar.monthrange(after.year, month)[1]))
        if due > after:
            return due
        return date(after.year + 1, month, min(day, calendar.monthrange(after.year + 1, month)[1]))
    if expected.every == "year":
        return after + timedelta(days=365)
    if expected.every == "month":
        day = int(expected.by or 1)
        due = date(after.year, after.month, day)
        if due > after:
            return due
        year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
        return date(year, month, day)
    return None


def half_period(expected: Expected) -> timedelta:
    """Half the time between two due dates: a file answers the due date within this of it."""
    return timedelta(days={"year": 182, "month": 15}.get(expected.every, 0))


def due_after_file(expected: Expected, landed: date) -> date | None:
    """The due date after the one a file landed on ``landed`` answers."""
    if expected.every == "year" and not expected.by:
        return next_due(expected, landed)  # no fixed date: within a year of the last file
    return next_due(expected, landed + half_period(expected))


def answered(expected: Expected, due: date, landed: date) -> bool:
    """Whether a new file landed on ``landed`` answers the due date ``due`` (no earlier than half a
    period before it; a later file answers it too, late)."""
    return landed > due - half_period(expected)


def arrival(source_id: str, due: date, settings: Settings):
    """The first new file of ``source_id`` that answers the due date ``due`` (None: still awaited)."""
    source = catalogue().get(source_id)
    new = sorted(
        (r for r in read_manifest(settings.landing_dir) if r.source_id == source_id and r.outcome == "new"),
        key=lambda r: r.retrieved_at,
    )
    return next((r for r in new if answered(source.expected, due, _day(r.retrieved_at))), None)


_YEAR_PAIR = re.compile(r"^(\d{4})-(\d{2})$")


def _period_kind(periods: list[str]) -> str | None:
    """How a source names its periods: 'financial' (2023-24), 'month' (2024-04), 'year' (2024);
    a range (2017-18_to_2023-24) is named by its end. None: by something else (ids, 'all')."""
    ends = [p.split("_to_")[-1] for p in periods]
    if not ends:
        return None
    if all(re.fullmatch(r"\d{4}", p) for p in ends):
        return "year"
    pairs = [_YEAR_PAIR.match(p) for p in ends]
    if not all(pairs):
        return None
    if all((int(m[1]) + 1) % 100 == int(m[2]) for m in pairs):
        return "financial"  # 2011-12 could be a month too: financial years are this project's usual
    if all(1 <= int(m[2]) <= 12 for m in pairs):
        return "month"
    return None


def _period_start(period: str, kind: str) -> date:
    end = period.split("_to_")[-1]
    if kind == "year":
        return date(int(end), 1, 1)
    year, second = int(end[:4]), int(end[5:7])
    return date(year, 4, 1) if kind == "financial" else date(year, second, 1)


def _name_period(start: date, kind: str) -> str:
    if kind == "year":
        return str(start.year)
    if kind == "financial":
        return f"{start.year}-{(start.year + 1) % 100:02d}"
    return f"{start.year}-{start.month:02d}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def expected_period(expected: Expected, periods: list[str], today: date) -> tuple[str, date] | None:
    """The latest period the publisher should have out by ``today`` (its due date and grace passed),
    named as the source names its periods, and the date it has been due since; None without a
    period calendar (``period_offset``) or periods named otherwise."""
    kind = _period_kind(periods)
    if expected.period_offset is None or kind is None or expected.every not in ("year", "month"):
        return None
    cutoff = today - timedelta(days=expected.grace_days)
    if expected.every == "year":
        month, day = expected.month_day
        year = cutoff.year if (month, day) < (cutoff.month, cutoff.day) else cutoff.year - 1  # grace passed
        start_year = year + expected.period_offset
        start = date(start_year, 4, 1) if kind == "financial" else date(start_year, 1, 1)
        return _name_period(start, kind), date(year, month, day)
    by = int(expected.by)
    due_month = date(cutoff.year, cutoff.month, 1) if cutoff.day > by else _add_months(cutoff, -1)
    brought = _add_months(due_month, expected.period_offset)  # the month the latest due date brings
    if kind == "month":
        return _name_period(brought, kind), date(due_month.year, due_month.month, by)
    if kind == "financial":
        fy = brought.year if brought.month >= 4 else brought.year - 1
        first_due = _add_months(date(fy, 4, 1), -expected.period_offset)  # its first month's due date
        return _name_period(date(fy, 4, 1), kind), date(first_due.year, first_due.month, by)
    year_due = _add_months(date(brought.year, 1, 1), -expected.period_offset)
    return _name_period(date(brought.year, 1, 1), kind), date(year_due.year, year_due.month, by)


def period_behind(latest: str | None, expected: tuple[str, date] | None, periods: list[str]) -> bool:
    """Whether the latest period held is older than the one the publisher should have out."""
    kind = _period_kind(periods)
    if latest is None or expected is None or kind is None or _period_kind([latest]) is None:
        return False
    return _period_start(latest, kind) < _period_start(expected[0], kind)


@dataclass(frozen=True)
class SourceStatus:
    source_id: str
    family: str
    state: str  # ok | LATE | no calendar | never loaded
    latest_period: str | None
    file_name: str | None  # the vintage loaded for the latest period
    sha256: str | None
    mode: str | None
    last_new_file_at: str | None  # when a changed file was last landed
    last_checked_at: str | None  # the last fetch, new or not
    expected: str
    next_due: str | None
    late_by_days: int | None
    last_run: str
    expected_period: str | None = None  # the latest period the publisher should have out by now
    expected_since: str | None = None  # since when (its due date)
    detail: str = ""  # why a source is LATE, in words

    def as_row(self) -> dict:
        return asdict(self)


def _day(iso: str) -> date:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).date()


def _last_run(source_id: str, validated: dict, error: dict) -> str:
    passed = validated.get(source_id, {}).get("at")
    failed = error.get("at") if source_id in error.get("arguments", []) else None
    if failed and (not passed or failed > passed):
        first = str(error.get("error", "")).strip().splitlines()[:1]
        return f"FAILED in {error.get('step')} at {failed[:16]}Z: {first[0] if first else ''}"[:160]
    return f"validated {passed[:16]}Z" if passed else "not validated yet"


def statuses(settings: Settings, as_of: date | None = None) -> list[SourceStatus]:
    """Every catalogue source's status as of ``as_of`` (default: today, UTC)."""
    today = as_of or datetime.now(UTC).date()
    rows = list(read_manifest(settings.landing_dir))

    validated, error = read_state(VALIDATED_RAW, settings), read_state(LAST_ERROR, settings)
    out = []
    for source in catalogue():
        mine = [r for r in rows if r.source_id == source.id]
        new = [r for r in mine if r.outcome == "new"]
        latest_period = max((r.period for r in mine), default=None)
        vintage = max((r for r in mine if r.period == latest_period), key=lambda r: r.retrieved_at, default=None)
        files = len({r.file_name for r in mine if r.period == latest_period})
        last_new = max((r.retrieved_at for r in new), default=None)
        due = due_after_file(source.expected, _day(last_new)) if last_new else None
        late_by = (today - due).days - source.expected.grace_days if due else None
        periods = [p.period for p in source.partitions]
        wanted = expected_period(source.expected, periods, today)
        behind = period_behind(latest_period, wanted, periods)
        detail = ""
        if not mine:
            state = "never loaded"
        elif behind:
            state = "LATE"
            detail = f"LATE: {wanted[0]} expected since {wanted[1].isoformat()}"
        elif due is None:
            state = "no calendar"
        elif late_by is not None and late_by > 0:
            state = "LATE"
            detail = f"LATE: a new file was due by {due.isoformat()} ({late_by}d past its grace)"
        else:
            state = "ok"
        out.append(
            SourceStatus(
                source_id=source.id,
                family=source.family,
                state=state,
                latest_period=latest_period,
                file_name=(vintage.file_name if files == 1 else f"{files} files") if vintage else None,
                sha256=vintage.sha256 if vintage and files == 1 else None,
                mode=vintage.mode if vintage else None,
                last_new_file_at=last_new,
                last_checked_at=max((r.retrieved_at for r in mine), default=None),
                expected=source.expected.describe(),
                next_due=due.isoformat() if due else None,
                late_by_days=late_by if state == "LATE" and late_by and late_by > 0 else None,
                last_run=_last_run(source.id, validated, error),
                expected_period=wanted[0] if wanted else None,
                expected_since=wanted[1].isoformat() if wanted else None,
                detail=detail,
            )
        )
    return out
