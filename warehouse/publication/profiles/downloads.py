"""What every page of the site gets once its HTML is written: a CSV download under each table (the
table's own cells, numbers as numbers) and the page's contents at its top (a link to each section).

    finish_page(html, page, up) -> (html, {relative path: CSV text})

``page`` names the page's CSV folder (site/tables/<page>/); ``up`` is the page's way back to the
site folder ("" for the index, "../" for a profile). Written here, after the sections, so every
table and heading of every section is covered without each section doing it."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from html.parser import HTMLParser

TABLES_DIR = "tables"
_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
_H2 = re.compile(r"<h2([^>]*)>(.*?)</h2>", re.S)


class _Cells(HTMLParser):
    """The rows of one table: each cell's data-value where it has one (the number), else its text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell, self._value = [], dict(attrs).get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            text = " ".join("".join(self._cell).split())
            self.rows[-1].append(self._value if self._value is not None else text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_csv(table_html: str) -> str:
    """A table's rows as CSV (header row first), numbers unformatted."""
    parser = _Cells()
    parser.feed(table_html)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(row for row in parser.rows if row)
    return out.getvalue()


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", unescape(re.sub(r"<[^>]+>", "", text)).lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def finish_page(html: str, page: str, up: str) -> tuple[str, dict[str, str]]:
    """The page with a CSV link under each table and its contents after the title; the CSVs by
    their path under the site folder."""
    files: dict[str, str] = {}
    pieces: list[str] = []
    last = 0
    for n, match in enumerate(_TABLE.finditer(html), start=1):
        testid = re.search(r'data-testid="([^"]+)"', match[0][: match[0].find(">")])
        path = f"{TABLES_DIR}/{page}/{n:02d}-{testid[1] if testid else 'table'}.csv"
        files[path] = table_csv(match[0])
        pieces += [
            html[last : match.end()],
            f'\n<p class="download"><a href="{up}{path}" download data-testid="table-download">Download this '
            "table (CSV)</a></p>",
        ]
        last = match.end()
    html = "".join([*pieces, html[last:]])
    taken: set[str] = set()
    contents: list[str] = []

    def anchor(m: re.Match) -> str:
        slug = _slug(m[2], taken)
        contents.append(f'<li><a href="#{slug}">{re.sub(r"<[^>]+>", "", m[2])}</a></li>')
        return f'<h2 id="{slug}"{m[1]}>{m[2]}</h2>'

    html = _H2.sub(anchor, html)
    if len(contents) > 1:
        nav = '<nav class="contents" data-testid="page-contents"><p>On this page:</p><ul>' + "".join(contents)
        html = html.replace("</header>", nav + "</ul></nav>\n</header>", 1)
    return html, files
