"""Only https to allow-listed hosts, and never to a non-public address: a publisher host that
resolves to a private, loopback or link-local address is refused before any request, and the
check is made again for every redirect. (DNS is stubbed: no network here.)"""

from __future__ import annotations

import dataclasses
import functools
import io
import ipaddress
import socket
from unittest import mock

import pytest

import core.settings
from core.errors import FetchError
from ingest import http
from ingest.http import HttpClient
from tests.reliability.report import record_hardening

HOSTS = {"assets.publishing.service.gov.uk", "www.gov.uk"}
URL = "https://assets.publishing.service.gov.uk/media/x/RA_2023-24.ods"


def settings():
    return dataclasses.replace(core.settings.get(), mirror_url=None, http_retries=0, connect_timeout_s=1.0)


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

    @functools.cached_property
    def raw(self):
        return Body(b"ok")


class Body(io.BytesIO):
    """urllib3's response body, as the client reads it: read1(amt, decode_content=...)."""

    def read1(self, size=-1, decode_content=True):
        return super().read1(size)


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


def mirror_settings(mirror: str, **extra):
    return dataclasses.replace(settings(), mirror_url=mirror, **extra)


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "169.254.0.1", "fe80::1", "::ffff:169.254.169.254", "100.100.100.200", "fd00:ec2::254"],
)
def test_a_mirror_on_a_link_local_or_metadata_address_is_refused_without_a_request(address):
    with HttpClient(mirror_settings("http://mirror.internal:8080"), HOSTS) as client:
        with (
            resolving({"mirror.internal": address}),
            mock.patch.object(client.session, "get") as get,
            pytest.raises(FetchError) as refused,
        ):
            client.get(URL)
    get.assert_not_called()
    message = str(refused.value)
    assert f"is on {ipaddress.ip_address(address)}" in message and "link-local or cloud metadata" in message
    assert "WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL" in message


def test_a_mirror_by_its_metadata_ip_literal_is_refused_too(recorder):
    with HttpClient(mirror_settings("http://169.254.169.254"), HOSTS) as client:
        with mock.patch.object(client.session, "get") as get, pytest.raises(FetchError, match="169.254.169.254"):
            client.get(URL)
    get.assert_not_called()
    record_hardening(
        recorder,
        "a mirror on the cloud metadata address",
        "refused before any request (169.254.169.254, and by name lookup 169.254.0.0/16, fe80::/10, "
        "100.100.100.200, fd00:ec2::254); allowed only with WHOLEPLACE_MIRROR_ALLOW_LINK_LOCAL=1",
    )


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "192.168.1.10", "::1"])
def test_a_mirror_on_this_machine_or_the_local_network_is_used(address):
    with HttpClient(mirror_settings("http://mirror.internal:8080"), HOSTS) as client:
        with resolving({"mirror.internal": address}), mock.patch.object(client.session, "get", return_value=Answer()):
            assert client.get(URL).content == b"ok"


def test_a_link_local_mirror_is_used_when_the_setting_allows_it():
    allowed = mirror_settings("http://169.254.10.10", mirror_allow_link_local=True)
    with HttpClient(allowed, HOSTS) as client:
        with mock.patch.object(client.session, "get", return_value=Answer()) as get:
            assert client.get(URL).content == b"ok"
    assert get.call_args.args[0] == "http://169.254.10.10/assets.publishing.service.gov.uk/media/x/RA_2023-24.ods"
