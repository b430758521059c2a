"""Only https to allow-listed hosts, and never to a non-public address: a publisher host that
resolves to a private, loopback or link-local address is refused before any request, and the
check is made again for every redirect. (DNS is stubbed: no network here.)"""

from __future__ import annotations

import dataclasses
import socket
from unittest import mock

import pytest

import ingest.settings
from ingest import http
from ingest.errors import FetchError
from ingest.http import HttpClient

HOSTS = {"assets.publishing.service.gov.uk", "www.gov.uk"}
URL = "https://assets.publishing.service.gov.uk/media/x/RA_2023-24.ods"


def settings():
    return dataclasses.replace(ingest.settings.get(), mirror_url=None, http_retries=0, connect_timeout_s=1.0)


def resolving(addresses: dict[str, str]):
    def getaddrinfo(host, port, *args, **kwargs):
        address = addresses[host]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    return mock.patch.object(http.socket, "getaddrinfo", side_effect=getaddrinfo)


class Answer:
    """What requests' session.get returns (a context manager), stubbed."""

    status_code = 200
    headers: dict[str, str] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def iter_content(self, chunk_size):
        yield b"ok"


class Redirect(Answer):
    status_code = 302
    headers = {"Location": "https://www.gov.uk/latest.ods"}


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.10", "169.254.169.254", "::1", "fe80::1", "fd00::7", "0.0.0.0"],
)
def test_a_publisher_host_resolving_to_a_non_public_address_is_refused_without_a_request(address):
    with HttpClient(settings(), HOSTS) as client, resolving({"assets.publishing.service.gov.uk": address}):
        with mock.patch.object(client.session, "get") as get, pytest.raises(FetchError) as refused:
            client.get(URL)
    get.assert_not_called()
    assert f"resolves to {address}" in str(refused.value) and URL in str(refused.value)


def test_a_redirect_to_a_host_resolving_to_a_metadata_address_is_refused_after_the_redirect():
    addresses = {"assets.publishing.service.gov.uk": "151.101.0.144", "www.gov.uk": "169.254.169.254"}
    with HttpClient(settings(), HOSTS) as client, resolving(addresses):
        with (
            mock.patch.object(client.session, "get", return_value=Redirect()) as get,
            pytest.raises(FetchError) as refused,
        ):
            client.get(URL)
    assert get.call_count == 1  # the first hop was public; the redirect's target was checked and refused
    assert "redirected to https://www.gov.uk/latest.ods" in str(refused.value)
    assert "169.254.169.254" in str(refused.value)


def test_plain_http_and_hosts_off_the_allow_list_are_refused_before_resolving():
    with HttpClient(settings(), HOSTS) as client, resolving({}) as lookup:
        with pytest.raises(FetchError, match="only https URLs are fetched"):
            client.get("http://assets.publishing.service.gov.uk/x.csv")
        with pytest.raises(FetchError, match="not in the catalogue's allow-list"):
            client.get("https://evil.example/x.csv")
    lookup.assert_not_called()


def test_a_public_address_is_fetched():
    with HttpClient(settings(), HOSTS) as client, resolving({"assets.publishing.service.gov.uk": "151.101.0.144"}):
        with mock.patch.object(client.session, "get", return_value=Answer()):
            assert client.get(URL).content == b"ok"
