"""The bundled snapshots with test-only revisions, for the suites that need a publisher to change a
file (restatement, crash, overlap). A revision is never published outside a temporary warehouse."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from core.settings import PROJECT_DIR

BUNDLED = PROJECT_DIR / "ingest" / "snapshots"


@dataclass(frozen=True)
class Revision:
    source: str
    file: str
    old: str  # text that occurs once in the bundled file
    new: str


POPULATION_FILE = ("ons_mid_year_estimates", "mye24tablesew_MYE2_persons.csv")
BIRMINGHAM = "E08000025,Birmingham,Metropolitan District,"
ENGLAND = "E92000001,ENGLAND,Country,"
POPULATION_PUBLISHED = 1183618  # Birmingham's mid-2024 estimate as ONS published it
ENGLAND_PUBLISHED = 58620101


def population(value: int) -> tuple[Revision, Revision]:
    """The mid-2024 estimates with Birmingham's population set to ``value`` (and England's by as
    much, so the districts still add up to England)."""
    delta = value - POPULATION_PUBLISHED
    return (
        Revision(*POPULATION_FILE, f"{BIRMINGHAM}{POPULATION_PUBLISHED},", f"{BIRMINGHAM}{value},"),
        Revision(*POPULATION_FILE, f"{ENGLAND}{ENGLAND_PUBLISHED},", f"{ENGLAND}{ENGLAND_PUBLISHED + delta},"),
    )


# OFLOG's adult social care file with Birmingham's 2022-23 workforce turnover rate revised
OFLOG = Revision(
    "oflog_asc", "oflog_adult_social_care.csv", ",ASC7,27.25804198,28.04317139,", ",ASC7,27.4,28.04317139,"
)


def revised(folder: Path, *revisions: Revision) -> Path:
    """``folder``: every bundled source (its folder linked; a revised source's other files copied)
    with ``revisions`` applied (made once)."""
    if folder.exists():
        return folder
    folder.mkdir(parents=True)
    touched = {r.source for r in revisions}
    for source in BUNDLED.iterdir():
        if source.name not in touched:
            (folder / source.name).symlink_to(source)
    files = {(r.source, r.file) for r in revisions}
    for source, name in sorted(files):
        (folder / source).mkdir(exist_ok=True)
        for file in (BUNDLED / source).iterdir():
            if (source, file.name) not in files and not (folder / source / file.name).exists():
                # a copy, not a link: the run refuses a snapshot file that is a link
                shutil.copyfile(file, folder / source / file.name)
        data = (BUNDLED / source / name).read_bytes()
        for r in revisions:
            if (r.source, r.file) == (source, name):
                assert data.count(r.old.encode()) == 1, f"{source}/{name}: {r.old!r} must occur once"
                data = data.replace(r.old.encode(), r.new.encode())
        (folder / source / name).write_bytes(data)
    return folder


def sha256(folder: Path, source: str, file: str) -> str:
    import hashlib

    return hashlib.sha256((folder / source / file).read_bytes()).hexdigest()
