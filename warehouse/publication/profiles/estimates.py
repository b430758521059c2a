"""The profile's statement of coverage: of an ESTIMATED whole of the identifiable public money in the
place, how much the warehouse counts from published place-level figures (marts.whole_place_estimates).
The estimate is set apart from the published figures: its own section, marked ESTIMATE, with a
stacked chart (counted by body, the estimated remainder by function) and the table of the same
numbers."""

from __future__ import annotations

from warehouse.publication.profiles.charts import BarRow, ChartSet, bar_chart
from warehouse.publication.profiles.format import as_float, cell, esc, gbp, gbp_m, text_cell
from warehouse.publication.profiles.queries import Area
from warehouse.publication.profiles.sections import chart_and_table

# counted parts, as the bodies' columns of whole_place_estimates: (column, label)
COUNTED = (
    ("council_counted_gbp", "Counted: council"),
    ("combined_authority_counted_gbp", "Counted: combined authority"),
    ("police_counted_gbp", "Counted: police"),
    ("fire_counted_gbp", "Counted: fire and rescue"),
)
# the estimated remainder by function: the largest named, the rest together
NAMED_FUNCTIONS = ("social_protection", "health", "education")
COUNTED_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
ESTIMATED_COLOURS = ("#8C8C8C", "#A9A9A9", "#C4C4C4", "#DEDEDE")


def _parts(total: dict, functions: list[dict]) -> dict[str, float | None]:
    """One year's bars, per head: the counted bodies, then the estimated remainder by function."""
    population = as_float(total["population_count"]) or 0.0
    if not population:
        return {}
    values: dict[str, float | None] = {}
    for column, _ in COUNTED:
        values[column] = (as_float(total[column]) or 0.0) / population
    for code in NAMED_FUNCTIONS:
        row = next((f for f in functions if f["function_code"] == code), None)
        values[code] = None if row is None else (as_float(row["estimated_remainder_gbp"]) or 0.0) / population
    named = sum(
        as_float(f["estimated_remainder_gbp"]) or 0.0 for f in functions if f["function_code"] in NAMED_FUNCTIONS
    )
    values["other"] = ((as_float(total["estimated_remainder_gbp"]) or 0.0) - named) / population
    return values


def _series(functions: list[dict]) -> list[tuple[str, str, str]]:
    names = {f["function_code"]: f["function_name"] for f in functions}
    return [
        *[(column, label, "") for column, label in COUNTED],
        *[(code, f"Estimated: {names.get(code, code).lower()}", "") for code in NAMED_FUNCTIONS],
        ("other", "Estimated: all other functions", ""),
    ]


def headline(area: Area, total: dict) -> str:
    """The sentence: of an estimated £X a head, £Y is counted; the rest is shared from HM Treasury's
    regional totals."""
    return (
        f'<p data-testid="estimate-statement" data-financial-year="{esc(total["financial_year"])}" '
        f'data-estimate-per-head="{esc(total["estimate_per_head_gbp"])}" '
        f'data-counted-per-head="{esc(total["counted_per_head_gbp"])}" '
        f'data-counted-share="{esc(total["counted_share_pct"])}">'
        '<strong class="flag">ESTIMATE</strong>'
        f"In {esc(total['financial_year'])}, of an estimated <strong>{esc(gbp(total['estimate_per_head_gbp'], 0))}"
        f"</strong> a head of identifiable public money in {esc(area.title)} "
        f"({esc(gbp_m(total['estimate_gbp']))} in all), <strong>{esc(gbp(total['counted_per_head_gbp'], 0))}"
        f"</strong> ({esc(total['counted_share_pct'])}%) is counted from published place-level figures; the rest "
        "is shared from HM Treasury's regional totals (Country and Regional Analysis) by population.</p>"
    )


def estimate_section(area: Area, rows: list[dict], uid: str, charts: ChartSet) -> list[str]:
    """The coverage statement, the stacked chart of counted and estimated money per head by year,
    and the table by function for the latest year."""
    totals = [r for r in rows if r["function_code"] == "total"]
    if not totals:
        return []
    latest = totals[-1]
    years = [t["financial_year"] for t in totals]
    by_year = {y: [r for r in rows if r["financial_year"] == y and r["function_code"] != "total"] for y in years}
    series = _series(by_year[latest["financial_year"]])
    chart = bar_chart(
        [BarRow(t["financial_year"], _parts(t, by_year[t["financial_year"]])) for t in totals],
        series,
        [],
        stacked=True,
        axis_format="$,.0f",
        testid="chart-estimate",
        uid=uid,
        title=f"{area.title}: all identifiable public money per head, counted and ESTIMATED",
        desc="Coloured: money counted from published place-level figures, by body. Grey: the ESTIMATED rest, the "
        "place's population share of HM Treasury's regional totals not counted by place, by function. The table "
        "below gives the same numbers for the latest year.",
        colours=COUNTED_COLOURS + ESTIMATED_COLOURS,
    )
    body = []
    for r in by_year[latest["financial_year"]] + [latest]:
        total_class = ' class="total"' if r["function_code"] == "total" else ""
        body.append(
            f'<tr data-function="{esc(r["function_code"])}"{total_class}>'
            f'<th scope="row">{esc(r["function_name"])}</th>'
            + cell(r["counted_gbp"], gbp_m(r["counted_gbp"]), "counted_gbp")
            + cell(r["estimated_remainder_gbp"], gbp_m(r["estimated_remainder_gbp"]), "estimated_remainder_gbp")
            + cell(r["estimate_gbp"], gbp_m(r["estimate_gbp"]), "estimate_gbp")
            + cell(r["estimate_per_head_gbp"], gbp(r["estimate_per_head_gbp"], 0), "estimate_per_head_gbp")
            + cell(r["counted_share_pct"], f"{r['counted_share_pct']}%", "counted_share_pct")
            + text_cell(r["estimate_method"], "estimate_method")
            + "</tr>"
        )
    missing = latest["missing_body_types"]
    notes = [
        "Every figure in this section is an ESTIMATE except the counted parts. The estimate adds to the money counted "
        "by place the place's share, by population, of what HM Treasury counts in its region but no held file "
        "publishes by place (the state pension and benefits, most of the NHS, academies, national transport). The "
        "places of a region add back to HM Treasury's regional total. Shared remainders hide real differences "
        "between places: a place with more pensioners or more hospital use gets no more here.",
        "Counted: the outturn of the council, the combined authority, the police and crime commissioner and the fire "
        "and rescue authority (net current expenditure), in HM Treasury's functions by the seed cra_function_themes. "
        "HM Treasury's latest regional analysis held covers 2018-19 to 2022-23; later years have no estimate.",
    ]
    if missing:
        notes.append(
            f"In {esc(latest['financial_year'])} no figure is published for: {esc(missing.replace(';', ', '))}; "
            "that money is estimated with the remainder, not counted."
        )
    return chart_and_table(
        section=f'class="estimate" data-testid="estimate" data-financial-year="{esc(latest["financial_year"])}"',
        heading="<h2>All public money: counted and estimated</h2>",
        intro=(headline(area, latest),),
        figure=charts.figure(chart, up="../"),
        table='data-testid="estimate-table"',
        caption=f"{esc(area.title)}, {esc(latest['financial_year'])}: identifiable public money by function, "
        "counted and ESTIMATED",
        head='<th scope="col">Function</th><th scope="col">Counted</th><th scope="col">Estimated rest</th>'
        '<th scope="col">Estimate (all)</th><th scope="col">Estimate per head</th>'
        '<th scope="col">Counted share</th><th scope="col">Method</th>',
        body=body,
        notes=notes,
    )
