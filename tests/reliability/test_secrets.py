"""No secret in the repository: no private key, cloud key or password-like assignment in any
tracked file outside the tests (whose fake credentials are named as such), and `.env` is ignored."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abpors]-[A-Za-z0-9-]{10,}\b"),
    "password-like assignment": re.compile(
        r"(?i)\b(password|passwd|secret|api[_-]?key|token)\b[\"']?\s*[:=]\s*[\"']?(?!\$\{)([A-Za-z0-9/+_\-.!@#%^&*]{12,})"
    ),
    "credentials in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?!\$\{)[^/\s:@'\"]{6,}@"),
}
# Placeholders that are not secrets: the upstream Airflow defaults and the local test servers.
ALLOWED = {"change-me", "://airflow:airflow@", "airflow_jwt_secret", "_AIRFLOW_WWW_USER_"}


def tracked_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / n for n in names.splitlines() if not n.startswith("tests/") and (ROOT / n).is_file()]


def findings(text: str) -> list[str]:
    out = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(text):
            if not any(a in m.group(0) for a in ALLOWED):
                out.append(f"{kind}: {m.group(0)[:60]}")
    return out


@pytest.mark.parametrize(
    "planted",
    [
        "-----BEGIN RSA PRIVATE KEY-----",
        "aws_key = AKIAABCDEFGHIJKLMNOP",
        'password = "hunter2hunter2hunter2"',
        "WHOLEPLACE_MIRROR_URL=https://svc:realpassword99@mirror.example/",
    ],
)
def test_the_scan_finds_a_planted_secret(planted):
    assert findings(planted)


def test_no_tracked_file_holds_a_secret():
    found = {}
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary snapshots (xlsx, ods)
        if hits := findings(text):
            found[str(path.relative_to(ROOT))] = hits
    assert found == {}


def test_local_settings_files_are_ignored_and_not_tracked():
    ignored = subprocess.run(["git", "check-ignore", ".env"], cwd=ROOT, capture_output=True, text=True)
    assert ignored.returncode == 0, ".env is not git-ignored"
    assert ".env" not in {p.name for p in tracked_files()}
