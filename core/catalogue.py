"""The source catalogue: one declarative entry per source (the only place URLs and licences live).

``catalogue.yml`` holds the entries; this module loads them into frozen dataclasses and checks
them, so a mistake in the catalogue fails early with a message that names the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from core import yamlfile
from core.errors import CatalogueError
from core.settings import PROJECT_DIR

# the entries live beside the source modules they name (ingest/sources/<id>.py)
CATALOGUE_PATH = PROJECT_DIR / "ingest" / "catalogue.yml"
FAMILIES = ("council", "nhs", "combined_authority", "reference")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Discover:
    """Find the current file on a GOV.UK page through the Content API (URLs change on republish)."""

    page: str  # path on www.gov.uk, e.g. /government/statistics/...
    filename: str  # regular expression matched against the attachment's file name

    @property
    def api_url(self) -> str:
        return f"https://www.gov.uk/api/content{self.page}"


# what the held file is, against the publisher's own (catalogue ``copy.status``), in words
COPY_STATUSES = {
    "publisher_file": "the publisher's own file, unchanged",
    "publisher_file_republished": "the publisher's own file, as a third party republished it (values as published)",
    "sheet_export": "a CSV export of the publisher's worksheet by a third party (values and layout as published)",
    "republisher_layout": "the publisher's values in a republisher's layout (columns renamed or dropped)",
    "synthetic_sample": "SYNTHETIC: made up in the publisher's layout, not a publication",
}


@dataclass(frozen=True)
class Copy:
    """Whether the held file is the publisher's own or a copy, and who republished it."""

    status: str
    via: str | None = None

    @property
    def text(self) -> str:
        return COPY_STATUSES[self.status] + (f"; held via {self.via}" if self.via else "")


@dataclass(frozen=True)
class Partition:
    """One fetchable unit of a source: usually a financial year (``2023-24``), else a label."""

    period: str
    url: str | None = None
    discover: Discover | None = None
    snapshot: str | None = None  # path under the snapshot directory; a folder (ending in /) is a file set
    note: str | None = None
    page: str | None = None  # the publisher's page of this publication (else the discover page or the source's)
    file_url: str | None = None  # the publisher's own link to the file, where known (else url)
    copy: Copy | None = None  # where this period's file differs from the source's copy status
    pages: tuple[tuple[str, str], ...] = ()  # a file set: (file name prefix, the publisher's page)

    @property
    def is_file_set(self) -> bool:
        """Many files make up the period (e.g. a council's monthly spending files): every file in
        the snapshot folder is landed, and the source's ``load_files`` loads the new or changed ones."""
        return bool(self.snapshot and self.snapshot.endswith("/"))

    @property
    def has_live_location(self) -> bool:
        return bool(self.url or self.discover)


@dataclass(frozen=True)
class Expected:
    """When a new file is due, from the source's cadence (``expected:`` in the catalogue).

    every: year  -> by "MM-DD" each year (or, without ``by``, within a year of the last new file)
           month -> by day ``by`` of each month
           none  -> no calendar (decennial, ad hoc, irregular): never late
    A new file answers the due date nearest to it; the next is due on the date after that, and is
    late once ``grace_days`` have passed since then without a newer file (core.freshness).

    period_offset: which period a due date brings, so a source whose held period is behind the
    publisher's is late however recently its file landed (core.freshness.expected_period): the
    period starting ``period_offset`` years (months, for a monthly source) after the due date's
    year (month). RA, due by 30 June 2026, brings 2026-27 (0); RSX, due by 30 November 2026,
    brings 2025-26 (-1); a monthly file due by the 28th brings the month before (-1).
    """

    every: str = "none"
    by: str | int | None = None
    grace_days: int = 0
    period_offset: int | None = None

    @property
    def month_day(self) -> tuple[int, int]:
        """A yearly source's due date, ``by: 'MM-DD'``, as (month, day)."""
        month, day = (int(x) for x in str(self.by).split("-"))
        return month, day

    def due_cron(self) -> str | None:
        """A cron expression firing on each due date (midnight UTC); None without fixed dates."""
        if self.every == "year" and self.by:
            month, day = self.month_day
            return f"0 0 {day} {month} *"
        if self.every == "month":
            return f"0 0 {int(self.by or 1)} * *"
        return None

    def check_crons(self) -> tuple[str, ...]:
        """When the ingest DAGs check this source (05:00 UTC): weekly on Mondays from a month before
        a due date until its grace ends, and on the 1st of every month (restatements); weekly for a
        monthly source; monthly without fixed dates."""
        monthly, weekly = "0 5 1 * *", "0 5 * * 1"
        if self.every == "month":
            return (weekly,)
        if self.every == "year" and self.by:
            month, day = self.month_day
            due = date(2001, month, min(day, 28))
            first, last = due - timedelta(days=31), due + timedelta(days=self.grace_days)
            months, at = [], date(first.year, first.month, 1)
            while at <= last:
                months.append(at.month)
                at = date(at.year + (at.month == 12), at.month % 12 + 1, 1)
            return (f"0 5 * {','.join(map(str, months))} 1", monthly)
        return (monthly,)

    def describe(self) -> str:
        if self.every == "none":
            return "no calendar"
        if self.every == "month":
            return f"monthly by day {self.by} (+{self.grace_days} days)"
        when = f"by {self.by}" if self.by else "within a year of the last"
        return f"yearly {when} (+{self.grace_days} days)"


@dataclass(frozen=True)
class Completeness:
    """What a new file must hold before anything of it is loaded (``completeness:`` in the
    catalogue; checked by ingest.completeness):

    areas             the parser's column of area codes: every council of the region, and every
                      area the previous vintage of the same period held, must be in the new file
    max_row_drop_pct  how many fewer rows than the previous vintage of the same period a new file
                      may have, in percent (0: none fewer)

    A file that falls short is refused, naming it and what it lacks, unless the run acknowledges it
    (``--accept-fewer-rows SOURCE[:PERIOD]``); an acknowledgement is recorded and the release's
    changelog says so.
    """

    areas: str | None = None
    max_row_drop_pct: float = 0.0


@dataclass(frozen=True)
class Source:
    id: str
    family: str
    publisher: str
    title: str
    landing_page: str
    format: str
    licence: str
    attribution: str
    cadence: str
    synthetic: bool
    provenance: str
    partitions: tuple[Partition, ...] = field(default_factory=tuple)
    expected: Expected = field(default_factory=Expected)
    completeness: Completeness = field(default_factory=Completeness)
    unit: str = "none"  # the unit of the figures as published, e.g. "£ thousand"
    unit_multiplier: int | None = None  # what a published figure is multiplied by to give the unit's base (1000)
    copy: Copy = field(default_factory=lambda: Copy("publisher_file"))

    def file_provenance(self, period: str, file_name: str) -> dict[str, str | int | None]:
        """Where a held file of ``period`` came from, for source_files.csv: the publisher's page and
        file link (None where not known), the unit and multiplier as published, the copy status."""
        part = next((p for p in self.partitions if p.period == period), None)
        page = self.landing_page
        file_url = None
        copy = self.copy
        if part is not None:
            if part.discover:
                page = "https://www.gov.uk" + part.discover.page
            page = next((url for prefix, url in part.pages if file_name.startswith(prefix)), part.page or page)
            file_url = part.file_url or part.url
            copy = part.copy or copy
        return {
            "publisher_page": page,
            "publisher_file_url": file_url,
            "unit": self.unit,
            "unit_multiplier": self.unit_multiplier,
            "copy_status": copy.status,
            "copy_note": copy.text,
        }

    @property
    def raw_table(self) -> str:
        return f"raw.{self.id}"

    @property
    def asset_uri(self) -> str:
        """The Airflow Asset this source's raw table is published as."""
        return f"duckdb://wholeplace/raw/{self.id}"

    def partition(self, period: str) -> Partition:
        for p in self.partitions:
            if p.period == period:
                return p
        known = ", ".join(p.period for p in self.partitions)
        raise CatalogueError(f"{self.id}: no partition {period!r} (known: {known})")

    def hosts(self) -> set[str]:
        """Hosts live mode may contact for this source."""
        hosts: set[str] = set()
        for p in self.partitions:
            if p.url:
                hosts.add(urlsplit(p.url).hostname or "")
            if p.discover:
                hosts.add("www.gov.uk")
                hosts.add("assets.publishing.service.gov.uk")
        hosts.discard("")
        return hosts


@dataclass(frozen=True)
class Catalogue:
    sources: tuple[Source, ...]

    def __iter__(self):
        return iter(self.sources)

    def get(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise CatalogueError(
            f"unknown source {source_id!r}; the catalogue has: {', '.join(s.id for s in self.sources)}"
        )

    def by_family(self, family: str) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.family == family)

    def families(self) -> tuple[str, ...]:
        """Families that have at least one source, in the canonical order."""
        present = {s.family for s in self.sources}
        return tuple(f for f in FAMILIES if f in present)

    def allowed_hosts(self) -> set[str]:
        hosts: set[str] = set()
        for s in self.sources:
            hosts |= s.hosts()
        return hosts


def _require(entry: dict, key: str, where: str):
    if key not in entry or entry[key] in (None, ""):
        raise CatalogueError(f"{where}: missing {key!r}")
    return entry[key]


def _check_https(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise CatalogueError(f"{where}: URLs must be https, got {url!r}")
    return url


_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _expected(raw: object, where: str) -> Expected:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: 'expected' must be a mapping like {{every: year, by: '06-30'}}")
    every, by, grace = raw.get("every"), raw.get("by"), raw.get("grace_days", 0)
    if every not in ("year", "month", "none"):
        raise CatalogueError(f"{where}: expected.every must be year, month or none, got {every!r}")
    if every == "year" and by is not None and not _MONTH_DAY.match(str(by)):
        raise CatalogueError(f"{where}: expected.by for a yearly source is 'MM-DD' (quoted), got {by!r}")
    if every == "month" and not (isinstance(by, int) and 1 <= by <= 28):
        raise CatalogueError(f"{where}: expected.by for a monthly source is a day of the month 1-28, got {by!r}")
    if every == "none" and by is not None:
        raise CatalogueError(f"{where}: expected.by makes no sense without a calendar (every: none)")
    if not isinstance(grace, int) or grace < 0:
        raise CatalogueError(f"{where}: expected.grace_days must be a whole number of days, got {grace!r}")
    offset = raw.get("period_offset")
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int) or every == "none" or not by):
        raise CatalogueError(
            f"{where}: expected.period_offset is a whole number of years (months, monthly) for a source with "
            f"fixed due dates (every and by), got {offset!r}"
        )
    return Expected(every, by, grace, offset)


def _completeness(raw: object, where: str) -> Completeness:
    if raw is None:
        return Completeness()
    if not isinstance(raw, dict) or set(raw) - {"areas", "max_row_drop_pct"}:
        raise CatalogueError(f"{where}: 'completeness' is a mapping like {{areas: ons_code, max_row_drop_pct: 2}}")
    areas, pct = raw.get("areas"), raw.get("max_row_drop_pct", 0)
    if areas is not None and not isinstance(areas, str):
        raise CatalogueError(f"{where}: completeness.areas names the parser's area code column, got {areas!r}")
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100:
        raise CatalogueError(f"{where}: completeness.max_row_drop_pct is a percentage 0-100, got {pct!r}")
    return Completeness(areas, float(pct))


def _copy(raw: object, where: str) -> Copy:
    if not isinstance(raw, dict) or raw.get("status") not in COPY_STATUSES or set(raw) - {"status", "via"}:
        raise CatalogueError(
            f"{where}: 'copy' is a mapping {{status: <{' | '.join(COPY_STATUSES)}>, via: <who republished it>}}, "
            f"got {raw!r}"
        )
    return Copy(raw["status"], raw.get("via"))


def _partition(raw: dict, where: str) -> Partition:
    period = str(_require(raw, "period", where))
    where = f"{where} partition {period}"
    url = raw.get("url")
    if url:
        _check_https(url, where)
    discover = None
    if raw.get("discover"):
        d = raw["discover"]
        page = _require(d, "page", where)
        if not str(page).startswith("/"):
            raise CatalogueError(f"{where}: discover.page must be a path starting with '/'")
        pattern = _require(d, "filename", where)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogueError(f"{where}: discover.filename is not a valid pattern: {exc}") from exc
        discover = Discover(page=page, filename=pattern)
    snapshot = raw.get("snapshot")
    if not (url or discover or snapshot):
        raise CatalogueError(f"{where}: needs a url, a discover rule or a snapshot")
    if snapshot and snapshot.endswith("/") and (url or discover):
        raise CatalogueError(f"{where}: a file set (snapshot folder) has no single live url or discover rule")
    for key in ("page", "file_url"):
        if raw.get(key):
            _check_https(raw[key], f"{where} {key}")
    pages = raw.get("pages") or {}
    if not isinstance(pages, dict):
        raise CatalogueError(f"{where}: 'pages' maps a file name prefix to the publisher's page")
    for page_url in pages.values():
        _check_https(page_url, f"{where} pages")
    return Partition(
        period=period,
        url=url,
        discover=discover,
        snapshot=snapshot,
        note=raw.get("note"),
        page=raw.get("page"),
        file_url=raw.get("file_url"),
        copy=_copy(raw["copy"], where) if "copy" in raw else None,
        pages=tuple(sorted(pages.items())),
    )


def _multiplier(raw: object, where: str) -> int | None:
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 1):
        raise CatalogueError(f"{where}: unit_multiplier is a whole number such as 1000 (figures in £ thousand)")
    return raw


def parse_catalogue(entries: list[dict]) -> Catalogue:
    sources = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        sid = str(_require(entry, "id", f"catalogue entry {i + 1}"))
        where = f"catalogue entry {sid!r}"
        if not _ID.match(sid):
            raise CatalogueError(f"{where}: ids are snake_case (they name tables and modules)")
        if sid in seen:
            raise CatalogueError(f"{where}: duplicate id")
        seen.add(sid)
        family = _require(entry, "family", where)
        if family not in FAMILIES:
            raise CatalogueError(f"{where}: family must be one of {', '.join(FAMILIES)}, got {family!r}")
        partitions = tuple(_partition(p, where) for p in _require(entry, "partitions", where))
        periods = [p.period for p in partitions]
        if len(periods) != len(set(periods)):
            raise CatalogueError(f"{where}: duplicate partition periods {periods}")
        synthetic = entry.get("synthetic")
        if not isinstance(synthetic, bool):
            raise CatalogueError(f"{where}: 'synthetic' must be true or false (say whether figures are real)")
        source = Source(
            id=sid,
            family=family,
            publisher=_require(entry, "publisher", where),
            title=_require(entry, "title", where),
            landing_page=_check_https(_require(entry, "landing_page", where), where),
            format=_require(entry, "format", where),
            licence=_require(entry, "licence", where),
            attribution=_require(entry, "attribution", where),
            cadence=_require(entry, "cadence", where),
            synthetic=synthetic,
            provenance=_require(entry, "provenance", where),
            partitions=partitions,
            expected=_expected(_require(entry, "expected", where), where),
            completeness=_completeness(entry.get("completeness"), where),
            unit=str(_require(entry, "unit", where)),
            unit_multiplier=_multiplier(entry.get("unit_multiplier"), where),
            copy=_copy(_require(entry, "copy", where), where),
        )
        if synthetic != (source.copy.status == "synthetic_sample"):
            raise CatalogueError(f"{where}: a synthetic source's copy status is synthetic_sample, and only its")
        sources.append(source)
    return Catalogue(tuple(sources))


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    try:
        entries = yamlfile.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name} is not valid YAML: {exc}") from exc
    if not isinstance(entries, list):
        raise CatalogueError(f"{path.name}: expected a list of sources")
    return parse_catalogue(entries)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The project's catalogue (cached: it is read-only for the life of a process)."""
    return load_catalogue()
