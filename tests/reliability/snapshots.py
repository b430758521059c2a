"""The bundled snapshots with test-only revisions, for the suites that need a publisher to change a
file (restatement, crash, overlap). A revision is never published outside a temporary warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.settings import PROJECT_DIR

BUNDLED = PROJECT_DIR / "ingest" / "snapshots"


@dataclass(frozen=True)
class Revision:
    source: str
    file: str
    old: str  # text that occurs once in the bundled file
    new: str


BIRMINGHAM = "E08000025,Birmingham,West Midlands,1073045,"
CENSUS_PUBLISHED = 1140300  # Birmingham's usual residents (rounded) as the ONS published them


def census(value: int) -> Revision:
    """The census file with Birmingham's population set to ``value``."""
    return Revision(
        "ons_census_population",
        "census2021_population_by_lad.csv",
        f"{BIRMINGHAM}{CENSUS_PUBLISHED}",
        f"{BIRMINGHAM}{value}",
    )


# OFLOG's adult social care file with Birmingham's 2022-23 workforce turnover rate revised
OFLOG = Revision(
    "oflog_asc", "oflog_adult_social_care.csv", ",ASC7,27.25804198,28.04317139,", ",ASC7,27.4,28.04317139,"
)


def revised(folder: Path, *revisions: Revision) -> Path:
    """``folder``: every bundled source (symlinked) with ``revisions`` applied (made once)."""
    if folder.exists():
        return folder
    folder.mkdir(parents=True)
    touched = {r.source for r in revisions}
    for source in BUNDLED.iterdir():
        if source.name not in touched:
            (folder / source.name).symlink_to(source)
    for r in revisions:
        (folder / r.source).mkdir(exist_ok=True)
        for file in (BUNDLED / r.source).iterdir():
            if file.name != r.file:
                (folder / r.source / file.name).symlink_to(file)
        text = (BUNDLED / r.source / r.file).read_text(encoding="utf-8")
        assert text.count(r.old) == 1, f"{r.source}/{r.file}: {r.old!r} must occur once"
        (folder / r.source / r.file).write_text(text.replace(r.old, r.new), encoding="utf-8")
    return folder


def sha256(folder: Path, source: str, file: str) -> str:
    import hashlib

    return hashlib.sha256((folder / source / file).read_bytes()).hexdigest()
