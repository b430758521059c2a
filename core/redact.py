"""Secrets out of everything we write: credentials in a URL are used for the request, never recorded.

A URL's user information (``user:password@`` before its host) and the values of token-like query
parameters (``?token=``, ``?api_key=``, ``?sig=``, ...) are replaced by ``REDACTED`` wherever a URL is
written down: the landing manifest (and from it the raw tables, every release's
``source_files.csv``, ``datapackage.json`` and SQLite file, and the lineage events), log lines, and
every error message of our own (so ``last_error.json``, the run summary and alerts too).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
# query parameters whose values are credentials (matched on the name, case-insensitively)
SECRET_PARAMETER = re.compile(
    r"(?i)^(?:.*[_-])?(?:token|key|apikey|secret|password|passwd|pwd|sig|signature|auth|authorization|"
    r"credential|credentials)$|^x-amz-(?:credential|signature|security-token)$"
)
# user information in any URL inside free text: a user (and password) then @, after the scheme's ://
_USERINFO_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@")
# token-like query parameters inside free text: ?token=... or &api_key=...
_PARAMETER_IN_TEXT = re.compile(
    r"(?i)([?&](?:[a-z0-9]*[_-])?(?:token|key|apikey|secret|password|passwd|pwd|sig|signature|auth|"
    r"authorization|credential|credentials|x-amz-credential|x-amz-signature|x-amz-security-token)=)"
    r"[^&#\s'\"<>]+"
)


def redact_url(url: str | None) -> str | None:
    """The URL with its user information and token-like query values replaced by REDACTED."""
    if not url or "://" not in url:
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # a malformed URL: fall back to the text rules
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        if ":" in host:  # an IPv6 literal keeps its brackets
            host = f"[{host}]"
        netloc = f"{REDACTED}@{host}" + (f":{port}" if port is not None else "")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(SECRET_PARAMETER.match(k) for k, _ in pairs):
            query = urlencode([(k, REDACTED if SECRET_PARAMETER.match(k) else v) for k, v in pairs], safe="/:")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with every URL's credentials replaced by REDACTED."""
    if "://" not in text and "=" not in text:
        return text
    text = _USERINFO_IN_TEXT.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    return _PARAMETER_IN_TEXT.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts URL credentials in a record's message (for libraries that log
    the URLs they request, such as urllib3 at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
