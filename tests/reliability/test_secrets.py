"""No secret in the repository: no private key, cloud key or password-like assignment in any
tracked file outside the tests (whose fake credentials are named as such), and `.env` is ignored."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.reliability.report import record_hardening

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


PLANTED = "Planted-s3cret-9031"
RSX_2122 = "mhclg_rsx/RSX_2021-22_data_by_LA_Live.csv"


@pytest.mark.integration
def test_a_release_built_through_a_mirror_with_credentials_holds_the_secret_in_no_file(
    published_copy, tmp_path, httpserver, monkeypatch, caplog, recorder
):
    """The mirror's password (and a token in the URL) are sent, and a release is built and
    published from what came through it; no file the run wrote holds the secret: not the release
    (CSV, Parquet, datapackage.json, the SQLite file, data docs, the site), not the landing
    manifest, the DuckDB file, the lineage events, the run state or the logs."""
    import logging
    from urllib.parse import urlsplit

    import core.settings
    from core.catalogue import catalogue
    from tests.integration.conftest import edit_coventry_figure
    from warehouse import pipeline

    before = published_copy.current_release()
    restated = tmp_path / "RSX.csv"
    restated.write_bytes((ROOT / "ingest" / "snapshots" / RSX_2122).read_bytes())
    edit_coventry_figure(restated, "124,991")  # a new vintage, so a new release is built from it
    url = catalogue().get("mhclg_rsx").partition("2021-22").url
    httpserver.expect_request(f"/{urlsplit(url).hostname}{urlsplit(url).path}").respond_with_data(restated.read_bytes())
    mirror = httpserver.url_for("/").rstrip("/").replace("http://", f"http://wholeplace:{PLANTED}@")
    monkeypatch.setenv("WHOLEPLACE_MODE", "live")
    monkeypatch.setenv("WHOLEPLACE_MIRROR_URL", mirror)
    caplog.set_level(logging.DEBUG)

    pipeline.load("mhclg_rsx", pipeline.fetch("mhclg_rsx", ["2021-22"]))
    pipeline.validate_raw("mhclg_rsx")
    built = pipeline.build_models()
    summary = pipeline.publish(pipeline.validate_marts(built), built)

    settings = core.settings.get()
    release = settings.current_release()
    assert summary["new_release"] and release != before
    assert httpserver.log and httpserver.log[0][0].authorization.password == PLANTED  # it was used
    shown = (release / "source_files.csv").read_text()
    assert "http://REDACTED@" in shown  # the mirror is named, its credentials are not
    scanned = [p for p in sorted(settings.warehouse_dir.rglob("*")) if p.is_file() and not p.is_symlink()]
    holding = [str(p.relative_to(settings.warehouse_dir)) for p in scanned if PLANTED.encode() in p.read_bytes()]
    assert holding == []
    assert any(p.name == "wholeplace.sqlite" for p in release.rglob("*")), "the scan must cover the SQLite file"
    ours = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # not the test server's own log
    assert not [m for m in ours if PLANTED in m]
    record_hardening(
        recorder,
        "credential in the mirror URL",
        f"used for the request; a release published through it: {len(scanned)} files of the warehouse and its "
        "releases scanned (the SQLite file, manifest, DuckDB file and lineage included), 0 hold the secret; "
        "source_files.csv shows http://REDACTED@...",
    )
