"""A static site for a release: ``<release>/site/``, readable offline (no JS, no CSS or fonts fetched).

    index.html                 profiles, a hex map of England's districts, the release's metadata
                               and documentation, every mart's CSV and Parquet download
    profiles/<area_code>.html  one per council of the region and one for the combined authority area:
                               headline numbers; like-for-like outturn per head over every year; the
                               Oflog nearest neighbours; a hex map of the region; spend per head by
                               theme and agency type (the latest year, and every year held); budget
                               against outturn by service line; outcomes over every period against
                               England, the region, the neighbours' and the national median, marked
                               better, similar or worse than England where that can be said
    charts/<page>/<chart>.vl.json  each chart's Vega-Lite spec, data inline, for reuse
    dbt_docs/index.html        dbt's docs as one static page (``build_dbt_docs``)

Numbers are read from the warehouse (DuckDB, read-only). Every chart is a Vega-Lite spec written
with altair and rendered to inline SVG by vl-convert (no script), followed by a table of the same
numbers; table cells carry ``data-value`` (the raw number, empty when not available) and key
elements ``data-testid``, for browser tests. Rows built from a synthetic sample are marked, and a
page that shows any says so at the top. The HTML depends only on the warehouse and the release's
files (no timestamps but the release's own), so the same release gives the same site.

Modules: format (numbers and text), charts (Vega-Lite specs and their SVG, cached by what they are
made from), hexmap (hex maps), queries (the warehouse), sections and comparisons (parts of a page), pages (the pages
and ``write_site``); dbt's docs page is warehouse.publication.dbt_docs.
"""

from warehouse.publication.profiles.pages import SITE_DIR, write_site

__all__ = ["SITE_DIR", "write_site"]
