"""All the public money in a place, in the default region's release: HM Treasury's regional totals
read exactly (the CRA's check values), the coverage of the region's money, the stated estimate for
every place in the CRA years the outturn holds, kept apart from the published scopes, and money in
real terms with its deflator edition and base year stated."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest

pytestmark = pytest.mark.integration

WEST_MIDLANDS, ENGLAND = "E12000005", "E92000001"
PLACES = sorted({f"E080000{n}" for n in range(25, 32)} | {"E47000007"})


def rows(pipeline, mart: str) -> list[dict]:
    with open(pipeline.latest / f"{mart}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_cra_check_values_read_exactly_in_the_release(first_run, pipeline):
    coverage = {
        (r["region_code"], r["financial_year"], r["function_code"]): r for r in rows(pipeline, "region_coverage")
    }
    total = coverage[(WEST_MIDLANDS, "2022-23", "total")]
    assert Decimal(total["cra_gbp"]) == 73_359_000_000
    assert Decimal(total["cra_per_head_gbp"]) == 12_182
    assert Decimal(total["cra_local_government_gbp"]) == 13_707_000_000
    assert Decimal(coverage[(WEST_MIDLANDS, "2022-23", "health")]["cra_gbp"]) == 18_293_000_000
    assert Decimal(coverage[(WEST_MIDLANDS, "2022-23", "social_protection")]["cra_gbp"]) == 28_424_000_000
    assert Decimal(coverage[(ENGLAND, "2022-23", "total")]["cra_gbp"]) == 698_215_000_000
    # every English region (and England) for every CRA year; counted where the warehouse has outturn
    regions = {r for r, _, _ in coverage}
    assert len(regions) == 10
    assert {y for _, y, _ in coverage} == {"2018-19", "2019-20", "2020-21", "2021-22", "2022-23"}
    counted = {y for (_, y, _), r in coverage.items() if r["counted_status"] == "published"}
    assert counted == {"2021-22", "2022-23"}
    named = coverage[(WEST_MIDLANDS, "2022-23", "social_protection")]
    assert 0 < Decimal(named["counted_share_pct"]) < 100 and "Work and Pensions" in named["remainder_note"]


def test_every_place_has_a_stated_estimate_apart_from_the_published_scopes(first_run, pipeline):
    estimates = [r for r in rows(pipeline, "whole_place_estimates") if r["function_code"] == "total"]
    assert sorted({(r["area_code"], r["financial_year"]) for r in estimates}) == [
        (a, y) for a in PLACES for y in ("2021-22", "2022-23")
    ]
    assert {r["estimate_status"] for r in estimates} == {"estimated"}
    birmingham = {r["financial_year"]: r for r in estimates if r["area_code"] == "E08000025"}
    # its council's 2022-23 outturn is not published: estimated with the remainder, and said so
    assert birmingham["2022-23"]["counted_status"] == "partly_not_available"
    assert birmingham["2022-23"]["missing_body_types"] == "council"
    for r in estimates:
        assert Decimal(r["estimate_gbp"]) == Decimal(r["counted_gbp"]) + Decimal(r["estimated_remainder_gbp"])
        assert Decimal(r["estimate_gbp"]) > Decimal(r["counted_gbp"]) >= 0
    totals = rows(pipeline, "whole_place_totals")
    estimated = [r for r in totals if r["total_status"] == "estimated"]
    assert estimated and {r["scope_code"] for r in estimated} == {"all_identifiable_estimated"}
    by_key = {(r["area_code"], r["financial_year"]): r for r in estimates}
    for r in estimated:
        assert Decimal(r["total_gbp"]) == Decimal(by_key[(r["area_code"], r["financial_year"])]["estimate_gbp"])
    later = [r for r in totals if r["scope_code"] == "all_identifiable_estimated" and r["financial_year"] >= "2023-24"]
    # no CRA edition held covers them: not available ([x] in the CSV), never zero
    assert later and all(r["total_gbp"] == "" and r["total_status"] == "[x]" for r in later)


def test_money_marts_have_real_terms_columns_with_the_deflator_stated(first_run, pipeline):
    package = json.loads((pipeline.latest / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    for mart in (
        "whole_place_totals",
        "whole_place_budget",
        "budget_vs_outturn",
        "place_comparisons",
        "fct_spend",
        "spend_vs_outcomes",
        "whole_place_estimates",
        "region_coverage",
    ):
        fields = {f["name"]: f for f in resources[mart]["schema"]["fields"]}
        real = [name for name in fields if name.endswith("_real_gbp")]
        assert real, mart
        for name in real:
            assert "2022-23 prices" in fields[name]["description"], (mart, name)
            assert "December 2023 edition" in fields[name]["description"], (mart, name)
        assert {"prices_base_year", "deflator_edition", "deflator_is_forecast"} <= fields.keys(), mart
    dictionary = (pipeline.latest / "data_dictionary.md").read_text(encoding="utf-8")
    assert "2022-23 prices" in dictionary and "December 2023" in dictionary
    budget = [r for r in rows(pipeline, "whole_place_totals") if r["total_gbp"] and r["financial_year"] == "2023-24"]
    assert budget and all(r["deflator_is_forecast"] == "true" and r["deflator_edition"] == "2023-12" for r in budget)
    base = [r for r in rows(pipeline, "whole_place_totals") if r["total_gbp"] and r["financial_year"] == "2022-23"]
    assert base and all(r["total_real_gbp"] == r["total_gbp"] for r in base)
