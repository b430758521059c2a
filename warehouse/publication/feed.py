"""An Atom 1.0 feed of the published releases: ``<releases>/feed.atom``.

One entry per release folder (a folder with a datapackage.json; ``latest`` and other symlinks are
skipped), newest first. Ids are ``urn:uuid:`` UUIDs derived from the version (uuid5), so an entry
keeps its id however often the feed is rewritten. The feed is written to a temporary file and
moved into place, so a reader sees the old feed or the new one.
"""

from __future__ import annotations

import json
import os
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_NAME = "feed.atom"
NOTES_LINES = 12  # lines of RELEASE_NOTES.md quoted in each entry's summary
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/wholeplace/wholeplace/releases")


def release_id(version: str) -> str:
    """The stable Atom id of a release."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, version)}"


def _releases(releases_dir: Path) -> list[tuple[str, Path, dict]]:
    found = []
    for path in sorted(releases_dir.iterdir()) if releases_dir.is_dir() else []:
        if path.is_symlink() or not path.is_dir() or path.name.startswith("."):
            continue
        package_path = path / "datapackage.json"
        if not package_path.is_file():
            continue
        package = json.loads(package_path.read_text(encoding="utf-8"))
        found.append((package.get("created") or "", path, package))
    # newest first: by the package's created time, then by the version folder's name
    found.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    return [(p.name, p, pkg) for _, p, pkg in found]


def _summary(release_dir: Path, package: dict) -> str:
    lines = ["Rows per mart:"]
    for r in package.get("resources", []):
        if r.get("format") == "csv" and r.get("rows") is not None:
            lines.append(f"  {r['name']}: {r['rows']}")
    if package.get("contains_synthetic_data"):
        lines.append(
            "Contains synthetic data: yes (samples, not real publications: "
            + ", ".join(package.get("synthetic_sources") or [])
            + "; their rows have is_synthetic = true)."
        )
    else:
        lines.append("Contains synthetic data: no.")
    notes = release_dir / "RELEASE_NOTES.md"
    if notes.is_file():
        head = notes.read_text(encoding="utf-8").splitlines()[:NOTES_LINES]
        lines += ["", "Release notes:", *head]
    return "\n".join(lines).rstrip() + "\n"


def _url(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path}" if base_url else path


def feed_xml(releases_dir: Path, base_url: str = "") -> bytes:
    """The feed document (UTF-8 bytes)."""
    releases = _releases(Path(releases_dir))
    # plain tag names with xmlns on the root (ElementTree's default_namespace option refuses Atom's
    # unqualified attributes); parsed back, every element is in the Atom namespace
    feed = ET.Element("feed", xmlns=ATOM_NS)
    ET.SubElement(feed, "id").text = f"urn:uuid:{_ID_NAMESPACE}"
    ET.SubElement(feed, "title").text = "wholeplace releases"
    ET.SubElement(feed, "subtitle").text = (
        "Versioned open-data releases of the whole-place budget and outcomes warehouse"
        + (
            f" ({releases[0][2]['region']['title']})"
            if releases and (releases[0][2].get("region") or {}).get("title")
            else ""
        )
        + "."
    )
    newest = releases[0][2].get("created") if releases else None
    ET.SubElement(feed, "updated").text = newest or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=_url(base_url, FEED_NAME))
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = "wholeplace"
    ET.SubElement(feed, "generator").text = "wholeplace warehouse.publication.feed"
    for version, path, package in releases:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "id").text = release_id(version)
        ET.SubElement(entry, "title").text = f"wholeplace release {version}"
        created = package.get("created") or datetime.fromtimestamp(
            (path / "datapackage.json").stat().st_mtime, UTC
        ).strftime("%Y-%m-%dT%H:%M:%SZ")
        ET.SubElement(entry, "updated").text = created
        ET.SubElement(entry, "published").text = created
        ET.SubElement(
            entry,
            "link",
            rel="alternate",
            type="application/json",
            href=_url(base_url, f"{version}/datapackage.json"),
        )
        if (path / "RELEASE_NOTES.md").is_file():
            ET.SubElement(
                entry, "link", rel="related", type="text/markdown", href=_url(base_url, f"{version}/RELEASE_NOTES.md")
            )
        ET.SubElement(entry, "summary", type="text").text = _summary(path, package)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feed(releases_dir: Path, base_url: str = "") -> Path:
    """Write ``releases_dir/feed.atom`` atomically; return its path."""
    releases_dir = Path(releases_dir)
    releases_dir.mkdir(parents=True, exist_ok=True)
    path = releases_dir / FEED_NAME
    tmp = releases_dir / f".{FEED_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(feed_xml(releases_dir, base_url))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
