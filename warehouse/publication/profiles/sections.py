"""The sections of a profile page: like-for-like series, spend by theme and
agency, budget against outturn, outcomes; each a list of HTML lines."""

from __future__ import annotations

from typing import Any

from warehouse.publication.profiles.charts import BarRow, ChartSet, bar_chart, line_chart
from warehouse.publication.profiles.format import (
    AGENCY_SERIES,
    MEASURE_TITLES,
    as_float,
    cell,
    esc,
    gbp,
    gbp_m,
    pct,
    plain,
    status_words,
    text_cell,
)
from warehouse.publication.profiles.queries import Area, SpendTable

LIKE_FOR_LIKE = ("local_government", "outturn")


def chart_and_table(
    *,
    section: str,
    heading: str,
    figure: str,
    table: str,
    caption: str,
    head: str,
    body: list[str],
    intro: tuple[str, ...] = (),
    notes: tuple[str, ...] | list[str] = (),
) -> list[str]:
    """A section of a page: its heading, a chart and the table of the same numbers, then notes.
    ``section`` and ``table`` are the elements' attributes; every argument is HTML already."""
    return [
        f"<section {section}>",
        heading,
        *intro,
        figure,
        f"<table {table}>",
        f"<caption>{caption}</caption>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
        *[f'<p class="note">{n}</p>' for n in notes],
        "</section>",
    ]


def like_for_like_section(
    area: Area, totals: list[dict], region_code: str | None, uid: str, charts: ChartSet
) -> list[str]:
    """Local government outturn per head over every year held: the same scope every year."""
    scope, measure = LIKE_FOR_LIKE
    rows = [t for t in totals if t["scope_code"] == scope and t["measure"] == measure]
    years = sorted({t["financial_year"] for t in rows})
    if not years:
        return []
    by = {(t["area_code"], t["financial_year"]): t for t in rows}
    series = [(area.title, "area", [as_float((by.get((area.code, y)) or {}).get("per_head_gbp")) for y in years])]
    if region_code and region_code != area.code:
        series.append(
            (
                "Combined authority area",
                "region",
                [as_float((by.get((region_code, y)) or {}).get("per_head_gbp")) for y in years],
            )
        )
    chart = line_chart(
        years,
        series,
        testid="chart-like-for-like",
        uid=uid,
        title=f"{area.title}: local government outturn per head, every year held",
        desc="Council, combined authority, police and fire outturn per resident, the same scope each year. "
        "A gap is a year with a part not available. The table below gives the same numbers.",
        axis_format="$,.0f",
    )
    body = []
    for y in years:
        t = by.get((area.code, y)) or {}
        body.append(
            f'<tr data-financial-year="{esc(y)}">'
            f'<th scope="row">{esc(y)}</th>'
            + cell(
                t.get("total_gbp"),
                gbp_m(t.get("total_gbp")) if t.get("total_gbp") is not None else "not available",
                "total_gbp",
                title=t.get("scope_note"),
            )
            + cell(
                t.get("per_head_gbp"),
                gbp(t.get("per_head_gbp")) if t.get("per_head_gbp") is not None else "not available",
                "per_head_gbp",
            )
            + text_cell(t.get("population_source") or "", "population_source")
            + "</tr>"
        )
    return chart_and_table(
        section=f'data-testid="like-for-like" data-scope="{scope}" data-measure="{measure}"',
        heading="<h2>Like for like: local government outturn per head</h2>",
        intro=(
            '<p class="note">The same scope in every year: the council, the combined authority (shared by '
            "population), the police and crime commissioner and the fire and rescue authority (shared by "
            "population). The NHS is not in it: no held source publishes NHS outturn by place. A year in which a "
            "part is not available (a return not submitted) has no figure.</p>",
        ),
        figure=charts.figure(chart, up="../"),
        table='data-testid="like-for-like-table"',
        caption=f"{esc(area.title)}: local government outturn",
        head='<th scope="col">Financial year</th><th scope="col">Total</th><th scope="col">Per head</th>'
        '<th scope="col">Population</th>',
        body=body,
    )


def spend_trend_section(area: Area, measure: str, rows: list[dict], uid: str, charts: ChartSet) -> list[str]:
    """Per head by service theme in every year held (a year without a figure is a gap)."""
    years = sorted({r["financial_year"] for r in rows})
    themes = sorted({(r["theme_name"] or r["theme_code"]) for r in rows})
    by = {((r["theme_name"] or r["theme_code"]), r["financial_year"]): r for r in rows}
    # a trend needs two years with figures: one year is the table above, not a trend
    if len({r["financial_year"] for r in rows if r["per_head_gbp"] is not None}) < 2 or not themes:
        return []
    series = [
        (t, f"theme-{i}", [as_float((by.get((t, y)) or {}).get("per_head_gbp")) for y in years])
        for i, t in enumerate(themes)
    ]
    heading = MEASURE_TITLES.get(measure, measure)
    chart = line_chart(
        years,
        series,
        testid="chart-spend-trend",
        uid=uid,
        title=f"{area.title}: {heading}, £ per head by service theme, every year held",
        desc="Each theme's money per resident in each financial year held; a gap is a year whose figure is not "
        "available. The table below gives the same numbers.",
        axis_format="$,.0f",
    )
    head = '<th scope="col">Service theme</th>' + "".join(f'<th scope="col">{esc(y)}</th>' for y in years)
    body = []
    for t in themes:
        cells = []
        for y in years:
            r = by.get((t, y))
            value = r["per_head_gbp"] if r else None
            shown = gbp(value) if value is not None else ("not available" if r else "not held")
            cells.append(cell(value, shown, "per_head_gbp"))
        body.append(f'<tr data-theme="{esc(t)}"><th scope="row">{esc(t)}</th>' + "".join(cells) + "</tr>")
    return chart_and_table(
        section=f'data-testid="spend-trend" data-measure="{esc(measure)}"',
        heading=f"<h3>{esc(heading)}: every year held</h3>",
        figure=charts.figure(chart, up="../"),
        table=f'data-testid="spend-trend-table" data-measure="{esc(measure)}"',
        caption=f"{esc(area.title)}: {esc(heading)}, £ per head by theme and year",
        head=head,
        body=body,
    )


def _synthetic_badge(flag: Any) -> str:
    return ' <span class="badge" data-testid="synthetic-badge">synthetic sample</span>' if flag else ""


def _part_cell(row: dict, column: str, na_title: str | None) -> str:
    """An agency type's part: empty (–) when the theme's total is there but that agency type has no
    money on it; not available when the total is not available."""
    value = row[column]
    if value is not None:
        return cell(value, gbp(value), column)
    if row["per_head_gbp"] is not None:
        return cell(None, "–", column, title="no money from this agency type on this theme")
    return cell(None, "not available", column, title=na_title)


def _comparator_cell(value: Any, column: str) -> str:
    if value is None:
        return cell(None, "–", column, title="no comparator for this theme in the marts")
    return cell(value, gbp(value), column)


def spend_section(area: Area, table: SpendTable, uid: str, charts: ChartSet) -> list[str]:
    m, fy = table.measure, table.financial_year
    heading = f"{MEASURE_TITLES.get(m, m)}, {fy}"
    # an agency type with no money on any theme (the NHS in outturn, transfers in a year without any)
    # is said once under the table, not shown as a column of zeros
    series = [s for s in AGENCY_SERIES if any(as_float(r[s[0]]) for r in table.rows)]
    unshown = [label for key, label, _ in AGENCY_SERIES if (key, label, _) not in series]
    markers = []
    if table.has_ca_comparator:
        markers.append(("ca_area_per_head_gbp", "Combined authority area total", "m-ca"))
    if table.has_england:
        markers.append(("england_per_head_gbp", "England (all councils' outturn)", "m-england"))
    bar_rows = [
        BarRow(
            label=r["theme_name"] or r["theme_code"],
            values={k: as_float(r[k]) for k, _, _ in series} if r["per_head_gbp"] is not None else {},
            markers={k: as_float(r[k]) for k, _, _ in markers},
            note=gbp(r["per_head_gbp"]) if r["per_head_gbp"] is not None else "not available",
        )
        for r in table.rows
    ]
    chart = bar_chart(
        bar_rows,
        series,
        markers,
        stacked=True,
        axis_format="$,.0f",
        testid="chart-spend-per-head",
        uid=uid,
        title=f"{area.title}: {heading}, £ per head by service theme and agency type",
        desc="Bars: each agency type's money per resident on the theme (stacked; transfers between agencies "
        "net). Lines: comparators. The table below gives the same numbers.",
    )
    head = [
        '<th scope="col">Service theme</th>',
        *[f'<th scope="col">{esc(label)} £/head</th>' for _, label, _ in series],
        '<th scope="col">Total £/head</th>',
        '<th scope="col">Total</th>',
    ]
    if table.has_ca_comparator:
        head.append('<th scope="col">Combined authority area total £/head</th>')
    if table.has_england:
        head.append('<th scope="col">England £/head (outturn)</th>')
    body = []
    any_synthetic = False
    for r in table.rows:
        any_synthetic |= bool(r["is_synthetic"])
        missing = r["missing_agency_codes"]
        na_title = f"not available: no figure from {missing}" if missing else None
        cells = [
            f'<th scope="row">{esc(r["theme_name"] or r["theme_code"])}{_synthetic_badge(r["is_synthetic"])}</th>',
            *[_part_cell(r, k, na_title) for k, _, _ in series],
            cell(r["per_head_gbp"], gbp(r["per_head_gbp"]), "per_head_gbp", title=na_title),
            cell(r["total_gbp"], gbp_m(r["total_gbp"]), "total_gbp", title=na_title),
        ]
        if table.has_ca_comparator:
            cells.append(_comparator_cell(r["ca_area_per_head_gbp"], "ca_area_per_head_gbp"))
        if table.has_england:
            cells.append(_comparator_cell(r["england_per_head_gbp"], "england_per_head_gbp"))
        body.append(
            f'<tr data-theme-code="{esc(r["theme_code"])}" data-synthetic="{str(bool(r["is_synthetic"])).lower()}">'
            + "".join(cells)
            + "</tr>"
        )
    notes = [
        f"Per head: ÷ {esc(table.population_source or 'population')}"
        + (f" ({int(table.population):,} people)" if table.population else "")
        + ". The total per head and total are the mart's (whole_place_budget.per_head_gbp, total_gbp); each "
        "agency type's share per head is its money ÷ the same population, rounded to pence. Money an ICB "
        "passes into a council-hosted pooled fund is counted once: shown as transfers (net) per theme."
    ]
    for later, codes in table.later_unavailable:
        notes.append(
            f"{esc(m.capitalize())} {esc(later)} is not available for this area"
            + (f" (no figure from {esc(', '.join(codes))})" if codes else "")
            + f": {esc(fy)} is the latest year with figures."
        )
    notes.append("“–”: no money from that agency type on the theme, or no comparator for it.")
    if unshown:
        notes.append(f"No money on any theme this year, so not shown: {esc(', '.join(unshown))}.")
    if table.missing_agency_codes:
        notes.append(
            "Not available is not zero: totals that would include a missing figure are left empty "
            f"(no figure from {', '.join(table.missing_agency_codes)})."
        )
    if any_synthetic:
        notes.append("Rows marked “synthetic sample” include figures built from synthetic samples.")
    return chart_and_table(
        section=f'data-testid="spend-per-head" data-measure="{esc(m)}" data-financial-year="{esc(fy)}"',
        heading=f"<h3>{esc(heading)}</h3>",
        figure=charts.figure(chart, up="../"),
        table=f'data-testid="spend-per-head-table" data-measure="{esc(m)}" data-financial-year="{esc(fy)}"',
        caption=f"{esc(area.title)}: {esc(heading)}",
        head="".join(head),
        body=body,
        notes=notes,
    )


def budget_section(area: Area, year: str, rows: list[dict], uid: str, charts: ChartSet) -> list[str]:
    lines = [r for r in rows if r["theme_code"] is not None]
    # a year whose whole budget or whole outturn is not published: one sentence, not a table of gaps
    measures = (("budget", "budget (RA)"), ("outturn", "outturn (RSX)"))
    absent = [(key, label) for key, label in measures if lines and all(r[f"{key}_gbp"] is None for r in lines)]
    if absent:
        total = next((r for r in rows if r["theme_code"] is None), {})
        said = [
            f"no {label} figure ({status_words(next((r[f'{key}_status'] for r in lines), None)) or 'not held'})"
            for key, label in absent
        ] + [
            f"its {label}: {gbp_m(total[f'{key}_gbp'])} in all"
            for key, label in measures
            if (key, label) not in absent and total.get(f"{key}_gbp") is not None
        ]
        return [
            f'<section data-testid="budget-vs-outturn" data-financial-year="{esc(year)}"><h3>{esc(year)}</h3>',
            f'<p class="note" data-testid="budget-vs-outturn-absent">{esc(area.title)}, {esc(year)}: '
            f"{esc('; '.join(said))}.</p></section>",
        ]
    chart = bar_chart(
        [
            BarRow(
                label=r["service_line_name"] or r["service_line_code"],
                values={"budget_gbp": _millions(r["budget_gbp"]), "outturn_gbp": _millions(r["outturn_gbp"])},
                note=(
                    "outturn n/a"
                    if r["outturn_gbp"] is None
                    else pct(r["variance_pct"])
                    if r["variance_pct"] is not None
                    else ""
                ),
            )
            for r in lines
        ],
        [("budget_gbp", "Budget (RA)", "s-budget"), ("outturn_gbp", "Outturn (RSX)", "s-outturn")],
        [],
        stacked=False,
        axis_format="$,.0f",
        testid="chart-budget-vs-outturn",
        uid=uid,
        title=f"{area.title}: budget against outturn by service line, {year}, £ million",
        desc="For each service line, the budget bar above the outturn bar, in £ million. The table below gives "
        "the same numbers with the variance.",
    )
    body = []
    for r in rows:
        total = r["theme_code"] is None
        body.append(
            f'<tr data-service-line="{esc(r["service_line_code"])}"'
            + (' class="total"' if total else "")
            + ">"
            + f'<th scope="row">{esc(r["service_line_name"] or r["service_line_code"])}</th>'
            + cell(r["budget_gbp"], gbp_m(r["budget_gbp"]), "budget_gbp")
            + cell(r["outturn_gbp"], gbp_m(r["outturn_gbp"]), "outturn_gbp")
            + cell(r["variance_gbp"], gbp_m(r["variance_gbp"]), "variance_gbp")
            + cell(r["variance_pct"], pct(r["variance_pct"]), "variance_pct")
            + text_cell(status_words(r["outturn_status"]), "outturn_status")
            + "</tr>"
        )
    return chart_and_table(
        section=f'data-testid="budget-vs-outturn" data-financial-year="{esc(year)}"',
        heading=f"<h3>{esc(year)}</h3>",
        figure=charts.figure(chart, up="../"),
        table=f'data-testid="budget-vs-outturn-table" data-financial-year="{esc(year)}"',
        caption=f"{esc(area.title)}: budget against outturn by service line, {esc(year)}",
        head='<th scope="col">Service line</th><th scope="col">Budget</th><th scope="col">Outturn</th>'
        '<th scope="col">Variance (outturn − budget)</th><th scope="col">Variance % of budget</th>'
        '<th scope="col">Outturn status</th>',
        body=body,
    )


_COMPARATORS = (
    ("england_value", "England", "england"),
    ("region_value", "Region (ONS)", "region"),
    ("neighbours_median_value", "Nearest neighbours (median)", "neighbours"),
    ("national_median_value", "National median of councils", "median"),
)
COMPARISON_METHODS = {
    "ci95_vs_england_value": "the 95% confidence interval compared with England's value (the warehouse)",
    "as_published": "the publisher's own comparison with England (OHID Fingertips: the 95% confidence "
    "interval against England's value)",
}


def _millions(value: Any) -> float | None:
    return None if value is None else round(float(value) / 1e6, 3)


def outcome_section(area: Area, group: dict, uid: str, charts: ChartSet) -> list[str]:
    """One indicator over every period held (a period the area has no value for is a gap), beside
    England, the region, its nearest neighbours and the national median; each value marked better,
    similar or worse than England where that can be said, and series breaks marked."""
    periods = group["periods"]
    by_period = {r["period_label"]: r for r in group["rows"]}
    rows = [by_period.get(p) or {"period_label": p} for p in periods]
    series = [(area.title, "area", [as_float(r.get("value")) for r in rows])]
    shown = [c for c in _COMPARATORS if any(r.get(c[0]) is not None for r in rows)]
    series += [(label, css, [as_float(r.get(col)) for r in rows]) for col, label, css in shown]
    name = group["indicator_name"]
    qualifier = ", ".join(str(q) for q in (group["sex"], group["age"]) if q and q != "as published")
    title = f"{name}" + (f" ({qualifier})" if qualifier else "")
    unit = group["unit"] or ""
    polarity = (group["polarity"] or "").replace("_", " ")
    synthetic = any(r.get("is_synthetic") for r in rows)
    breaks = [(r["period_label"], r["series_break_note"]) for r in rows if r.get("is_series_break")]
    comparisons = [r.get("england_comparison") for r in rows]
    chart = line_chart(
        periods,
        series,
        testid="chart-outcome-trend",
        uid=uid,
        title=f"{area.title}: {title}, {unit}",
        desc="The area's value in every period held, with the comparators; a gap is a period with no value, a "
        "dashed rule a series break, the outlined shape the value against England. The table below gives the "
        "same numbers.",
        breaks=breaks,
        comparisons=comparisons,
    )
    head = '<th scope="col">Period</th><th scope="col">Value</th>' + "".join(
        f'<th scope="col">{esc(label)}</th>' for _, label, _ in shown
    )
    head += '<th scope="col">Against England</th>'
    body = []
    for r in rows:
        value = r.get("value")
        held = "value_status" in r
        comparison = r.get("england_comparison") or "not_compared"
        method = COMPARISON_METHODS.get(r.get("england_comparison_method") or "")
        body.append(
            f'<tr data-period="{esc(r["period_label"])}" data-synthetic="{str(bool(r.get("is_synthetic"))).lower()}"'
            + (' data-series-break="true"' if r.get("is_series_break") else "")
            + ">"
            + f'<th scope="row">{esc(r["period_label"])}{_synthetic_badge(r.get("is_synthetic"))}'
            + (' <span class="badge derived" data-testid="derived-badge">derived</span>' if r.get("is_derived") else "")
            + (
                f' <span class="badge" data-testid="series-break" title="{esc(r["series_break_note"])}">series break'
                "</span>"
                if r.get("is_series_break")
                else ""
            )
            + "</th>"
            + cell(
                value,
                plain(value) if held else "not held",
                "value",
                title=None if value is not None else (r.get("value_status") or "no value for this period"),
            )
            + "".join(cell(r.get(col), plain(r.get(col)), col) for col, _, _ in shown)
            + f'<td data-column="england_comparison" data-value="{esc(comparison)}"'
            + (f' title="method: {esc(method)}"' if method else "")
            + f">{esc(comparison.replace('_', ' '))}</td>"
            + "</tr>"
        )
    notes = []
    methods = sorted({r.get("england_comparison_method") for r in rows} & set(COMPARISON_METHODS))
    if methods:
        notes.append(
            "Against England: " + "; ".join(COMPARISON_METHODS[m] for m in methods) + ". Better or worse reads "
            "the indicator's polarity; similar means the interval holds England's value. Where neither an interval "
            "nor the publisher's comparison is held, the value is not compared."
        )
    else:
        notes.append(
            "Against England: not compared. No confidence interval or publisher's comparison is held for this "
            "indicator, and a difference in the value alone is not called significant."
        )
    if any(c[0] == "neighbours_median_value" for c in shown):
        notes.append(
            f"Nearest neighbours: the median of the councils in {area.title}'s Oflog nearest-neighbour group "
            "(marts.nearest_neighbours) that have a value."
        )
    for period, note in breaks:
        notes.append(f"{period}: {note}.")
    if any(r.get("is_derived") for r in rows):
        notes.append(
            "Values marked derived are computed by the warehouse (e.g. the combined authority area from its councils)."
        )
    return chart_and_table(
        section=f'data-testid="outcome-trend" data-indicator-code="{esc(group["indicator_code"])}" '
        f'data-sex="{esc(group["sex"])}" data-age="{esc(group["age"])}"',
        heading=f"<h3>{esc(title)}{_synthetic_badge(synthetic)}</h3>",
        intro=(
            f'<p class="note">Unit: {esc(unit or "as published")}; {esc(polarity or "no polarity")}. '
            f"Source indicator {esc(group['indicator_code'])}.</p>",
        ),
        figure=charts.figure(chart, up="../"),
        table=f'data-testid="outcome-table" data-indicator-code="{esc(group["indicator_code"])}"',
        caption=f"{esc(area.title)}: {esc(title)}",
        head=head,
        body=body,
        notes=[esc(n) for n in notes],
    )
