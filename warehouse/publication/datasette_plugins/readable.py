"""Datasette plugin (loaded by `make serve` with --plugins-dir): table pages that read well.

- A yes/no column (``is_*``, ``has_*``; SQLite stores 1/0) shows yes or no.
- On a table page the column dictionary folds behind a disclosure ("What each column means"), so
  the rows come first, and keys and file hashes (``*_key``, ``*_sha256``, ``*_sha256s``: joins, not
  reading) are hidden until "Show keys and hashes" is pressed.
Only the HTML changes: JSON, CSV and SQL keep every column and the raw values."""

from __future__ import annotations

import re

from datasette import hookimpl

HIDDEN_COLUMN = re.compile(r"(_key|_sha256s?)$")

SCRIPT = """
(function () {
  var dl = document.querySelector("dl.column-descriptions");
  if (dl) {
    var details = document.createElement("details");
    details.className = "column-dictionary";
    details.setAttribute("data-testid", "column-dictionary");
    var summary = document.createElement("summary");
    summary.textContent = "What each column means (" + dl.querySelectorAll("dt").length + " columns)";
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(summary);
    details.appendChild(dl);
  }
  var hidden = %(hidden)s;
  if (!hidden.length) { return; }
  var style = document.createElement("style");
  style.textContent = hidden.map(function (c) { return ".col-" + c; }).join(", ") + " { display: none; }";
  document.head.appendChild(style);
  var table = document.querySelector("table.rows-and-columns");
  if (!table) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("data-testid", "show-keys");
  button.textContent = "Show keys and hashes (" + hidden.length + ")";
  button.addEventListener("click", function () {
    var shown = style.disabled = !style.disabled;
    button.textContent = (shown ? "Hide" : "Show") + " keys and hashes (" + hidden.length + ")";
  });
  table.parentNode.insertBefore(button, table);
})();
"""


def hidden_columns(columns: list[str] | None) -> list[str]:
    """The columns a table page hides by default: keys and file hashes."""
    return [c for c in columns or [] if HIDDEN_COLUMN.search(c) and re.fullmatch(r"[a-z0-9_]+", c)]


def yes_no(column: str, value: object) -> str | None:
    if column.startswith(("is_", "has_")) and not isinstance(value, bool) and value in (0, 1):
        return "yes" if value == 1 else "no"
    return None


@hookimpl
def render_cell(value, column):
    return yes_no(column, value)


@hookimpl
def extra_body_script(view_name, columns):
    if view_name != "table":
        return ""
    names = ", ".join(f'"{c}"' for c in hidden_columns(columns))
    return SCRIPT % {"hidden": f"[{names}]"}
