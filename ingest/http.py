"""The project's one HTTP client: allow-listed https hosts, retries, timeouts, a size cap, a mirror.

Everything live mode fetches goes through :class:`HttpClient`, so the rules hold everywhere:

* publisher URLs are https and their host is in the catalogue's allow-list;
* when ``WHOLEPLACE_MIRROR_URL`` is set, ``https://<host>/<path>?<query>`` is read from
  ``<mirror>/<host>/<path>?<query>`` instead (the returned :class:`Response` still names the
  publisher URL, and ``fetched_from`` names the mirror URL);
* every request has a connect and a read timeout, and transient failures (connection errors,
  timeouts, 429 and 5xx answers) are retried with exponential backoff, honouring Retry-After;
* redirects are followed by hand, at most :data:`MAX_REDIRECTS`, and only to allowed hosts;
* before every request (the first and each redirect's) the host's addresses are resolved, and a
  host that resolves to a private, loopback, link-local or otherwise non-public address is refused
  (the operator's own mirror excepted);
* bodies larger than ``max_download_bytes`` are refused, whether or not the server says so up front;
* every fetch has an overall deadline (``fetch_deadline_s``) besides the per-read timeout, so a
  server that drips a byte at a time fails within it;
* the mirror (the operator's own) may be on this machine or the local network, but never on a
  link-local or cloud metadata address (169.254.0.0/16, fe80::/10, :data:`METADATA_ADDRESSES`)
  unless ``WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL=1`` says so;
* a URL's credentials (the mirror's ``user:password@``, token-like query values) are sent, never
  recorded: logs, errors and the landing manifest show them as REDACTED (core.redact).

Failures raise :class:`~core.errors.FetchError` naming the URL; nothing returns None.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from core.catalogue import Discover
from core.errors import FetchError
from core.redact import RedactingFilter, redact_url
from core.settings import Settings

log = logging.getLogger(__name__)
# urllib3 logs each request's path and query at DEBUG: never with a token in it
logging.getLogger("urllib3.connectionpool").addFilter(RedactingFilter())

MAX_REDIRECTS = 5
RETRY_STATUSES = (429, 500, 502, 503, 504)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# A server may ask us to wait (Retry-After); urllib3 would honour up to six hours. Cap it so a
# misbehaving server cannot park a pipeline task.
RETRY_AFTER_MAX_S = 120
CHUNK_BYTES = 64 * 1024
# cloud instance metadata services that are not link-local (Alibaba, Azure's wire server, AWS over IPv6)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("100.100.100.200", "168.63.129.16", "fd00:ec2::254", "fd20:ce::254")
)


def is_link_local_or_metadata(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A link-local or cloud metadata address (169.254.169.254 is both): never fetched from,
    not even as the mirror, unless the operator explicitly allows it."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_link_local or address in METADATA_ADDRESSES


@dataclass(frozen=True)
class Response:
    url: str  # the publisher URL asked for
    fetched_from: str  # the URL actually requested (the mirror URL when a mirror is used)
    status: int  # 200 (or another 2xx) or 304
    content: bytes  # b"" for 304
    etag: str | None
    last_modified: str | None
    content_type: str | None


def mirror_url_for(url: str, mirror: str) -> str:
    """``https://host/path?query`` -> ``<mirror>/host/path?query`` (the fragment is dropped)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise FetchError(f"{url}: not an absolute URL, so it has no mirror location")
    host = parts.hostname.lower()
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    mirrored = f"{mirror.rstrip('/')}/{host}{path}"
    return f"{mirrored}?{parts.query}" if parts.query else mirrored


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class HttpClient:
    """One ``requests.Session`` with retries mounted; use it as a context manager."""

    def __init__(self, settings: Settings, allowed_hosts: Iterable[str]) -> None:
        self.settings = settings
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.mirror = settings.mirror_url.rstrip("/") if settings.mirror_url else None
        if self.mirror is not None:
            parts = urlsplit(self.mirror)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
                raise FetchError(
                    f"mirror URL {self.mirror!r} must be an http(s) URL without a query string "
                    "(check WHOLEPLACE_MIRROR_URL)"
                )
        self.timeout = (settings.connect_timeout_s, settings.read_timeout_s)
        retry = Retry(
            total=settings.http_retries,
            backoff_factor=settings.http_backoff_s,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            retry_after_max=RETRY_AFTER_MAX_S,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session = requests.Session()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = settings.user_agent

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- checks ---------------------------------------------------------------------------------

    def _check_publisher_url(self, url: str, *, asked: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            where = "" if url == asked else f" (redirected to {url})"
            raise FetchError(f"{asked}{where}: only https URLs are fetched, got {url!r}")
        host = parts.hostname.lower()
        if host not in self.allowed_hosts:
            where = "" if url == asked else f" (redirected to {url})"
            allowed = ", ".join(sorted(self.allowed_hosts)) or "(empty)"
            raise FetchError(
                f"{asked}{where}: host {host} is not in the catalogue's allow-list "
                f"(allowed: {allowed}); add a source for it to catalogue.yml if it is intended"
            )

    def _check_address(self, url: str, target: str) -> None:
        """Refuse a publisher host that resolves to a non-public address (metadata services,
        the local network, this machine). The mirror is the operator's choice: it may be on this
        machine or the local network, but not on a link-local or metadata address unless
        ``WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL`` allows it."""
        is_mirror = self.mirror is not None and _origin(target) == _origin(self.mirror)
        if is_mirror and self.settings.mirror_allow_link_local:
            return
        parts = urlsplit(target)
        host = parts.hostname or ""
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"{url}: cannot resolve {host}: {exc}") from exc
        for *_, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if is_mirror:
                if is_link_local_or_metadata(address):
                    raise FetchError(
                        f"{url}: the mirror {target} is on {address}, a link-local or cloud metadata address: "
                        "refused (set WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL=1 if the mirror really is there)"
                    )
                continue
            if not address.is_global:
                where = "" if target == url else f" (redirected to {target})"
                raise FetchError(
                    f"{url}{where}: {host} resolves to {address}, a private, loopback, link-local or "
                    "reserved address: refused"
                )

    def _redirect_target(self, asked: str, current: str, location: str) -> str:
        """The URL to request next for a redirect to ``location``, after checking it is allowed."""
        target = urljoin(current, location)
        if self.mirror is not None:
            if _origin(target) == _origin(self.mirror):
                if not target.startswith(self.mirror + "/"):
                    raise FetchError(f"{asked}: the mirror redirected to {target}, outside the mirror {self.mirror}")
                return target
            # A redirect to a publisher URL is checked like one, then read through the mirror too.
            self._check_publisher_url(target, asked=asked)
            return mirror_url_for(target, self.mirror)
        self._check_publisher_url(target, asked=asked)
        return target

    # --- fetching -------------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET a publisher URL (through the mirror if one is set). Raises FetchError on any failure."""
        self._check_publisher_url(url, asked=url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        target = mirror_url_for(url, self.mirror) if self.mirror else url
        deadline = time.monotonic() + self.settings.fetch_deadline_s
        for _ in range(MAX_REDIRECTS + 1):
            self._check_deadline(url, target, deadline, 0)
            result = self._within_deadline(
                url, target, deadline, lambda t=target: self._request(url, t, headers, deadline)
            )
            if isinstance(result, Response):
                log.info(
                    "fetched %s: HTTP %s, %d bytes%s",
                    redact_url(url),
                    result.status,
                    len(result.content),
                    f" (from {redact_url(result.fetched_from)})" if result.fetched_from != url else "",
                )
                if result.status == 304:
                    # A 304 need not repeat the validators; keep the ones we sent.
                    result = replace(
                        result,
                        etag=result.etag or etag,
                        last_modified=result.last_modified or last_modified,
                    )
                return result
            target = self._redirect_target(url, target, result)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects (last to {target})")

    def _within_deadline(self, url: str, target: str, deadline: float, request: Callable[[], Any]) -> Any:
        """``request()`` on a thread of its own, so the deadline holds even while a server drips the
        status line or headers (which the per-read timeout alone never ends): a FetchError if it has
        not returned by then (the body's own check, a second earlier, names the bytes read). A
        stalled thread is a daemon: it never keeps the process from ending."""
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["value"] = request()
            except BaseException as exc:  # handed to the caller below
                box["error"] = exc

        worker = threading.Thread(target=run, name="wholeplace-fetch", daemon=True)
        worker.start()
        worker.join(timeout=max(0.0, deadline - time.monotonic()) + 1.0)
        if worker.is_alive():
            self.session.close()  # drop the pooled connections; the stalled read ends at its next timeout
            raise self._past_deadline(url, target, None)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _check_deadline(self, url: str, target: str, deadline: float, read: int) -> None:
        if time.monotonic() > deadline:
            raise self._past_deadline(url, target, read)

    def _past_deadline(self, url: str, target: str, read: int | None) -> FetchError:
        via = f" from {target}" if target != url else ""
        got = f"{read:,} bytes read{via}" if read is not None else f"no complete answer{via}"
        return FetchError(
            f"{url}: not finished within the {self.settings.fetch_deadline_s:g} s deadline for one fetch "
            f"({got}); the server is too slow or stalled "
            "(raise WHOLEPLACE_FETCH_DEADLINE if the file is genuinely this slow to download)"
        )

    def _request(self, url: str, target: str, headers: Mapping[str, str], deadline: float) -> Response | str:
        """One request (urllib3 retries inside it). Returns a Response, or a redirect's Location."""
        self._check_address(url, target)
        try:
            with self.session.get(
                target, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
            ) as resp:
                if resp.status_code in REDIRECT_STATUSES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError(
                            f"{url}: HTTP {resp.status_code} redirect without a Location header (from {target})"
                        )
                    log.debug("%s: HTTP %s redirect to %s", redact_url(target), resp.status_code, redact_url(location))
                    return location
                if resp.status_code == 304:
                    content = b""
                elif 200 <= resp.status_code < 300:
                    content = self._read_capped(url, target, resp, deadline)
                else:
                    via = f" (from {target})" if target != url else ""
                    raise FetchError(
                        f"{url}: HTTP {resp.status_code} {resp.reason or ''}".rstrip() + f"{via}{self._after_retries()}"
                    )
                return Response(
                    url=url,
                    fetched_from=target,
                    status=resp.status_code,
                    content=content,
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"),
                    content_type=resp.headers.get("Content-Type"),
                )
        except requests.RequestException as exc:
            via = f" (from {target})" if target != url else ""
            # not chained: the library's own exception names the requested URL, query string and
            # all, and would print it (a token with it) in every traceback of the task log
            raise FetchError(f"{url}: {self._describe(exc)}{via}{self._after_retries()}") from None

    def _read_capped(self, url: str, target: str, resp: requests.Response, deadline: float) -> bytes:
        """The body, decoded, read as it arrives (``read1``), so the size cap and the overall
        deadline are checked after every read however slowly the server sends."""
        cap = self.settings.max_download_bytes
        declared = resp.headers.get("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            raise FetchError(
                f"{url}: the server declares {int(declared)} bytes (Content-Length), over the "
                f"{cap}-byte cap (raise WHOLEPLACE_MAX_DOWNLOAD_MB if the file is genuinely this big)"
            )
        chunks: list[bytes] = []
        read = 0
        while True:
            self._check_deadline(url, target, deadline, read)
            try:
                chunk = resp.raw.read1(CHUNK_BYTES, decode_content=True)
            except urllib3.exceptions.ProtocolError as exc:  # as requests' iter_content names them
                raise requests.exceptions.ChunkedEncodingError(exc) from exc
            except urllib3.exceptions.DecodeError as exc:
                raise requests.exceptions.ContentDecodingError(exc) from exc
            except urllib3.exceptions.ReadTimeoutError as exc:
                raise requests.exceptions.ConnectionError(exc) from exc
            except urllib3.exceptions.SSLError as exc:
                raise requests.exceptions.SSLError(exc) from exc
            if not chunk:
                break
            read += len(chunk)
            if read > cap:
                raise FetchError(
                    f"{url}: read more than the {cap}-byte cap from {target} and stopped "
                    "(raise WHOLEPLACE_MAX_DOWNLOAD_MB if the file is genuinely this big)"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _after_retries(self) -> str:
        n = self.settings.http_retries
        return f", after {n} retr{'y' if n == 1 else 'ies'}" if n else ""

    def _describe(self, exc: requests.RequestException) -> str:
        """What went wrong, in words: timeouts and connection failures named as such."""
        reason: Any = exc
        # requests wraps urllib3's MaxRetryError, which holds the last underlying error.
        if exc.args and isinstance(exc.args[0], urllib3.exceptions.MaxRetryError):
            reason = exc.args[0].reason or exc.args[0]
        elif exc.args and isinstance(exc.args[0], urllib3.exceptions.HTTPError):
            reason = exc.args[0]
        connect_s, read_s = self.timeout
        # Check these first: urllib3's NewConnectionError subclasses ConnectTimeoutError.
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return f"could not resolve the host name ({reason})"
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            return f"could not connect ({reason})"
        if isinstance(exc, requests.ConnectTimeout) or isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
            return f"connect timeout: no connection within {connect_s:g} s"
        if isinstance(exc, requests.ReadTimeout) or isinstance(reason, urllib3.exceptions.ReadTimeoutError):
            return f"read timeout: the server sent nothing for {read_s:g} s"
        if isinstance(exc, requests.exceptions.SSLError) or isinstance(reason, urllib3.exceptions.SSLError):
            return f"TLS error ({reason})"
        if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            return f"the response body was cut off or garbled ({reason})"
        if isinstance(exc, requests.ConnectionError):
            return f"connection error ({reason})"
        return f"request failed ({type(exc).__name__}: {exc})"

    # --- GOV.UK discovery -----------------------------------------------------------------------

    def discover(self, rule: Discover) -> str:
        """The URL of the first attachment on a GOV.UK page whose file name matches ``rule.filename``.

        Reads the page through the GOV.UK Content API (via :meth:`get`, so the allow-list and mirror
        apply). HTML attachments (site-relative URLs) are skipped.
        """
        api_url = rule.api_url
        resp = self.get(api_url)
        try:
            doc = json.loads(resp.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise FetchError(f"{api_url}: the Content API did not return valid JSON ({exc})") from exc
        details = doc.get("details") if isinstance(doc, dict) else None
        attachments = details.get("attachments") if isinstance(details, dict) else None
        if not isinstance(attachments, list):
            raise FetchError(
                f"{api_url}: no details.attachments in the Content API answer; "
                f"is {rule.page} the publication page (not a collection)?"
            )
        pattern = re.compile(rule.filename)
        seen: list[str] = []
        for item in attachments:
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                continue
            att_url: str = item["url"]
            parts = urlsplit(att_url)
            if not parts.scheme or not parts.netloc:
                continue  # an HTML attachment: a page on www.gov.uk, not a file
            name = item.get("filename")
            if not isinstance(name, str) or not name:
                name = unquote(parts.path.rsplit("/", 1)[-1])
            seen.append(name)
            if pattern.search(name):
                log.info("discovered %s on %s (pattern %r)", redact_url(att_url), rule.page, rule.filename)
                return att_url
        names = ", ".join(seen) if seen else "(no file attachments)"
        raise FetchError(
            f"{api_url}: no attachment's file name matches {rule.filename!r}; "
            f"the page has: {names}. Update the discover.filename pattern in catalogue.yml"
        )
