"""ingest.http: the one HTTP client, exercised through the mirror against a local server.

pytest-httpserver serves plain http on localhost, so every test sets the mirror to it and asks for
real publisher URLs: ``https://<host>/<path>`` is then served at ``/<host>/<path>``.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import time
import traceback
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as WerkzeugResponse

import core.settings
from core.catalogue import Discover
from core.errors import FetchError
from core.settings import Settings
from ingest.http import HttpClient, Response, mirror_url_for
from tests.reliability.report import record_hardening

ASSETS = "assets.publishing.service.gov.uk"
RSX_PATH = "/media/abc/RSX_2023-24_data_by_LA.ods"
RSX_URL = f"https://{ASSETS}{RSX_PATH}"
ALLOWED = ("www.gov.uk", ASSETS)
CAP = 4096  # bytes; big enough for the Content API JSON below


def make_settings(httpserver: HTTPServer, **overrides: object) -> Settings:
    base = dataclasses.replace(
        core.settings.get(),
        mirror_url=httpserver.url_for("/").rstrip("/"),
        connect_timeout_s=2.0,
        read_timeout_s=2.0,
        max_download_bytes=CAP,
        http_retries=2,
        http_backoff_s=0.01,
    )
    return dataclasses.replace(base, **overrides)


@pytest.fixture
def client(httpserver: HTTPServer) -> Iterator[HttpClient]:
    with HttpClient(make_settings(httpserver), ALLOWED) as c:
        yield c


def test_mirror_url_for_keeps_host_path_and_query() -> None:
    assert (
        mirror_url_for("https://www.gov.uk/api/content/a/b?x=1#frag", "http://127.0.0.1:8080/mirror/")
        == "http://127.0.0.1:8080/mirror/www.gov.uk/api/content/a/b?x=1"
    )


def test_get_through_mirror_returns_publisher_url_and_validators(
    httpserver: HTTPServer, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ingest.http")
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_data(
        b"ods bytes",
        content_type="application/vnd.oasis.opendocument.spreadsheet",
        headers={"ETag": '"abc"', "Last-Modified": "Wed, 11 Dec 2024 10:00:00 GMT"},
    )

    resp = client.get(RSX_URL)

    assert resp == Response(
        url=RSX_URL,
        fetched_from=httpserver.url_for(f"/{ASSETS}{RSX_PATH}"),
        status=200,
        content=b"ods bytes",
        etag='"abc"',
        last_modified="Wed, 11 Dec 2024 10:00:00 GMT",
        content_type="application/vnd.oasis.opendocument.spreadsheet",
    )
    assert httpserver.log[0][0].headers["User-Agent"] == client.settings.user_agent
    assert [r.getMessage() for r in caplog.records if r.name == "ingest.http"] == [
        f"fetched {RSX_URL}: HTTP 200, 9 bytes (from {resp.fetched_from})"
    ]


def test_retries_a_503_then_succeeds(httpserver: HTTPServer, client: HttpClient) -> None:
    path = f"/{ASSETS}{RSX_PATH}"
    httpserver.expect_oneshot_request(path).respond_with_data("busy", status=503)
    httpserver.expect_request(path).respond_with_data(b"the data")

    resp = client.get(RSX_URL)

    assert resp.status == 200
    assert resp.content == b"the data"
    assert len(httpserver.log) == 2


def test_gives_up_after_retries_on_persistent_500(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_data("broken", status=500)

    with pytest.raises(FetchError) as err:
        client.get(RSX_URL)

    message = str(err.value)
    assert RSX_URL in message
    assert "HTTP 500" in message
    assert len(httpserver.log) == 1 + 2  # the first try and http_retries=2 retries


def test_read_timeout_raises_fetch_error_naming_the_timeout(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def stall(request: Request) -> WerkzeugResponse:
        release.wait(5)  # the test releases it as soon as the client has given up
        return WerkzeugResponse(b"too late")

    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_handler(stall)
    settings = make_settings(httpserver, read_timeout_s=0.3, http_retries=0)
    try:
        with HttpClient(settings, ALLOWED) as client, pytest.raises(FetchError) as err:
            client.get(RSX_URL)
    finally:
        release.set()

    assert RSX_URL in str(err.value)
    assert "read timeout" in str(err.value)


def test_connection_refused_raises_fetch_error_naming_the_url(httpserver: HTTPServer) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(httpserver, mirror_url=f"http://127.0.0.1:{port}/mirror", http_retries=1)

    with HttpClient(settings, ALLOWED) as client, pytest.raises(FetchError) as err:
        client.get(RSX_URL)

    message = str(err.value)
    assert RSX_URL in message
    assert "could not connect" in message
    assert "after 1 retry" in message


def test_refuses_a_body_whose_content_length_is_over_the_cap(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_data(b"x" * (CAP + 1))

    with pytest.raises(FetchError, match=rf"declares {CAP + 1} bytes \(Content-Length\), over the {CAP}-byte cap"):
        client.get(RSX_URL)


def test_refuses_a_streamed_body_without_content_length_once_over_the_cap(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    def body() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 1024  # 10 KiB in all, never announced

    # A generator body makes werkzeug send no Content-Length, so only counting can catch it.
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_response(WerkzeugResponse(body()))

    with pytest.raises(FetchError, match=rf"read more than the {CAP}-byte cap"):
        client.get(RSX_URL)


def test_refuses_a_host_not_in_the_allow_list_without_a_request(httpserver: HTTPServer, client: HttpClient) -> None:
    with pytest.raises(FetchError, match=r"host example\.com is not in the catalogue's allow-list"):
        client.get("https://example.com/data.csv")

    assert httpserver.log == []


def test_refuses_plain_http_publisher_urls(httpserver: HTTPServer, client: HttpClient) -> None:
    with pytest.raises(FetchError, match=r"http://www\.gov\.uk/x\.csv.*only https"):
        client.get("http://www.gov.uk/x.csv")

    assert httpserver.log == []


def test_conditional_get_reuses_etag_and_returns_304(httpserver: HTTPServer, client: HttpClient) -> None:
    def conditional(request: Request) -> WerkzeugResponse:
        if request.headers.get("If-None-Match") == '"abc"':
            return WerkzeugResponse(status=304, headers={"ETag": '"abc"'})
        return WerkzeugResponse(b"version 1", headers={"ETag": '"abc"'})

    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_handler(conditional)

    first = client.get(RSX_URL)
    second = client.get(RSX_URL, etag=first.etag)

    assert first.status == 200
    assert first.etag == '"abc"'
    assert httpserver.log[1][0].headers["If-None-Match"] == '"abc"'
    assert second.status == 304
    assert second.content == b""
    assert second.etag == '"abc"'


def test_sends_if_modified_since_when_given_last_modified(httpserver: HTTPServer, client: HttpClient) -> None:
    stamp = "Wed, 11 Dec 2024 10:00:00 GMT"
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}", headers={"If-Modified-Since": stamp}).respond_with_response(
        WerkzeugResponse(status=304)
    )

    resp = client.get(RSX_URL, last_modified=stamp)

    assert (resp.status, resp.content, resp.last_modified) == (304, b"", stamp)


def test_follows_a_redirect_within_the_mirror(httpserver: HTTPServer, client: HttpClient) -> None:
    new_path = f"/{ASSETS}/media/def/RSX_2023-24_data_by_LA.ods"
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_data("", status=301, headers={"Location": new_path})
    httpserver.expect_request(new_path).respond_with_data(b"moved data")

    resp = client.get(RSX_URL)

    assert resp.content == b"moved data"
    assert resp.url == RSX_URL
    assert resp.fetched_from == httpserver.url_for(new_path)


def test_refuses_a_redirect_to_a_host_not_in_the_allow_list(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_data(
        "", status=302, headers={"Location": "https://evil.example.net/payload.ods"}
    )

    with pytest.raises(FetchError, match=r"host evil\.example\.net is not in the catalogue's allow-list"):
        client.get(RSX_URL)

    assert len(httpserver.log) == 1


def test_refuses_a_redirect_loop_after_five_hops(httpserver: HTTPServer, client: HttpClient) -> None:
    path = f"/{ASSETS}{RSX_PATH}"
    httpserver.expect_request(path).respond_with_data("", status=302, headers={"Location": path})

    with pytest.raises(FetchError, match=r"more than 5 redirects"):
        client.get(RSX_URL)

    assert len(httpserver.log) == 6


PAGE = "/government/statistics/local-authority-revenue-expenditure-and-financing-2023-to-2024-final-outturn"
ODS_URL = "https://assets.publishing.service.gov.uk/media/6759b6e89f669f2e28ce2b44/RSX_2023-24_data_by_LA.ods"
CONTENT_API = {
    "base_path": PAGE,
    "document_type": "official_statistics",
    "title": "Local authority revenue expenditure and financing 2023-24 final outturn, England",
    "details": {
        "attachments": [
            {
                "attachment_type": "html",
                "id": "7788821",
                "title": "Technical notes",
                "url": f"{PAGE}/technical-notes",
            },
            {
                "attachment_type": "file",
                "id": "7788822",
                "title": "Revenue outturn service expenditure summary (RSX) 2023-24",
                "url": "https://assets.publishing.service.gov.uk/media/6759b6e8/RO_2023-24%20data%20notes.pdf",
                "content_type": "application/pdf",
            },
            {
                "attachment_type": "file",
                "id": "7788823",
                "title": "Revenue outturn summary (RSX) 2023-24 data by local authority",
                "url": ODS_URL,
                "content_type": "application/vnd.oasis.opendocument.spreadsheet",
            },
        ]
    },
}


def test_discover_finds_the_attachment_by_file_name_pattern(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(f"/www.gov.uk/api/content{PAGE}").respond_with_json(CONTENT_API)

    url = client.discover(Discover(page=PAGE, filename=r"^RSX_\d{4}-\d{2}_data_by_LA\.ods$"))

    assert url == ODS_URL


def test_discover_reports_the_file_names_seen_when_nothing_matches(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(f"/www.gov.uk/api/content{PAGE}").respond_with_json(CONTENT_API)

    with pytest.raises(FetchError) as err:
        client.discover(Discover(page=PAGE, filename=r"^RSX_2024-25.*\.ods$"))

    message = str(err.value)
    assert "RO_2023-24 data notes.pdf" in message  # URL-decoded
    assert "RSX_2023-24_data_by_LA.ods" in message
    assert "technical-notes" not in message  # HTML attachments are not files


def test_discover_rejects_invalid_json(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(f"/www.gov.uk/api/content{PAGE}").respond_with_data(
        "<html>not json</html>", content_type="text/html"
    )

    with pytest.raises(FetchError, match=r"did not return valid JSON"):
        client.discover(Discover(page=PAGE, filename=r"\.ods$"))


def test_rejects_a_mirror_that_is_not_an_http_url(httpserver: HTTPServer) -> None:
    with pytest.raises(FetchError, match=r"WHOLEPLACE_MIRROR_URL"):
        HttpClient(make_settings(httpserver, mirror_url="ftp://mirror.internal/x"), ALLOWED)


def test_a_server_that_drips_bytes_fails_within_the_overall_deadline(httpserver: HTTPServer, recorder) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(100):  # 1 byte every 0.1 s: each read is quick, the whole never ends in time
            yield b"d"
            threading.Event().wait(0.1)

    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_response(WerkzeugResponse(drip()))
    settings = make_settings(httpserver, read_timeout_s=2.0, http_retries=0, fetch_deadline_s=1.0)
    started = time.monotonic()
    with HttpClient(settings, ALLOWED) as client, pytest.raises(FetchError) as failed:
        client.get(RSX_URL)
    took = time.monotonic() - started
    assert took < 3.0  # the deadline (1 s) and one read at most, not the 10 s the server would take
    message = str(failed.value)
    assert RSX_URL in message and "1 s deadline for one fetch" in message and "WHOLEPLACE_FETCH_DEADLINE" in message
    record_hardening(
        recorder,
        "a server dripping a byte at a time",
        f"FetchError after {took:.1f} s with a 1 s deadline (the server would take 10 s; default deadline 600 s)",
    )


def test_a_server_that_drips_its_headers_fails_within_the_overall_deadline(httpserver: HTTPServer) -> None:
    """Not only the body: a status line and headers sent a byte at a time end at the deadline too."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip_headers() -> None:
        conn, _ = listener.accept()
        with conn:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
                if stop.wait(0.05):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    server = threading.Thread(target=drip_headers, daemon=True)
    server.start()
    mirror = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = make_settings(httpserver, mirror_url=mirror, read_timeout_s=2.0, http_retries=0, fetch_deadline_s=1.0)
    started = time.monotonic()
    try:
        with HttpClient(settings, ALLOWED) as client, pytest.raises(FetchError) as failed:
            client.get(RSX_URL)
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 4.0  # the deadline and its second of grace, not the 10 s of headers
    assert "1 s deadline for one fetch (no complete answer from" in str(failed.value)


SECRET = "planted-Secret-4417"


def test_a_mirrors_credentials_are_sent_but_never_logged_recorded_or_named_in_errors(
    httpserver: HTTPServer, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    from core.landing import land, read_manifest

    httpserver.expect_request(f"/{ASSETS}{RSX_PATH}").respond_with_data(b"the data")
    mirror = httpserver.url_for("/").rstrip("/").replace("http://", f"http://wp-user:{SECRET}@")
    settings = make_settings(httpserver, mirror_url=mirror, http_retries=0)
    caplog.set_level(logging.DEBUG)
    with HttpClient(settings, ALLOWED) as client:
        got = client.get(RSX_URL + "?api_key=" + SECRET + "&year=2023")
        with pytest.raises(FetchError) as failed:
            client.get(f"https://{ASSETS}/media/missing.ods?token={SECRET}")
    assert httpserver.log[0][0].authorization.password == SECRET  # used for the request
    land(
        tmp_path,
        source_id="mhclg_rsx",
        period="2023-24",
        data=got.content,
        url=got.url,
        origin_url=got.url,
        mirror_url=settings.mirror_url,
        file_name="RSX.ods",
        mode="live",
    )
    (row,) = read_manifest(tmp_path)
    assert row.mirror_url == httpserver.url_for("/").rstrip("/").replace("http://", "http://REDACTED@")
    assert row.url == RSX_URL + "?api_key=REDACTED&year=2023"
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")  # not the test server's
    with socket.socket() as sock:  # a connection refused: the library's error names the URL requested
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = make_settings(httpserver, mirror_url=f"http://wp-user:{SECRET}@127.0.0.1:{port}", http_retries=0)
    with HttpClient(closed, ALLOWED) as client, pytest.raises(FetchError) as refused:
        client.get(f"{RSX_URL}?access_token={SECRET}")
    for error in (failed.value, refused.value):
        ours += "".join(traceback.format_exception(error))  # what a task log prints
    recorded = (tmp_path / "manifest.jsonl").read_text() + str(failed.value) + ours + repr(settings)
    assert SECRET not in recorded
    assert "REDACTED" in str(failed.value)
