"""Find a plain CSV's header row and columns by content, the way the reference parsers need.

Publishers reorder and add columns, and ONS Open Geography lookups put the boundary vintage in
the field names (``LAD23CD`` for April 2023, ``LAD24CD`` a year later), so columns are looked up
by name or by a pattern that captures the two-digit vintage, never by position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ingest.sheets import Grid

GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")


def norm(text: str) -> str:
    """A heading as compared: no BOM, whitespace collapsed, lower case."""
    return " ".join(text.replace("\ufeff", "").split()).lower()


def find_header(grid: Grid, names: Iterable[str], *, limit: int = 20) -> int:
    """Index of the first row (within ``limit`` rows) holding every one of ``names`` (any case)."""
    wanted = {norm(n) for n in names}
    for i in range(min(limit, len(grid.rows))):
        if wanted <= {norm(c) for c in grid.rows[i]}:
            return i
    raise grid.error(f"no header row with the columns {', '.join(sorted(names))} in the first {limit} rows")


def find_vintage_header(grid: Grid, pattern: str, *, limit: int = 20) -> int:
    """Index of the first row (within ``limit`` rows) with a cell matching ``pattern`` in full."""
    regex = re.compile(pattern, re.IGNORECASE)
    for i in range(min(limit, len(grid.rows))):
        if any(regex.fullmatch(norm(c)) for c in grid.rows[i]):
            return i
    shown = pattern.replace(r"(\d\d)", "yy")
    raise grid.error(f"no header row with a {shown} column in the first {limit} rows")


def columns_by_name(
    grid: Grid,
    header: int,
    names: Mapping[str, str],
    *,
    optional: Iterable[str] = (),
) -> dict[str, int | None]:
    """Map output field -> column index for header names (any case); optional fields may be None."""
    index: dict[str, int] = {}
    for j, text in enumerate(grid.rows[header]):
        index.setdefault(norm(text), j)
    optional = set(optional)
    found: dict[str, int | None] = {}
    for field, name in names.items():
        j = index.get(norm(name))
        if j is None and field not in optional:
            raise grid.error(f"the header has no {name!r} column", row=header)
        found[field] = j
    return found


def looks_like_header(row: list[str], headings) -> bool:
    """Most of the expected headings are in the row (so a missing one is then reported by name)."""
    cells = {norm(c) for c in row}
    wanted = [norm(h) for h in headings]
    return sum(h in cells for h in wanted) > len(wanted) // 2


def columns_by_heading(grid: Grid, header: int, headings: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """Output field -> column index, each field found by the first of its alternative headings
    present (any case and spacing): publishers reorder columns and rename them between editions."""
    positions: dict[str, int] = {}
    for j, text in enumerate(grid.rows[header]):
        positions.setdefault(norm(text), j)
    columns = {}
    for field, alternatives in headings.items():
        found = [positions[norm(h)] for h in alternatives if norm(h) in positions]
        if not found:
            raise grid.error(f"missing required column {' or '.join(repr(h) for h in alternatives)}", row=header)
        columns[field] = found[0]
    return columns


def columns_by_vintage(grid: Grid, header: int, patterns: Mapping[str, str]) -> tuple[dict[str, int], int]:
    """Find ONS lookup columns by pattern (``LAD(\\d\\d)CD``) and return them with the vintage year.

    Each pattern must match exactly one header cell in full (any case) and every match must carry
    the same two-digit year: a lookup mixes vintages only by mistake.
    """
    head = grid.rows[header]
    found: dict[str, int] = {}
    years: dict[str, str] = {}
    for field, pattern in patterns.items():
        regex = re.compile(pattern, re.IGNORECASE)
        hits = [(j, m) for j, text in enumerate(head) if (m := regex.fullmatch(norm(text)))]
        shown = pattern.replace(r"(\d\d)", "yy")
        if not hits:
            raise grid.error(f"the header has no column like {shown}", row=header)
        if len(hits) > 1:
            cols = ", ".join(head[j] for j, _ in hits)
            raise grid.error(f"several columns look like {shown} ({cols})", row=header, col=hits[1][0])
        j, m = hits[0]
        found[field] = j
        years[head[j]] = m.group(1)
    if len(set(years.values())) != 1:
        mixed = ", ".join(f"{name} ({yy})" for name, yy in years.items())
        raise grid.error(f"the columns carry different vintages: {mixed}", row=header)
    return found, 2000 + int(next(iter(years.values())))


def is_blank_row(row: list[str]) -> bool:
    return not any(c.strip() for c in row)
