"""The Datasette home page of a release: where an analyst who does not write SQL starts.

``home_html(package, queries)`` is the metadata's ``description_html`` (Datasette shows it above the
database list): what the release is and what it counts, the canned queries with one line each, the
headline tables, the place profiles, the downloads and where a figure comes from. Every link is a
path of the server `make serve` starts (tests/integration/test_browser.py follows each one).
"""

from __future__ import annotations

import re
from html import escape

from core.marts import published

DATABASE = "wholeplace"
SITE_URL = "/files/site/index.html"  # the place profiles (the release's site folder, served at /files/)
HEADLINE_MARTS = 6  # how many of the marts, in publication order (core.marts: headline first), to list


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to the first full stop followed by a capital letter (so
    "e.g. Birmingham" does not end it), in plain words (no Markdown backticks)."""
    text = " ".join(text.replace("`", "").split())
    end = re.search(r"(?<!e\.g)(?<!i\.e)\. (?=[A-Z])", text)
    return text if end is None else text[: end.start() + 1]


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def home_html(package: dict, queries: dict[str, dict], places: str) -> str:
    """The home page's HTML for a release (``package``: its datapackage.json; ``queries``: the canned
    queries; ``places``: the places it covers, in words)."""
    version = escape(str(package.get("version", "")))
    questions = [
        f'<a href="/{DATABASE}/{escape(name)}">{escape(q["title"])}</a>: {escape(first_sentence(q["description"]))}'
        for name, q in queries.items()
    ]
    # the first marts in publication order that hold rows (a demo-only mart is empty in a real release)
    held = {r.get("name") for r in package.get("resources", []) if r.get("rows")}
    marts = [m for m in published().values() if m.name in held][:HEADLINE_MARTS]
    tables = [
        f'<a href="/{DATABASE}/{escape(m.name)}">{escape(m.name)}</a>: {escape(first_sentence(m.summary))}'
        for m in marts
    ]
    downloads = [
        '<a href="/files/">Every file of the release</a>: each table as CSV (with its CSVW metadata) and Parquet',
        '<a href="/files/datapackage.json">datapackage.json</a>: the Frictionless data package (schemas, sources, '
        "licences)",
        '<a href="/files/data_dictionary.csv">data_dictionary.csv</a>: every column of every table, with its unit',
        '<a href="/files/RELEASE_NOTES.md">RELEASE_NOTES.md</a>: what changed, what is missing and why',
        '<a href="/releases/feed.atom">The releases feed</a> (Atom): every release, newest first',
    ]
    trace = [
        f'<a href="/{DATABASE}/trace_this_figure">Trace this figure</a>: a spend figure to the publisher\'s file, '
        "sheet, row and column",
        f'<a href="/{DATABASE}/explain_this_total">Explain this total</a>: the themes and bodies under a '
        "place's total",
        f'<a href="/{DATABASE}/source_files">source_files</a>: every file a figure was read from, with the '
        "publisher's page and link, its unit, and whether it is the publisher's own file or a copy",
    ]
    return "".join(
        [
            '<div class="wholeplace-home" data-testid="home">',
            f"<p>Public money in {escape(places)}: what councils, the combined authority, police, fire and "
            "the NHS spend on each place, per head, budget against outturn, beside outcomes; release "
            f"{version}. Money is in pounds, cash terms unless a column says real terms. A figure the "
            "publishers did not publish is shown as not available [x], never as zero or a guess.</p>",
            "<p>It counts the money those bodies publish by place, about a third of all identifiable public "
            "money in a region: "
            f'<a href="/{DATABASE}/how_much_is_counted">how much of the public money it counts</a>.</p>',
            "<h2>Start here: questions answered without SQL</h2>",
            "<p>Each opens with sensible defaults (the latest year, outturn); change the fields above its "
            "table and press Run. Each answer downloads as CSV (the .csv link under its table).</p>",
            _list(questions),
            f'<h2>Place profiles</h2><p><a href="{SITE_URL}">Every place on one page each</a>: its headline '
            "totals, a map, how it compares with England, its neighbours and places of its type, spend by "
            "service, outcomes, and where each figure comes from.</p>",
            "<h2>The headline tables</h2>",
            _list(tables),
            f'<p><a href="/{DATABASE}">Every table of the release</a>.</p>',
            "<h2>Where a figure comes from</h2>",
            _list(trace),
            "<h2>Downloads</h2>",
            _list(downloads),
            "</div>",
        ]
    )
