"""Answers without SQL, in the default region's release: one figure for one measure on every surface
that shows it, canned queries whose default answers hold what their titles promise, and a figure
traced from the release alone to the publisher's file, row and column."""

from __future__ import annotations

import csv
import gzip
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
BIRMINGHAM = "E08000025"
PENNY = Decimal("0.01")


def rows(pipeline, mart: str) -> list[dict]:
    with open(pipeline.latest / f"{mart}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def canned(pipeline, name: str, **params: str) -> list[dict]:
    """A canned query run as Datasette runs it: every parameter it names, empty unless given."""
    from warehouse.publication.datasette import canned_queries

    query = canned_queries()[name]
    sql, names = query["sql"], query["params"]
    con = sqlite3.connect(f"file:{pipeline.latest / 'wholeplace.sqlite'}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, {n: params.get(n, "") for n in names}).fetchall()]
    finally:
        con.close()


def money(value: object) -> Decimal | None:
    if value in (None, "") or (isinstance(value, str) and not re.fullmatch(r"-?[\d.]+", value)):
        return None
    return Decimal(str(value)).quantize(PENNY)


# ---------------------------------------------------------------------------------------------
# one measure, one figure: local government money per head


def _the_mart(pipeline) -> dict[tuple[str, str, str], Decimal | None]:
    """(place, year, measure) -> local government per head, from place_comparisons (the model every
    surface reads), after checking it is whole_place_totals' local_government scope."""
    compared = rows(pipeline, "place_comparisons")
    measure = {(r["area_code"], r["financial_year"], r["measure"]): money(r["per_head_gbp"]) for r in compared}
    totals = {
        (r["area_code"], r["financial_year"], r["measure"]): money(r["per_head_gbp"])
        for r in rows(pipeline, "whole_place_totals")
        if r["scope_code"] == "local_government"
    }
    built = [(r["area_code"], r["financial_year"], r["measure"]) for r in compared if r["is_in_build"] == "true"]
    assert built and all(totals[key] == measure[key] for key in built)
    # every other English place is there as a comparator: 153 places in all
    assert len({r["area_code"] for r in compared if r["area_type"] == "local_authority"}) == 153
    return measure


def table_cells(html: str, table_testid: str, column: str) -> dict[str, tuple[dict, str]]:
    """The cells of ``column`` in the table with that testid: {row's html attributes: data-value}."""
    table = re.search(rf'<table[^>]*data-testid="{table_testid}".*?</table>', html, re.S)
    if not table:
        return {}
    out = {}
    for attrs, body in re.findall(r"<tr ([^>]*)>(.*?)</tr>", table[0], re.S):
        cell = re.search(rf'data-column="{column}" data-value="([^"]*)"', body)
        if cell:
            out[attrs] = cell[1]
    return out


def test_local_government_per_head_is_one_figure_on_every_surface(first_run, pipeline):
    mart = _the_mart(pipeline)
    site = pipeline.latest / "site"
    shown = 0
    # the comparison table and the headline of every profile, every year and measure
    for page in sorted((site / "profiles").glob("*.html")):
        code = page.stem
        html = page.read_text(encoding="utf-8")
        for attrs, value in table_cells(html, "place-comparisons-table", "per_head_gbp").items():
            year = re.search(r'data-period="([^"]+)"', attrs)[1]
            measure = re.search(r'data-measure="([^"]+)"', attrs)[1]
            assert money(value) == mart[(code, year, measure)], (code, year, measure, "comparison table")
            shown += 1
        for year, value in re.findall(
            r'data-scope="local_government" data-measure="outturn" data-financial-year="([^"]+)" '
            r'data-value="[^"]*" data-per-head="([^"]*)"',
            html,
        ):
            assert money(value) == mart[(code, year, "outturn")], (code, year, "headline")
            shown += 1
        # the region's map on the profile, and (below) England's on the index
        section = re.search(r'data-testid="hex-map-section" data-financial-year="([^"]+)"', html)
        if section:
            for attrs, value in table_cells(html, "hex-map-table", "outturn_per_head_gbp").items():
                place = re.search(r'data-area-code="([^"]+)"', attrs)[1]
                assert money(value) == mart[(place, section[1], "outturn")], (code, place, "map")
                shown += 1
    index = (site / "index.html").read_text(encoding="utf-8")
    year = re.search(r'data-testid="hex-map-section" data-financial-year="([^"]+)"', index)[1]
    mapped = table_cells(index, "hex-map-table", "outturn_per_head_gbp")
    expected = {p for (p, y, m), v in mart.items() if y == year and m == "outturn" and v is not None}
    assert {re.search(r'data-area-code="([^"]+)"', a)[1] for a in mapped} >= {p for p in expected if p[:3] != "E47"}
    for attrs, value in mapped.items():
        assert money(value) == mart[(re.search(r'data-area-code="([^"]+)"', attrs)[1], year, "outturn")]
    # the canned queries, every place and year of both measures
    for measure in ("outturn", "budget"):
        for query, column in (("spend_per_head", "Per head, £"), ("place_against_comparators", "Per head, £")):
            answer = canned(pipeline, query, year="all", measure=measure)
            assert answer, (query, measure)
            for r in answer:
                assert money(r[column]) == mart[(r["Code"], r["Year"], measure)], (query, r)
                shown += 1
    assert shown > 100


def test_neighbour_medians_use_every_neighbour_with_a_published_figure(first_run, pipeline):
    named = {}
    for r in rows(pipeline, "nearest_neighbours"):
        named.setdefault(r["area_code"], set()).add(r["neighbour_area_code"])
    compared = rows(pipeline, "place_comparisons")
    figures = {(r["area_code"], r["financial_year"], r["measure"]): r["per_head_gbp"] for r in compared}
    birmingham = [r for r in compared if r["area_code"] == BIRMINGHAM]
    assert birmingham
    for r in birmingham:
        assert int(r["neighbours_named_count"]) == len(named[BIRMINGHAM]) == 15
        # the West Midlands build holds every English place: the median is over every neighbour whose
        # return is published (its figure complete), whatever region it lies in
        published = [n for n in named[BIRMINGHAM] if figures.get((n, r["financial_year"], r["measure"]))]
        assert int(r["neighbours_count"]) == len(published), r
    assert max(int(r["neighbours_count"]) for r in birmingham) == 15
    html = (pipeline.latest / "site" / "profiles" / f"{BIRMINGHAM}.html").read_text(encoding="utf-8")
    assert re.search(r"\(\d+ of 15\)", html)
    answer = canned(pipeline, "place_against_comparators", place=BIRMINGHAM)
    assert answer and all(re.fullmatch(r"\d+ of 15", r["Neighbours counted"]) for r in answer)


# ---------------------------------------------------------------------------------------------
# canned queries: the default answer holds what the title promises


def test_each_canned_querys_default_answer_holds_what_its_title_promises(first_run, pipeline):
    from warehouse.publication.datasette import canned_queries, canned_query_promises

    promises = canned_query_promises()
    for name in canned_queries():
        promise = promises[name]
        assert promise.get("columns"), f"{name}: no promise declared"
        answer = canned(pipeline, name)
        if not answer:
            assert promise.get("may_be_empty"), f"{name}: no answer with its defaults"
            continue
        columns = set(answer[0])
        for column in [*promise["columns"], *promise.get("bodies", [])]:
            assert column in columns, f"{name}: no column {column!r}"
        # columns named in words, not the warehouse's snake_case
        assert not [c for c in columns if re.fullmatch(r"[a-z0-9_]+", c)], name
        if promise.get("one_year"):
            assert len({r["Year"] for r in answer}) == 1, f"{name}: more than one year by default"
        for column in promise.get("filled", []):
            blank = [r for r in answer if r[column] in (None, "")]
            assert not blank, f"{name}: {column!r} blank in {len(blank)} rows, e.g. {blank[0]}"


def test_budget_against_outturn_defaults_to_one_year_of_service_lines(first_run, pipeline):
    answer = canned(pipeline, "budget_against_outturn", body="Birmingham")
    assert answer and {r["Line type"] for r in answer} == {"service"}
    assert len({r["Year"] for r in answer}) == 1 and len(answer) < 30
    every = canned(pipeline, "budget_against_outturn", body="Birmingham", year="all", line_type="all")
    assert len(every) > 200


def test_suppliers_can_leave_out_public_bodies_and_keep_councils_only(first_run, pipeline):
    every = canned(pipeline, "suppliers_paid_by_several_bodies")
    public = [r for r in every if "COUNCIL" in r["Supplier"] or "NHS" in r["Supplier"]]
    assert public, "the region's councils pay public bodies"
    left_out = canned(pipeline, "suppliers_paid_by_several_bodies", public_bodies="leave out")
    assert not [r for r in left_out if "COUNCIL" in r["Supplier"] or "NHS" in r["Supplier"]]
    assert len(left_out) == len(every) - len(public) or len(left_out) < len(every)
    councils = canned(pipeline, "who_the_money_goes_to", councils_only="yes")
    assert councils and {r["Kind of body"] for r in councils} == {"council"}


# ---------------------------------------------------------------------------------------------
# a figure traced from the release alone


def test_every_source_file_names_its_publisher_link_unit_and_copy_status(first_run, pipeline):
    from core.catalogue import COPY_STATUSES

    files = rows(pipeline, "source_files")
    assert files
    for f in files:
        assert f["publisher_page"].startswith("https://"), f
        assert f["unit"], f
        assert f["copy_status"] in COPY_STATUSES and f["copy_note"], f
    money_units = {f["unit"]: f["unit_multiplier"] for f in files if f["unit"].startswith("£ thousand")}
    assert money_units and set(money_units.values()) == {"1000"}


def test_trace_this_figure_takes_a_figure_to_its_file_row_and_column(first_run, pipeline):
    answer = canned(
        pipeline, "trace_this_figure", body="Birmingham", year="2021-22", measure="outturn", theme="adult social care"
    )
    council = [r for r in answer if r["Body code"] == BIRMINGHAM]
    assert len(council) == 1, council
    row = council[0]
    assert row["File"].startswith("RSX_2021-22") and row["Unit as published"] == "£ thousand"
    assert row["Publisher's page"].startswith("https://www.gov.uk/")
    # the file, row and column hold the figure, in £ thousand
    snapshot = next((PROJECT / "ingest" / "snapshots").rglob(row["File"]))
    opener = gzip.open if snapshot.suffix == ".gz" else open
    with opener(snapshot, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        lines = list(csv.reader(fh))
    letters = row["Column"]
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    cell = lines[int(row["Row"]) - 1][index - 1]
    assert Decimal(cell.replace(",", "")) * 1000 == Decimal(str(row["Amount, £"]))


def test_explain_this_total_adds_up_to_the_places_total(first_run, pipeline):
    place = canned(pipeline, "spend_per_head", place=BIRMINGHAM, year="2021-22")
    assert len(place) == 1
    themes = canned(pipeline, "explain_this_total", place=BIRMINGHAM, year="2021-22")
    assert themes and {r["Year"] for r in themes} == {"2021-22"}
    assert sum(Decimal(str(r["Theme total, £"])) for r in themes) == Decimal(str(place[0]["Total, £"]))


def test_each_theme_per_head_is_one_figure_in_the_marts_the_profile_and_the_canned_query(first_run, pipeline):
    compared = rows(pipeline, "theme_comparisons")
    mart = {
        (r["area_code"], r["financial_year"], r["measure"], r["theme_code"]): money(r["per_head_gbp"]) for r in compared
    }
    # a place's outturn on a theme is whole_place_budget's (local government's bodies: no NHS in outturn)
    budget = {
        (r["area_code"], r["financial_year"], r["measure"], r["theme_code"]): money(r["per_head_gbp"])
        for r in rows(pipeline, "whole_place_budget")
        if r["measure"] == "outturn" and r["area_type"] == "local_authority"
    }
    built = [k for k, r in zip(mart, compared, strict=True) if r["is_in_build"] == "true" and k[2] == "outturn"]
    assert built and all(mart[k] == budget[k] for k in built)
    # every English place on every theme, each median over no more places than there are
    assert len({r["area_code"] for r in compared}) == 153
    assert all(int(r["neighbours_count"]) <= int(r["neighbours_named_count"]) for r in compared)
    # the profile's table and the canned query show the mart's figures
    profile = (pipeline.latest / "site" / "profiles" / f"{BIRMINGHAM}.html").read_text(encoding="utf-8")
    section = re.search(r'data-testid="theme-comparisons" data-financial-year="([^"]+)"', profile)
    assert section
    shown = 0
    for attrs, value in table_cells(profile, "theme-comparisons-table", "per_head_gbp").items():
        theme = re.search(r'data-theme-code="([^"]+)"', attrs)[1]
        assert money(value) == mart[(BIRMINGHAM, section[1], "outturn", theme)], theme
        shown += 1
    assert shown >= 10
    answer = canned(pipeline, "services_against_neighbours", place=BIRMINGHAM, year="all")
    names = {r["theme_name"]: r["theme_code"] for r in compared}
    assert answer
    for r in answer:
        assert money(r["Per head, £"]) == mart[(BIRMINGHAM, r["Year"], "outturn", names[r["Service theme"]])], r
