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
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.TAG_NAME, "a")]
    for code in [f"E080000{n}" for n in range(25, 32)] + ["E47000007"]:
        assert any(h.endswith(f"/profiles/{code}.html") for h in hrefs), code
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
    assert len(chart.find_elements(By.TAG_NAME, "rect")) >= len(expected)
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="synthetic-note"]')
    # each headline says its scope, and the like-for-like series is drawn over every year held
    scopes = browser.find_elements(By.CSS_SELECTOR, '[data-testid="headline-scope"]')
    assert len(scopes) == 2 and all(s.is_displayed() and s.text for s in scopes)
    like = browser.find_element(By.CSS_SELECTOR, '[data-testid="chart-like-for-like"]')
    assert like.is_displayed() and like.find_elements(By.TAG_NAME, "circle")
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
