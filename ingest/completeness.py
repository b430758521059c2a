"""The completeness gate: a new file is checked against what it must hold before anything is loaded.

For a source with ``completeness:`` in the catalogue (core.catalogue.Completeness), a new file for
a period is refused (SourceError naming the file and what it lacks) when

* it lacks a council of the region (its row is missing, or its area code changed), or an area the
  previous vintage of the same period held (``areas``: the parser's area code column);
* it has markedly fewer rows than the previous vintage of the same period: more than
  ``max_row_drop_pct`` percent fewer (a file cut short at a line break is still valid CSV).

A restatement that really drops rows or areas passes only when the run acknowledges it
(``--accept-fewer-rows SOURCE[:PERIOD]``, i.e. WHOLEPLACE_ACCEPT_FEWER_ROWS): the acknowledgement is
recorded in ``raw.completeness_acknowledgements`` (and the landing zone's load ledger), and the
release's changelog names it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from core.catalogue import Source
from core.db import ACKNOWLEDGEMENTS
from core.errors import SourceError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from core.landing import Landed
    from core.settings import Settings

log = logging.getLogger(__name__)

SHOWN = 12  # codes named in a message; the rest are counted


@dataclass(frozen=True)
class Shortfall:
    """What a new file lacks against the region and the previous vintage of its period."""

    source_id: str
    period: str
    file_name: str
    sha256: str
    rows: int
    previous_rows: int | None
    previous_file: str | None
    missing_region_areas: tuple[str, ...]
    missing_previous_areas: tuple[str, ...]
    row_drop_pct: float | None  # set only when over the tolerance

    @property
    def empty(self) -> bool:
        return not (self.missing_region_areas or self.missing_previous_areas or self.row_drop_pct is not None)

    def describe(self, tolerance_pct: float, names: dict[str, str]) -> str:
        parts = []
        if self.missing_region_areas:
            parts.append(
                f"it lacks {len(self.missing_region_areas)} area(s) the region needs: "
                + _codes(self.missing_region_areas, names)
                + " (a row missing, or its area code changed)"
            )
        if self.missing_previous_areas:
            parts.append(
                f"it lacks {len(self.missing_previous_areas)} area(s) the previous vintage "
                f"({self.previous_file}) held: " + _codes(self.missing_previous_areas, names)
            )
        if self.row_drop_pct is not None:
            parts.append(
                f"it has {self.rows:,} rows where the previous vintage ({self.previous_file}) had "
                f"{self.previous_rows:,}: {self.row_drop_pct:.1f}% fewer, over the {tolerance_pct:g}% "
                "the catalogue tolerates (completeness.max_row_drop_pct)"
            )
        return "; ".join(parts)


def _codes(codes: tuple[str, ...], names: dict[str, str]) -> str:
    shown = [f"{c} ({names[c]})" if c in names else c for c in codes[:SHOWN]]
    more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
    return ", ".join(shown) + more


def acknowledged(settings: Settings, source_id: str, period: str) -> bool:
    """Whether this run acknowledges fewer rows or areas for the source's period."""
    return bool({source_id, f"{source_id}:{period}", "*"} & set(settings.accept_fewer_rows))


def shortfall(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landed: Landed,
    frame: pd.DataFrame,
    councils: dict[str, str],
) -> Shortfall:
    """What the new file lacks against the region and the previous vintage of its period (empty
    when nothing: a source without an ``areas`` rule is checked on its row count only)."""
    rule = source.completeness
    table = f'raw."{source.id}"'
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [source.id]
    ).fetchall()[0][0]
    previous_rows, previous_file, previous_areas = None, None, set()
    if exists:
        (count, files) = con.execute(
            f"select count(*), list(distinct _source_file || ' sha256 ' || left(_source_file_sha256, 12)) "
            f"from {table} where _period = ? and _source_file_sha256 <> ?",
            [landed.period, landed.sha256],
        ).fetchall()[0]
        if count:
            previous_rows, previous_file = int(count), ", ".join(sorted(files))
            if rule.areas:
                previous_areas = {
                    str(code).strip()
                    for (code,) in con.execute(
                        f'select distinct "{rule.areas}" from {table} where _period = ? and "{rule.areas}" is not null',
                        [landed.period],
                    ).fetchall()
                }
    have: set[str] = set()
    if rule.areas:
        have = {str(v).strip() for v in frame[rule.areas].dropna().unique()}
    missing_region = tuple(c for c in councils if rule.areas and c not in have)
    missing_previous = tuple(sorted(c for c in previous_areas - have if c and c not in missing_region))
    drop = None
    if previous_rows:
        pct = 100.0 * (previous_rows - len(frame)) / previous_rows
        if pct > rule.max_row_drop_pct:
            drop = pct
    return Shortfall(
        source.id,
        landed.period,
        landed.file_name,
        landed.sha256,
        len(frame),
        previous_rows,
        previous_file,
        missing_region,
        missing_previous,
        drop,
    )


def check(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    landed: Landed,
    frame: pd.DataFrame,
    settings: Settings,
    councils: dict[str, str],
) -> Shortfall | None:
    """Refuse a file that falls short (SourceError naming the file and what it lacks), unless the
    run acknowledges it; return the acknowledged shortfall (to record), or None."""
    found = shortfall(con, source, landed, frame, councils)
    if found.empty:
        return None
    detail = found.describe(source.completeness.max_row_drop_pct, councils)
    if acknowledged(settings, source.id, landed.period):
        log.warning("%s %s: %s: accepted (--accept-fewer-rows): %s", source.id, landed.period, landed.file_name, detail)
        return found
    raise SourceError(
        source.id,
        landed.file_name,
        f"refused before loading ({landed.period}): {detail}. Nothing of it was loaded. If the publisher really "
        f"dropped them, acknowledge it: make run ACCEPT_FEWER_ROWS={source.id}:{landed.period} "
        "(the release's changelog records the acknowledgement)",
    )


def record(con: duckdb.DuckDBPyConnection, found: Shortfall) -> None:
    """Record an acknowledged shortfall (in the load's connection, after the load)."""
    con.execute(
        f"create table if not exists {ACKNOWLEDGEMENTS} (source_id varchar, period varchar, file_name varchar, "
        "sha256 varchar, rows bigint, previous_rows bigint, previous_file varchar, missing_region_areas varchar[], "
        "missing_previous_areas varchar[], row_drop_pct double, acknowledged_at timestamp)"
    )
    con.execute(
        f"delete from {ACKNOWLEDGEMENTS} where source_id = ? and period = ? and sha256 = ?",
        [found.source_id, found.period, found.sha256],
    )
    values = [list(v) if isinstance(v, tuple) else v for v in asdict(found).values()]  # the table's order
    con.execute(
        f"insert into {ACKNOWLEDGEMENTS} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*values, datetime.now(UTC).replace(tzinfo=None)],
    )
