"""A profile's headlines: one per declared scope, each the latest year with a figure (a later year
without one named, and why), always with the scope it covers."""

from __future__ import annotations

from warehouse.publication.profiles.format import data_value, esc, gbp, gbp_m
from warehouse.publication.profiles.queries import Area

# the headlines a profile shows, each a declared scope of one measure: (scope, measure, label)
HEADLINE_SCOPES = (
    ("local_government", "outturn", "Local government outturn (council, combined authority, police and fire)"),
    ("whole_place", "budget", "Whole place budget (local government budgets and NHS ICB allocations)"),
    (
        "all_identifiable_estimated",
        "outturn",
        "All identifiable public money (ESTIMATE)",
    ),
)


def _why_not_available(total: dict) -> str:
    if total["scope_code"] == "all_identifiable_estimated":
        return "no HM Treasury regional analysis held covers it"
    return (total["missing_body_types"] or "").replace(";", ", ") + " missing"


def headline_items(area: Area, totals: list[dict]) -> list[tuple[str, str]]:
    """One headline per declared scope: the latest year with a figure (a later year without one is
    named), always with the scope it covers."""
    items = []
    own = [t for t in totals if t["area_code"] == area.code]
    for scope, measure, label in HEADLINE_SCOPES:
        rows = [t for t in own if t["scope_code"] == scope and t["measure"] == measure]
        if not rows:
            continue
        shown = [t for t in rows if t["total_gbp"] is not None]
        row = shown[-1] if shown else rows[-1]
        later = [t for t in rows if t["financial_year"] > row["financial_year"]]
        if row["total_gbp"] is None:
            value = "not available: " + esc(row["scope_note"])
        else:
            value = f"{esc(gbp_m(row['total_gbp']))}, {esc(gbp(row['per_head_gbp']))} per head"
        if later:
            value += (
                " (later years not available: "
                + "; ".join(f"{esc(t['financial_year'])}: {esc(_why_not_available(t))}" for t in later)
                + ")"
            )
        items.append(
            (
                f"{label}, {row['financial_year']}",
                f'<span data-testid="headline-total" data-scope="{esc(scope)}" data-measure="{esc(measure)}" '
                f'data-financial-year="{esc(row["financial_year"])}" data-value="{esc(data_value(row["total_gbp"]))}" '
                f'data-per-head="{esc(data_value(row["per_head_gbp"]))}" '
                f'data-scope-bodies="{esc(row["scope_body_types"])}">{value}</span>'
                f'<br><span class="note" data-testid="headline-scope">{esc(row["scope_note"])}</span>',
            )
        )
    return items
