"""Statistical disclosure control for person counts we publish below England level.

Rules (applied when a release is written, to counts the warehouse derived itself; measures a
publisher already published are republished as published):

- 0 stays 0;
- 1 to 7 is suppressed: no value, status ``[c]``;
- any other count is rounded to the nearest 5 (halves up), status ``rounded``;
- where a suppressed cell sits in a group of cells that add up to a total published in the same
  release, the smallest other cell of the group is suppressed too (secondary suppression), so
  the total minus the others does not give the suppressed cell away;
- rates and percentages are recomputed from the published (rounded) counts, and are suppressed
  where a count they use is.

``feasible_values`` is the attacker's view used by the tests: from what a release publishes, the
values a suppressed cell could take. A cell is protected when more than one value is possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

import pandas as pd

SUPPRESSED = "[c]"
ROUNDED = "rounded"
EXACT = "published"
LOW, HIGH = 1, 7
BASE = 5


@dataclass(frozen=True)
class DisclosureSpec:
    counts: tuple[str, ...]  # person-count columns to control
    derived_flag: str  # boolean column: True where the warehouse derived the counts itself
    status_column: str  # receives [c] / rounded / published
    group_by: tuple[str, ...] = ()  # cells sharing these values belong to one published total
    total_flag: str | None = None  # boolean column marking the group's total row
    rate: tuple[str, str, str, float] | None = None  # (value, numerator, denominator, multiplier)


def round_or_suppress(count: float | int | None) -> tuple[int | None, str]:
    """The published form of one derived person count and its status."""
    if count is None or pd.isna(count):
        return None, "not_available"
    n = int(Decimal(str(count)).to_integral_value(rounding=ROUND_HALF_UP))
    if n == 0:
        return 0, EXACT
    if LOW <= n <= HIGH:
        return None, SUPPRESSED
    rounded = int((Decimal(n) / BASE).to_integral_value(rounding=ROUND_HALF_UP) * BASE)
    return rounded, ROUNDED


def control(frame: pd.DataFrame, spec: DisclosureSpec) -> pd.DataFrame:
    """Apply the rules to the derived rows of ``frame`` (a copy is returned)."""
    out = frame.copy()
    if out.empty:
        return out
    original = frame[list(spec.counts)].copy()
    derived = out[spec.derived_flag].fillna(False).astype(bool)
    statuses = pd.Series([EXACT] * len(out), index=out.index, dtype=object)
    suppressed = pd.DataFrame(False, index=out.index, columns=list(spec.counts))
    for column in spec.counts:
        published = []
        for idx, value in out[column].items():
            if not derived[idx]:
                published.append(value)
                continue
            new, status = round_or_suppress(value)
            published.append(new)
            suppressed.loc[idx, column] = status == SUPPRESSED
            if status == SUPPRESSED or (status == ROUNDED and statuses[idx] == EXACT):
                statuses[idx] = status
        out[column] = pd.array(published, dtype="Float64")
    if spec.group_by:
        _secondary(out, original, derived, suppressed, statuses, spec)
    for column in spec.counts:
        out.loc[suppressed[column], column] = pd.NA
    if spec.rate is not None:
        value, numerator, denominator, multiplier = spec.rate
        rate = out[numerator].astype("Float64") / out[denominator].astype("Float64").replace(0, pd.NA) * multiplier
        out[value] = out[value].astype("Float64")
        out.loc[derived, value] = rate[derived].round(1)
    out[spec.status_column] = statuses.where(derived, out.get(spec.status_column, statuses))
    return out


def _secondary(out, original, derived, suppressed, statuses, spec: DisclosureSpec) -> None:
    total = out[spec.total_flag].fillna(False).astype(bool) if spec.total_flag else pd.Series(False, index=out.index)
    for _, group in out[derived].groupby(list(spec.group_by), dropna=False):
        parts = [i for i in group.index if not total[i]]
        totals = [i for i in group.index if total[i]]
        if not totals or len(parts) < 2:
            continue  # no total published beside these cells: nothing to subtract from
        for column in spec.counts:
            hidden = [i for i in parts if suppressed.loc[i, column]]
            candidates = [i for i in parts if not suppressed.loc[i, column] and pd.notna(out.loc[i, column])]
            if len(hidden) == 1 and candidates:
                smallest = min(candidates, key=lambda i: (out.loc[i, column], str(i)))
                suppressed.loc[smallest, column] = True
                statuses[smallest] = SUPPRESSED
            # audit: if the published total still pins a hidden cell down (every cell 7, total 28),
            # suppress the total as well
            if not any(suppressed.loc[i, column] for i in parts) or suppressed.loc[totals[0], column]:
                continue
            view = [
                (None, SUPPRESSED) if suppressed.loc[i, column] else (out.loc[i, column], statuses[i]) for i in parts
            ]
            primary = [bool(suppressed.loc[i, column]) and LOW <= original.loc[i, column] <= HIGH for i in parts]
            top = (out.loc[totals[0], column], statuses[totals[0]])
            if any(len(v) <= 1 for v in feasible_values(view, top, primary)):
                suppressed.loc[totals[0], column] = True
                statuses[totals[0]] = SUPPRESSED


def _interval(value, status: str) -> range:
    """The true values a published (not suppressed) cell can stand for."""
    v = int(value)
    if status == ROUNDED:
        return range(max(v - 2, 0), v + 3)
    return range(v, v + 1)


def feasible_values(
    parts: list[tuple[float | None, str]],
    total: tuple[float | None, str],
    primary: list[bool] | None = None,
) -> list[set[int]]:
    """For each suppressed part, the values it could take given the published parts and total.

    ``parts`` and ``total`` are (published value, status) pairs. ``primary`` marks the parts an
    attacker is assumed to know were suppressed for being 1 to 7 (the worst case); any other
    suppressed part could be anything from 0 up to what the total allows.
    """
    total_range = _interval(total[0], total[1])
    t_lo, t_hi = total_range.start, total_range.stop - 1
    known_lo = sum(_interval(v, s).start for v, s in parts if s != SUPPRESSED)
    known_hi = sum(_interval(v, s).stop - 1 for v, s in parts if s != SUPPRESSED)
    hidden = [k for k, (_, s) in enumerate(parts) if s == SUPPRESSED]
    budget_hi = max(t_hi - known_lo, 0)  # the most the hidden cells can add up to
    primary = primary or [False] * len(parts)
    ranges = [range(LOW, HIGH + 1) if primary[k] else range(0, budget_hi + 1) for k in hidden]
    possible: dict[int, set[int]] = {k: set() for k in hidden}
    for combo in product(*ranges):
        if t_lo - known_hi <= sum(combo) <= t_hi - known_lo:
            for k, v in zip(hidden, combo, strict=True):
                possible[k].add(v)
    return [possible[k] for k in hidden]
