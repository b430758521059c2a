"""warehouse.publication.disclosure: person counts we derive are rounded or suppressed, and a suppressed
cell cannot be recovered from a total published in the same release."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from warehouse.publication.disclosure import SUPPRESSED, DisclosureSpec, control, feasible_values, round_or_suppress

SPEC = DisclosureSpec(
    counts=("people",),
    derived_flag="is_derived",
    status_column="people_status",
    group_by=("indicator", "year"),
    total_flag="is_total",
)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, (0, "published")),
        (1, (None, "[c]")),
        (7, (None, "[c]")),
        (8, (10, "rounded")),
        (12, (10, "rounded")),
        (13, (15, "rounded")),
        (12.5, (15, "rounded")),
        (1234, (1235, "rounded")),
        (None, (None, "not_available")),
    ],
)
def test_zero_stays_zero_one_to_seven_is_suppressed_and_the_rest_rounds_to_five(count, expected):
    assert round_or_suppress(count) == expected


def group(values: list[int], *, derived: bool = True) -> pd.DataFrame:
    rows = [
        {"indicator": "x", "year": "2023-24", "area": f"a{k}", "people": v, "is_total": False}
        for k, v in enumerate(values)
    ]
    rows.append({"indicator": "x", "year": "2023-24", "area": "total", "people": sum(values), "is_total": True})
    frame = pd.DataFrame(rows)
    frame["is_derived"] = derived
    return frame


def published(frame: pd.DataFrame) -> tuple[list[tuple[float | None, str]], tuple[float | None, str]]:
    parts = [(r.people if pd.notna(r.people) else None, r.people_status) for r in frame.itertuples() if not r.is_total]
    total = next((r.people, r.people_status) for r in frame.itertuples() if r.is_total)
    return parts, total


def test_counts_published_by_their_publisher_are_republished_as_published():
    out = control(group([3, 41, 12], derived=False), SPEC)
    assert out["people"].tolist() == [3, 41, 12, 56]
    assert set(out["people_status"]) == {"published"}


def test_a_lone_suppressed_cell_beside_a_published_total_gets_a_second_one():
    out = control(group([3, 41, 12]), SPEC)
    statuses = dict(zip(out["area"], out["people_status"], strict=True))
    assert statuses == {"a0": SUPPRESSED, "a1": "rounded", "a2": SUPPRESSED, "total": "rounded"}
    assert pd.isna(out.loc[out.area == "a2", "people"]).all()  # the smallest other cell, 12, is hidden too


def test_a_suppressed_cell_cannot_be_recovered_from_the_total_and_the_other_cells():
    out = control(group([3, 41, 12]), SPEC)
    parts, total = published(out)
    primary = [True, False, False]
    for possible in feasible_values(parts, total, primary):
        assert len(possible) > 1


def test_without_secondary_suppression_the_same_cell_would_be_recoverable():
    # what the rule guards against: 3 hidden, the others and the total published exactly
    parts = [(None, SUPPRESSED), (41, "published"), (12, "published")]
    assert feasible_values(parts, (56, "published"), [True, False, False]) == [{3}]


def test_random_groups_never_give_a_suppressed_cell_away():
    rng = random.Random(7)
    for _ in range(200):
        values = [rng.choice([0, 1, 2, 5, 7, 9, 14, 30, 120]) for _ in range(rng.randint(2, 5))]
        out = control(group(values), SPEC)
        parts, total = published(out)
        if total[1] == SUPPRESSED:
            continue  # a suppressed total protects the cells by itself
        primary = [1 <= v <= 7 for v in values]
        for possible in feasible_values(parts, total, primary):
            assert len(possible) > 1, (values, parts, total)


def test_rates_are_recomputed_from_the_published_counts():
    frame = pd.DataFrame({"num": [1234, 3], "den": [56789, 100], "value": [2.173, 3.0], "is_derived": [True, True]})
    spec = DisclosureSpec(
        counts=("num", "den"), derived_flag="is_derived", status_column="status", rate=("value", "num", "den", 100.0)
    )
    out = control(frame, spec)
    assert out.loc[0, "num"] == 1235 and out.loc[0, "den"] == 56790
    assert out.loc[0, "value"] == round(1235 / 56790 * 100, 1)
    assert pd.isna(out.loc[1, "value"]) and out.loc[1, "status"] == SUPPRESSED


def test_feasible_values_enumerates_every_combination():
    parts = [(None, SUPPRESSED), (None, SUPPRESSED), (10, "rounded")]
    got = feasible_values(parts, (20, "rounded"), [True, False, False])
    brute = [set(), set()]
    for a, b, c, t in itertools.product(range(1, 8), range(0, 40), range(8, 13), range(18, 23)):
        if a + b + c == t:
            brute[0].add(a)
            brute[1].add(b)
    assert got == brute
