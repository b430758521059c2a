"""What the profiles read from the warehouse (read-only): the areas, their spend tables, scoped
totals, budget against outturn and outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from warehouse.publication.profiles.format import MEASURE_ORDER, per_head


@dataclass
class Area:
    code: str
    name: str
    area_type: str
    combined_authority_code: str | None = None  # the combined authority area a place is in, if any
    place_type: str | None = None  # metropolitan_district, unitary_authority, london_borough, county

    @property
    def comparator_code(self) -> str | None:
        """The wider area a place's figures are set beside: its combined authority area (a combined
        authority area's page: itself)."""
        return self.code if self.area_type == "combined_authority" else self.combined_authority_code

    @property
    def title(self) -> str:
        if self.area_type == "combined_authority":
            return f"{self.name} combined authority area"
        return self.name


def _records(con: Any, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def profiled_areas(con: Any) -> list[Area]:
    rows = _records(
        con,
        "select area_code, area_name, area_type, combined_authority_code, place_type from marts.dim_area "
        "where is_in_region and area_type in ('combined_authority', 'local_authority') "
        "order by area_type <> 'combined_authority', area_name, area_code",
    )
    return [
        Area(r["area_code"], r["area_name"], r["area_type"], r["combined_authority_code"], r["place_type"])
        for r in rows
    ]


def _measure_rank(measure: str) -> tuple[int, str]:
    return (MEASURE_ORDER.index(measure) if measure in MEASURE_ORDER else len(MEASURE_ORDER), measure)


@dataclass
class SpendTable:
    measure: str
    financial_year: str
    rows: list[dict]
    has_ca_comparator: bool
    has_england: bool
    population: Any
    population_source: str | None
    total_gbp: Decimal | None
    total_per_head_gbp: Decimal | None
    missing_agency_codes: list[str]
    later_unavailable: list[tuple[str, list[str]]] = field(default_factory=list)  # (year, missing agency codes)


def spend_tables(con: Any, area: Area, region_code: str) -> list[SpendTable]:
    rows = _records(
        con,
        "select area_code, financial_year, measure, theme_code, theme_name, theme_group, council_gbp, "
        "combined_authority_gbp, police_gbp, fire_gbp, nhs_gbp, transfers_in_gbp, transfers_out_gbp, total_gbp, "
        "population_count, "
        "population_source, per_head_gbp, missing_agency_codes, is_synthetic "
        "from marts.whole_place_budget where area_code in (?, ?)",
        [area.code, region_code],
    )
    england = {
        (r["financial_year"], r["theme_code"]): r["england_spend_per_head_gbp"]
        for r in _records(
            con,
            "select distinct financial_year, theme_code, england_spend_per_head_gbp from marts.spend_vs_outcomes "
            "where england_spend_per_head_gbp is not null",
        )
    }
    own = [r for r in rows if r["area_code"] == area.code]
    region = {(r["financial_year"], r["measure"], r["theme_code"]): r for r in rows if r["area_code"] == region_code}
    tables = []
    for measure in sorted({r["measure"] for r in own}, key=_measure_rank):
        years = sorted({r["financial_year"] for r in own if r["measure"] == measure and r["per_head_gbp"] is not None})
        if not years:
            years = sorted({r["financial_year"] for r in own if r["measure"] == measure})
        year = years[-1]
        chosen = [r for r in own if r["measure"] == measure and r["financial_year"] == year]
        later_unavailable = []
        for later in sorted(
            {r["financial_year"] for r in own if r["measure"] == measure and r["financial_year"] > year}
        ):
            codes = {
                c
                for r in own
                if r["measure"] == measure and r["financial_year"] == later
                for c in (r["missing_agency_codes"] or "").split(";")
                if c
            }
            later_unavailable.append((later, sorted(codes)))
        out = []
        for r in chosen:
            pop = r["population_count"]
            net = None
            if r["total_gbp"] is not None:
                net = Decimal(r["transfers_in_gbp"] or 0) - Decimal(r["transfers_out_gbp"] or 0)
            ca_row = region.get((year, measure, r["theme_code"]))
            out.append(
                {
                    **r,
                    "council_per_head_gbp": per_head(r["council_gbp"], pop),
                    "combined_authority_per_head_gbp": per_head(r["combined_authority_gbp"], pop),
                    "police_per_head_gbp": per_head(r["police_gbp"], pop),
                    "fire_per_head_gbp": per_head(r["fire_gbp"], pop),
                    "nhs_per_head_gbp": per_head(r["nhs_gbp"], pop),
                    "net_transfers_per_head_gbp": per_head(net, pop),
                    "ca_area_per_head_gbp": ca_row["per_head_gbp"] if ca_row else None,
                    "england_per_head_gbp": england.get((year, r["theme_code"])) if measure == "outturn" else None,
                }
            )
        out.sort(key=lambda r: (r["per_head_gbp"] is None, -(r["per_head_gbp"] or 0), r["theme_name"] or ""))
        complete = all(r["total_gbp"] is not None for r in chosen)
        total = sum((Decimal(r["total_gbp"]) for r in chosen), Decimal(0)) if complete and chosen else None
        pops = {r["population_count"] for r in chosen if r["population_count"]}
        population = next(iter(pops)) if len(pops) == 1 else None
        missing = sorted({c for r in chosen for c in (r["missing_agency_codes"] or "").split(";") if c})
        tables.append(
            SpendTable(
                measure=measure,
                financial_year=year,
                rows=out,
                has_ca_comparator=area.code != region_code and any(r["ca_area_per_head_gbp"] is not None for r in out),
                has_england=any(r["england_per_head_gbp"] is not None for r in out),
                population=population,
                population_source=next((r["population_source"] for r in chosen if r["population_source"]), None),
                total_gbp=total,
                total_per_head_gbp=per_head(total, population),
                missing_agency_codes=missing,
                later_unavailable=later_unavailable,
            )
        )
    return tables


def scoped_totals(con: Any, area: Area, region_code: str | None) -> list[dict]:
    """The area's (and its combined authority area's) totals by year, measure and declared scope."""
    return _records(
        con,
        "select area_code, financial_year, measure, scope_code, scope_name, total_gbp, per_head_gbp, "
        "population_count, population_source, scope_body_types, missing_body_types, scope_note, is_complete "
        "from marts.whole_place_totals where area_code in (?, ?) order by financial_year",
        [area.code, region_code or area.code],
    )


# the headlines a profile shows, each a declared scope of one measure: (scope, measure, label)
def budget_vs_outturn(con: Any, area: Area) -> dict[str, list[dict]]:
    rows = _records(
        con,
        "select financial_year, service_line_code, service_line_name, theme_code, budget_gbp, outturn_gbp, "
        "variance_gbp, variance_pct, budget_status, outturn_status from marts.budget_vs_outturn "
        "where agency_code = ? and line_type <> 'detail' "
        "order by financial_year desc, theme_code is null, service_line_name, service_line_code",
        [area.code],
    )
    years: dict[str, list[dict]] = {}
    for r in rows:
        years.setdefault(r["financial_year"], []).append(r)
    return years


def outcome_series(con: Any, area: Area) -> list[dict]:
    """One series per indicator × sex × age: its periods in order, with comparators."""
    rows = _records(
        con,
        "select o.indicator_code, i.indicator_name, i.unit, i.polarity, o.period_label, o.period_end_date, o.sex, "
        "o.age, o.value, o.value_status, o.england_value, o.region_value, o.national_median_value, "
        "o.neighbours_median_value, o.neighbours_count, o.england_comparison, o.england_comparison_method, "
        "o.is_series_break, o.series_break_note, o.is_derived, "
        "o.is_synthetic from marts.fct_outcome o "
        "left join marts.dim_indicator i on o.indicator_code = i.indicator_code "
        "where o.area_code = ? order by o.indicator_code, o.sex, o.age, o.period_end_date, o.period_label",
        [area.code],
    )
    # every period the indicator has in the release (any area), in order: a period without the
    # area's value is a gap in its series, not left out
    periods: dict[tuple, list[str]] = {}
    for r in _records(
        con,
        "select indicator_code, sex, age, period_label, min(period_end_date) as period_end_date "
        "from marts.fct_outcome group by all order by indicator_code, sex, age, period_end_date, period_label",
    ):
        periods.setdefault((r["indicator_code"], r["sex"], r["age"]), []).append(r["period_label"])
    groups: dict[tuple, dict] = {}
    for r in rows:
        key = (r["indicator_code"], r["sex"], r["age"])
        g = groups.setdefault(
            key,
            {
                "indicator_code": r["indicator_code"],
                "indicator_name": r["indicator_name"] or r["indicator_code"],
                "unit": r["unit"],
                "polarity": r["polarity"],
                "sex": r["sex"],
                "age": r["age"],
                "periods": periods.get(key) or [],
                "rows": [],
            },
        )
        g["rows"].append(r)
    return list(groups.values())


def spend_series(con: Any, area: Area) -> dict[str, list[dict]]:
    """Per head by service theme in every year held, for each measure: {measure: rows}."""
    rows = _records(
        con,
        "select area_code, financial_year, measure, theme_code, theme_name, per_head_gbp, is_synthetic "
        "from marts.whole_place_budget where area_code = ? order by measure, theme_name, financial_year",
        [area.code],
    )
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["measure"], []).append(r)
    return dict(sorted(out.items(), key=lambda kv: _measure_rank(kv[0])))


def nearest_neighbours(con: Any, area: Area) -> list[dict]:
    """The area's Oflog nearest neighbours (marts.nearest_neighbours), by name."""
    return _records(
        con,
        "select neighbour_area_code, neighbour_area_name from marts.nearest_neighbours where area_code = ? "
        "order by neighbour_area_name nulls last, neighbour_area_code",
        [area.code],
    )


def place_comparisons(con: Any, area: Area) -> list[dict]:
    """The area's local government money per head beside its comparators (marts.place_comparisons),
    latest year first."""
    return _records(
        con,
        "select * from marts.place_comparisons where area_code = ? order by financial_year desc, measure",
        [area.code],
    )


def theme_comparisons(con: Any, area: Area) -> list[dict]:
    """The area's local government outturn per head by service theme beside its comparators, in the
    latest year with figures for at least half its themes (marts.theme_comparisons), largest first."""
    return _records(
        con,
        # the latest year with figures for most themes (not one whose council return is missing)
        "select * from marts.theme_comparisons where area_code = ? and measure = 'outturn' and financial_year = "
        "(select max(financial_year) from (select financial_year from marts.theme_comparisons where area_code = ? "
        "and measure = 'outturn' group by 1 having count(per_head_gbp) * 2 >= count(*))) "
        "order by per_head_gbp desc nulls last, theme_name",
        [area.code, area.code],
    )


def map_values(con: Any) -> tuple[str | None, dict[str, float], dict[str, str]]:
    """Local government outturn per head in the latest year held, for every place the release
    compares, as marts.place_comparisons has it (the one model that measure is read from: the
    headline, the comparison table and the canned query show the same figures): (year, {code:
    £ per head}, {code: name}). A place with a part of the figure not available has none."""
    rows = _records(
        con,
        "select financial_year, area_code, area_name, per_head_gbp from marts.place_comparisons "
        "where area_type = 'local_authority' and measure = 'outturn' and per_head_gbp is not null",
    )
    if not rows:
        return None, {}, {}
    year = max(r["financial_year"] for r in rows)
    chosen = [r for r in rows if r["financial_year"] == year]
    return (
        year,
        {r["area_code"]: float(r["per_head_gbp"]) for r in chosen},
        {r["area_code"]: r["area_name"] for r in chosen},
    )


def place_regions(con: Any) -> dict[str, str]:
    """The ONS region of every place the release compares (marts.place_comparisons): {code: region
    code}; a place's map shows its region's places."""
    rows = _records(
        con,
        "select distinct area_code, ons_region_code from marts.place_comparisons "
        "where area_type = 'local_authority' and ons_region_code is not null",
    )
    return {r["area_code"]: r["ons_region_code"] for r in rows}


# ---------------------------------------------------------------------------------------------
# pages


def whole_place_estimates(con: Any, area: Area) -> list[dict]:
    """The area's ESTIMATE of all identifiable public money by year and CRA function
    (marts.whole_place_estimates), the total row of each year first."""
    return _records(
        con,
        "select * from marts.whole_place_estimates where area_code = ? "
        "order by financial_year, function_code <> 'total', estimate_gbp desc",
        [area.code],
    )


def counted_shares(con: Any) -> tuple[str | None, dict[str, float]]:
    """The share of each place's ESTIMATED identifiable public money counted from published
    place-level figures, in the latest year estimated (marts.whole_place_estimates): (year,
    {code: per cent}); none where the release has no estimate."""
    rows = _records(
        con,
        "select financial_year, area_code, counted_share_pct from marts.whole_place_estimates "
        "where function_code = 'total' and area_type = 'local_authority' and counted_share_pct is not null",
    )
    if not rows:
        return None, {}
    year = max(r["financial_year"] for r in rows)
    return year, {r["area_code"]: float(r["counted_share_pct"]) for r in rows if r["financial_year"] == year}
