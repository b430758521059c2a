"""Release integrity: every file of a release is checked against the sha256 it was published with.

A release lists its data files' sha256 in ``datapackage.json`` (``resources[].hash``) and every
file it holds, metadata, SQLite file and site included, in ``SHA256SUMS`` (written last, before the
release is moved into place; the format ``sha256sum -c`` reads). :func:`verify_release` reports a
file that differs, is missing or was added since. `make status` and the start of every run verify
the latest release; `make verify RELEASE=<dir>` checks any release; a run whose latest release is
damaged publishes an intact one rather than saying "no change".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.landing import sha256_file

CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Verification:
    release: Path
    checked: int  # files whose sha256 was compared
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return f"release {self.release.name}: intact ({self.checked} files match their published sha256)"
        shown = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = f"\n  - and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        return f"release {self.release.name}: {len(self.problems)} problem(s)\n{shown}{more}"


def write_checksums(release_dir: Path) -> Path:
    """``SHA256SUMS``: every file of the release (but itself), sorted, as ``sha256sum`` writes it."""
    lines = [
        f"{sha256_file(path)}  {path.relative_to(release_dir).as_posix()}\n"
        for path in sorted(p for p in release_dir.rglob("*") if p.is_file() and p.name != CHECKSUMS)
    ]
    target = release_dir / CHECKSUMS
    target.write_text("".join(lines), encoding="utf-8")
    return target


def verify_release(release_dir: Path) -> Verification:
    """Compare every file of a release with the sha256 it was published with."""
    release_dir = Path(release_dir)
    problems: list[str] = []
    checked = 0
    package_path = release_dir / "datapackage.json"
    if not release_dir.is_dir():
        return Verification(release_dir, 0, [f"{release_dir}: no such release folder"])
    if not package_path.exists():
        return Verification(release_dir, 0, ["datapackage.json is missing: not a release, or damaged"])
    try:
        package = json.loads(package_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return Verification(release_dir, 0, [f"datapackage.json does not read as JSON ({exc})"])
    actual: dict[str, str] = {}

    def sha(relative: str) -> str | None:
        if relative not in actual:
            path = release_dir / relative
            actual[relative] = sha256_file(path) if path.is_file() else ""
        return actual[relative] or None

    for resource in package.get("resources", []):
        relative, listed = resource.get("path"), str(resource.get("hash", ""))
        if not relative or not listed.startswith("sha256:"):
            continue
        checked += 1
        got = sha(relative)
        if got is None:
            problems.append(f"{relative}: missing (datapackage.json lists it)")
        elif got != listed.removeprefix("sha256:"):
            problems.append(
                f"{relative}: differs from the sha256 datapackage.json lists ({listed[7:19]}..., now {got[:12]}...)"
            )
    sums = release_dir / CHECKSUMS
    if sums.exists():
        listed_files = set()
        for n, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
            digest, _, relative = line.partition("  ")
            if len(digest) != 64 or not relative:
                problems.append(f"{CHECKSUMS}: line {n} is not '<sha256>  <file>'")
                continue
            listed_files.add(relative)
            if any(relative == r.get("path") for r in package.get("resources", [])) and relative in actual:
                continue  # compared above
            checked += 1
            got = sha(relative)
            if got is None:
                problems.append(f"{relative}: missing ({CHECKSUMS} lists it)")
            elif got != digest:
                problems.append(
                    f"{relative}: differs from the sha256 {CHECKSUMS} lists ({digest[:12]}..., now {got[:12]}...)"
                )
        for path in sorted(p for p in release_dir.rglob("*") if p.is_file() and p.name != CHECKSUMS):
            relative = path.relative_to(release_dir).as_posix()
            if relative not in listed_files:
                problems.append(f"{relative}: added since publication (not in {CHECKSUMS})")
    return Verification(release_dir, checked, problems)
