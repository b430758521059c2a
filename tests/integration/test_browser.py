"""What a person and a feed reader see: the latest release served as `make serve` serves it
(Datasette), loaded in headless Chromium. The pages must render the release's own numbers.

Needs Debian's chromium and chromium-driver (.ci/run installs them). Screenshots are saved to
test-artifacts/browser/ in the project.
"""

from __future__ import annotations

import csv
import json
import shutil
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts" / "browser"
BIRMINGHAM = "E08000025"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local test server
        return response.status, response.read()


@pytest.fixture(scope="module")
def server(first_run, pipeline):
    """`make serve` for the test warehouse: Datasette on a free local port."""
    from warehouse.publication.datasette import serve_command

    port = _free_port()
    command = serve_command(pipeline.warehouse / "releases" / "latest", port=port)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(f"{base}/wholeplace.json")[0] == 200:
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"datasette did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "the browser tests need Debian's chromium and chromium-driver: apt-get install chromium chromium-driver"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    web = webdriver.Chrome(options=options, service=Service(driver))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield web
    web.quit()


def _release_rows(pipeline, mart: str) -> list[dict]:
    with open(pipeline.latest / f"{mart}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_index_links_every_profile_and_every_mart_download(server, browser, pipeline):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/files/site/index.html")
    browser.save_screenshot(str(ARTIFACTS / "index.png"))
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.TAG_NAME, "a")]
    for code in [f"E080000{n}" for n in range(25, 32)] + ["E47000007"]:
        assert any(h.endswith(f"/profiles/{code}.html") for h in hrefs), code
    # the map leads, its hexagons link to the profiles, and the list of profiles can be searched
    hexes = browser.find_elements(By.CSS_SELECTOR, '[data-testid="hex-map"] a')
    assert any(
        (a.get_attribute("href") or a.get_attribute("xlink:href") or "").endswith("profiles/E08000025.html")
        for a in hexes
    )
    search = browser.find_element(By.CSS_SELECTOR, '[data-testid="place-search"]')
    search.send_keys("Coventry")
    shown = [li for li in browser.find_elements(By.CSS_SELECTOR, '[data-testid="profiles"] li') if li.is_displayed()]
    assert [li.text.split(" (")[0] for li in shown] == ["Coventry"]
    package = json.loads((pipeline.latest / "datapackage.json").read_text())
    for resource in package["resources"]:
        if resource["format"] == "csv" and resource["name"] != "source_files":
            assert any(h.endswith(f"/{resource['path']}") for h in hrefs), resource["path"]
    # every download link works from the served page
    for href in [h for h in hrefs if h.endswith((".csv", ".parquet", "datapackage.json"))][:5]:
        assert _get(href)[0] == 200, href


def test_a_council_profile_renders_the_releases_spend_per_head(server, browser, pipeline):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/files/site/profiles/{BIRMINGHAM}.html")
    browser.save_screenshot(str(ARTIFACTS / f"profile-{BIRMINGHAM}.png"))
    assert "Birmingham" in browser.find_element(By.CSS_SELECTOR, '[data-testid="page-title"]').text
    table = browser.find_element(By.CSS_SELECTOR, '[data-testid="spend-per-head-table"][data-measure="budget"]')
    year = table.get_attribute("data-financial-year")
    expected = {
        r["theme_code"]: r["per_head_gbp"]
        for r in _release_rows(pipeline, "whole_place_budget")
        if r["area_code"] == BIRMINGHAM and r["financial_year"] == year and r["measure"] == "budget"
    }
    shown = {
        row.get_attribute("data-theme-code"): row.find_element(
            By.CSS_SELECTOR, '[data-column="per_head_gbp"]'
        ).get_attribute("data-value")
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    }
    assert shown.keys() == expected.keys()
    for theme, value in shown.items():
        assert Decimal(value) == Decimal(expected[theme]), theme
    # the chart is drawn (one bar or more per theme); the default release has no synthetic figures
    chart = browser.find_element(By.CSS_SELECTOR, '[data-testid="chart-spend-per-head"]')
    assert chart.is_displayed() and chart.get_attribute("class") == "marks"  # vl-convert's SVG
    assert len(chart.find_elements(By.CSS_SELECTOR, "g.mark-rect path")) >= len(expected)
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="synthetic-note"]')
    # each headline says its scope, and the like-for-like series is drawn over every year held
    scopes = browser.find_elements(By.CSS_SELECTOR, '[data-testid="headline-scope"]')
    assert len(scopes) == 3 and all(s.is_displayed() and s.text for s in scopes)
    # all public money: the counted share of an ESTIMATED whole, in a section of its own, with the
    # same numbers as the release's whole_place_estimates and whole_place_totals' estimated scope
    estimate = browser.find_element(By.CSS_SELECTOR, '[data-testid="estimate"]')
    assert estimate.is_displayed() and "estimate" in estimate.get_attribute("class")
    statement = estimate.find_element(By.CSS_SELECTOR, '[data-testid="estimate-statement"]')
    assert statement.text.startswith("ESTIMATE") and "is counted from published place-level figures" in statement.text
    year = statement.get_attribute("data-financial-year")
    total = next(
        r
        for r in _release_rows(pipeline, "whole_place_estimates")
        if r["area_code"] == BIRMINGHAM and r["financial_year"] == year and r["function_code"] == "total"
    )
    assert Decimal(statement.get_attribute("data-estimate-per-head")) == Decimal(total["estimate_per_head_gbp"])
    assert Decimal(statement.get_attribute("data-counted-share")) == Decimal(total["counted_share_pct"])
    headline = browser.find_element(
        By.CSS_SELECTOR, '[data-testid="headline-total"][data-scope="all_identifiable_estimated"]'
    )
    assert Decimal(headline.get_attribute("data-value")) == Decimal(total["estimate_gbp"])
    drawn = estimate.find_element(By.CSS_SELECTOR, '[data-testid="chart-estimate"]')
    assert drawn.is_displayed() and len(drawn.find_elements(By.CSS_SELECTOR, "g.mark-rect path")) >= 2
    shown = estimate.find_element(By.CSS_SELECTOR, 'tr[data-function="total"] [data-column="estimate_gbp"]')
    assert Decimal(shown.get_attribute("data-value")) == Decimal(total["estimate_gbp"])
    like = browser.find_element(By.CSS_SELECTOR, '[data-testid="chart-like-for-like"]')
    assert like.is_displayed() and like.find_elements(By.CSS_SELECTOR, "g.mark-symbol path")
    years = [
        r.get_attribute("data-financial-year")
        for r in browser.find_elements(By.CSS_SELECTOR, '[data-testid="like-for-like-table"] tbody tr')
    ]
    assert years == ["2021-22", "2022-23", "2023-24", "2024-25"]


def test_the_datasette_json_api_serves_the_same_figures(server, pipeline):
    status, body = _get(
        f"{server}/wholeplace/whole_place_budget.json?area_code={BIRMINGHAM}&financial_year=2023-24"
        "&measure=budget&_shape=array&_size=max"
    )
    assert status == 200
    api = {r["theme_code"]: r["total_gbp"] for r in json.loads(body)}
    release = {
        r["theme_code"]: r["total_gbp"]
        for r in _release_rows(pipeline, "whole_place_budget")
        if r["area_code"] == BIRMINGHAM and r["financial_year"] == "2023-24" and r["measure"] == "budget"
    }
    assert api and {k: Decimal(str(v)) for k, v in api.items()} == {k: Decimal(v) for k, v in release.items()}


def test_the_dictionary_lineage_and_quality_report_open_from_the_release(server, browser):
    from selenium.webdriver.common.by import By

    assert b"whole_place_budget" in _get(f"{server}/files/data_dictionary.md")[1]
    browser.get(f"{server}/files/data_docs/index.html")
    browser.save_screenshot(str(ARTIFACTS / "data-docs.png"))
    assert "publish_gate" in browser.page_source or "Validation" in browser.page_source
    browser.get(f"{server}/files/site/dbt_docs/index.html")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "dbt-docs.png"))
    assert browser.find_elements(By.TAG_NAME, "body")


def test_a_feed_reader_sees_the_release_in_the_atom_feed(server, pipeline):
    status, body = _get(f"{server}/releases/feed.atom")
    assert status == 200
    root = ET.fromstring(body)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{atom}feed"
    titles = [e.findtext(f"{atom}title") for e in root.findall(f"{atom}entry")]
    assert any(pipeline.latest.name in (t or "") for t in titles)


def _map_figures(pipeline) -> tuple[str, dict[str, Decimal]]:
    """Local government outturn per head by council in the map's year, from the release's CSV of the
    model every surface reads that measure from (place_comparisons)."""
    figures = {
        (r["financial_year"], r["area_code"]): Decimal(r["per_head_gbp"])
        for r in _release_rows(pipeline, "place_comparisons")
        if r["area_type"] == "local_authority" and r["measure"] == "outturn" and r["per_head_gbp"]
    }
    year = max(y for y, _ in figures)
    return year, {code: value for (y, code), value in figures.items() if y == year}


def test_the_hex_maps_colour_every_council_with_a_figure(server, browser, pipeline):
    from selenium.webdriver.common.by import By

    year, figures = _map_figures(pipeline)
    # the index: England's places, one hexagon each (every build holds each place's figure, its own
    # places' and the others' as comparators); the places with a figure coloured
    browser.get(f"{server}/files/site/index.html")
    england = browser.find_element(By.CSS_SELECTOR, '[data-testid="hex-map"]')
    browser.execute_script("arguments[0].scrollIntoView()", england)
    browser.save_screenshot(str(ARTIFACTS / "map-england.png"))
    assert england.is_displayed() and england.size["width"] > 300
    hexes = england.find_elements(By.CSS_SELECTOR, "g.mark-symbol path")
    assert len(hexes) >= 153  # every English place, grey where the release has no figure
    fills = {h.get_attribute("fill") for h in hexes}
    assert len(fills) > 3, "coloured by value, not one colour"
    section = browser.find_element(By.CSS_SELECTOR, '[data-testid="hex-map-section"]')
    assert section.get_attribute("data-financial-year") == year
    shown = {
        row.get_attribute("data-area-code"): Decimal(
            row.find_element(By.CSS_SELECTOR, '[data-column="outturn_per_head_gbp"]').get_attribute("data-value")
        )
        for row in section.find_elements(By.CSS_SELECTOR, '[data-testid="hex-map-table"] tbody tr')
    }
    assert shown.keys() == figures.keys()
    for code, value in shown.items():
        assert abs(value - figures[code]) <= Decimal("0.01"), code
    # a profile: the region's districts, the council outlined, its spec published beside it
    browser.get(f"{server}/files/site/profiles/{BIRMINGHAM}.html")
    region = browser.find_element(By.CSS_SELECTOR, '[data-testid="hex-map"]')
    browser.execute_script("arguments[0].scrollIntoView()", region)
    browser.save_screenshot(str(ARTIFACTS / f"map-{BIRMINGHAM}.png"))
    assert region.is_displayed() and len(region.find_elements(By.CSS_SELECTOR, "g.mark-symbol path")) >= 7
    labels = {t.text for t in region.find_elements(By.CSS_SELECTOR, "g.mark-text text")}
    assert {"Bir", "Cov", "Wol"} <= labels
    figure = region.find_element(By.XPATH, "./ancestor::figure")
    spec_link = figure.find_element(By.CSS_SELECTOR, '[data-testid="chart-spec-link"]').get_attribute("href")
    status, body = _get(spec_link)
    spec = json.loads(body)
    assert status == 200 and spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert {p["code"] for p in spec["datasets"]["places"]} >= {BIRMINGHAM, "E08000026"}


def test_the_canned_queries_answer_in_the_browser(server, browser):
    from selenium.webdriver.common.by import By

    from warehouse.publication.datasette import canned_queries

    answered = 0
    for name, query in canned_queries().items():
        browser.get(f"{server}/wholeplace/{name}")
        assert query["title"] in browser.find_element(By.TAG_NAME, "h1").text, name
        assert not browser.find_elements(By.CSS_SELECTOR, ".message-error"), name
        rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        # the page shows what the query returns (pooled_budgets is empty without the demo's samples)
        status, body = _get(f"{server}/wholeplace/{name}.json?_shape=array")
        returned = json.loads(body)
        assert status == 200 and len(rows) == min(len(returned), 1000), name
        answered += bool(rows)
        if name == "spend_per_head":
            browser.save_screenshot(str(ARTIFACTS / "canned-query.png"))
    assert answered >= len(canned_queries()) - 1


def test_datasette_shows_money_in_pounds_and_each_columns_help(server, browser, pipeline):
    from selenium.webdriver.common.by import By

    from warehouse.publication.datasette import dictionary

    browser.get(
        f"{server}/wholeplace/whole_place_budget?area_code={BIRMINGHAM}&financial_year=2023-24&measure=budget"
        "&theme_code=education"
    )
    browser.save_screenshot(str(ARTIFACTS / "datasette-table.png"))
    release = next(
        r
        for r in _release_rows(pipeline, "whole_place_budget")
        if (r["area_code"], r["financial_year"], r["measure"], r["theme_code"])
        == (BIRMINGHAM, "2023-24", "budget", "education")
    )
    total = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr td.col-total_gbp").text
    assert total == f"£{Decimal(release['total_gbp']):,.0f}"
    per_head = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr td.col-per_head_gbp").text
    assert per_head == f"£{Decimal(release['per_head_gbp']):,.2f}"
    # the JSON keeps the number
    status, body = _get(
        f"{server}/wholeplace/whole_place_budget.json?area_code={BIRMINGHAM}&financial_year=2023-24"
        "&measure=budget&theme_code=education&_shape=array"
    )
    assert Decimal(str(json.loads(body)[0]["total_gbp"])) == Decimal(release["total_gbp"])
    # each column's help is the data dictionary's description
    described = dictionary(pipeline.latest)
    # the dictionary is folded behind a disclosure, the rows first; keys and hashes hidden until asked for
    folded = browser.find_element(By.CSS_SELECTOR, '[data-testid="column-dictionary"]')
    assert folded.tag_name == "details" and folded.get_attribute("open") is None
    key = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns th.col-whole_place_budget_key")
    assert not key.is_displayed()
    browser.find_element(By.CSS_SELECTOR, '[data-testid="show-keys"]').click()
    assert key.is_displayed()
    help_text = browser.find_element(By.CSS_SELECTOR, "dl.column-descriptions").get_attribute("textContent")
    for column in ("per_head_gbp", "population_source", "nhs_gbp"):
        assert described[("whole_place_budget", column)][1][:60] in help_text, column
    assert "Pint" not in help_text and "hash of the natural key" not in help_text
    # the page is titled by region and release date
    browser.get(f"{server}/")
    assert "West Midlands" in browser.title or "West Midlands" in browser.find_element(By.TAG_NAME, "h1").text


def test_files_lists_the_release_and_each_link_opens(server, browser, pipeline):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/files/")
    browser.save_screenshot(str(ARTIFACTS / "files.png"))
    links = {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main a, body a")}
    for name in ("datapackage.json", "catalog.jsonld", "whole_place_budget.csv", "site/index.html"):
        assert name in links, name
    assert _get(links["datapackage.json"])[0] == 200
    assert _get(links["site/index.html"])[0] == 200


def _links(browser) -> set[str]:
    from selenium.webdriver.common.by import By

    return {a.get_attribute("href").split("#")[0] for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}


@pytest.mark.parametrize(
    ("page", "shot"),
    [
        ("/", "home.png"),
        ("/wholeplace/whole_place_totals", "table-page.png"),
        (f"/files/site/profiles/{BIRMINGHAM}.html", f"profile-{BIRMINGHAM}.png"),
        ("/files/site/profiles/E08000026.html", "profile-E08000026.png"),
    ],
)
def test_every_link_on_the_home_a_table_page_and_a_profile_answers(server, browser, page, shot):
    """The pages the README's "Start here" shows (screenshots saved): each link on them opens. Links
    off this server (the publishers', the licence) cannot be reached offline and must be https."""
    browser.get(f"{server}{page}")
    browser.save_screenshot(str(ARTIFACTS / shot))
    links = _links(browser)
    local = sorted(link for link in links if link.startswith(server))
    assert len(local) >= 5, local
    failed = []
    for link in local:
        try:
            status, _ = _get(link)
        except OSError as exc:  # an HTTP error status is an OSError too
            status = getattr(exc, "code", str(exc))
        if status != 200:
            failed.append((link, status))
    assert not failed, failed
    assert all(link.startswith(("https://", "mailto:")) for link in links - set(local)), links - set(local)


# every pair of visible SVG texts of a chart whose boxes overlap by more than a pixel each way
_OVERLAPS = """
const out = [];
document.querySelectorAll('figure svg').forEach((svg, i) => {
  const shown = t => {
    for (let e = t; e && e !== svg; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.opacity === '0' || style.display === 'none' || style.visibility === 'hidden') return false;
    }
    return true;
  };
  const boxes = [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && t.getBBox().width > 0 && shown(t))
    .map(t => [t.textContent.trim(), t.getBoundingClientRect()]);
  for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
    const [ta, ra] = boxes[a], [tb, rb] = boxes[b];
    const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (x > 1 && y > 1) out.push([svg.getAttribute('aria-label') || 'chart ' + i, ta, tb]);
  }
});
return out;
"""


@pytest.mark.parametrize("page", ["index.html", f"profiles/{BIRMINGHAM}.html", "profiles/E08000026.html"])
def test_no_label_of_a_chart_overlaps_another_in_the_browser(server, browser, page):
    """Axis labels, legend labels and hexagon labels as Chromium draws them (its font, not the one
    the charts were laid out with) never overlap."""
    browser.get(f"{server}/files/site/{page}")
    assert browser.find_elements("css selector", "figure svg text"), page
    assert browser.execute_script(_OVERLAPS) == [], page
