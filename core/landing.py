"""Landing: raw bytes stored once, content-addressed, never modified; a manifest row per fetch.

Layout under ``<warehouse>/raw/``::

    objects/<sha256[:2]>/<sha256>.<ext>   the publisher's bytes, read-only
    manifest.jsonl                        one JSON object per fetch (append-only)
    loads.jsonl                           one per file loaded into raw.<source> (append-only): the
                                          vintage history, which rebuilds the warehouse file if lost
    listings/<sha256[:2]>/<sha256>.jsonl  the files of one landed file set (content-addressed)

Re-landing identical bytes writes no file; the fetch is still recorded (outcome ``unchanged``),
so the manifest is a complete log of what was fetched, when and from where.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from core.errors import ConfigError, SourceError, WholeplaceError
from core.redact import redact_url

log = logging.getLogger(__name__)

MANIFEST_FIELDS = (
    "source_id",
    "period",
    "url",
    "origin_url",
    "mirror_url",
    "mode",
    "file_name",
    "retrieved_at",
    "sha256",
    "bytes",
    "etag",
    "last_modified",
    "outcome",
    "object_path",
)


@dataclass(frozen=True)
class Landed:
    source_id: str
    period: str
    url: str  # where the bytes were read from: the publisher's URL, or snapshot://<path>
    origin_url: str | None  # the publisher's URL of the publication a snapshot copies
    mirror_url: str | None  # the mirror the bytes actually came from, if any
    mode: str  # 'snapshot' | 'live'
    file_name: str
    retrieved_at: str  # ISO 8601, UTC
    sha256: str
    bytes: int
    etag: str | None
    last_modified: str | None
    outcome: str  # 'new' | 'unchanged' | 'not_modified'
    object_path: str  # relative to the landing directory

    def path(self, landing_dir: Path) -> Path:
        return landing_dir / self.object_path


@dataclass(frozen=True)
class NamedFile:
    """A file to load by its published name (its identity), wherever its bytes are; ``sha256``
    when already known (landing hashes every file, so loads need not read it twice)."""

    name: str
    path: Path
    sha256: str | None = None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file, read in chunks (releases hash every file they hold)."""
    return _file_digest(path, hashlib.sha256())


def file_stamp(path: Path) -> list[int] | None:
    """A file's [size, modification time in ns] (None when it is missing): what says it is unchanged
    without reading it, as git and rsync do (landing, the no-change shortcut, the metadata digest)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def sha1_file(path: Path) -> str:
    """SHA-1 of a file: only where a standard admits nothing else (DCAT-AP 2.1.1's spdx:checksum);
    the project's own integrity checks use sha256."""
    return _file_digest(path, hashlib.sha1(usedforsecurity=False))


def _file_digest(path: Path, digest) -> str:
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def object_path(sha256: str, file_name: str) -> str:
    ext = "".join(Path(file_name).suffixes[-1:]).lower() or ".bin"
    return f"objects/{sha256[:2]}/{sha256}{ext}"


def land(
    landing_dir: Path,
    *,
    source_id: str,
    period: str,
    data: bytes,
    url: str,
    file_name: str,
    mode: str,
    origin_url: str | None = None,
    mirror_url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    not_modified: bool = False,
    retrieved_at: datetime | None = None,
) -> Landed:
    """Store ``data`` (if new) and append a manifest row. Returns what was recorded."""
    digest = sha256_hex(data)
    target = landing_dir / object_path(digest, file_name)
    new = not target.exists()
    if new:
        _write_once(target, lambda fh: fh.write(data))
    return _record(
        landing_dir,
        new=new,
        not_modified=not_modified,
        source_id=source_id,
        period=period,
        url=url,
        origin_url=origin_url,
        mirror_url=mirror_url,
        mode=mode,
        file_name=file_name,
        retrieved_at=retrieved_at,
        sha256=digest,
        size=len(data),
        etag=etag,
        last_modified=last_modified,
    )


def land_file(
    landing_dir: Path,
    path: Path,
    *,
    source_id: str,
    period: str,
    url: str,
    mode: str,
    origin_url: str | None = None,
    sha256: str | None = None,
    record: bool = True,
) -> Landed:
    """Land a file without reading it into memory: hashed in 1 MiB chunks (unless its ``sha256``
    is already known), copied only when new. ``record=False`` leaves the manifest row to the
    caller (``append_manifest_rows``: one write for many files)."""
    digest = sha256 or sha256_file(path)
    target = landing_dir / object_path(digest, path.name)
    new = not target.exists()
    if new:
        with open(path, "rb") as src:
            _write_once(target, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))
    return _record(
        landing_dir,
        new=new,
        record=record,
        source_id=source_id,
        period=period,
        url=url,
        origin_url=origin_url,
        mode=mode,
        file_name=path.name,
        sha256=digest,
        size=path.stat().st_size,
    )


def _record(
    landing_dir: Path,
    *,
    new: bool,
    sha256: str,
    size: int,
    file_name: str,
    not_modified: bool = False,
    retrieved_at: datetime | None = None,
    mirror_url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    record: bool = True,
    **where: str | None,
) -> Landed:
    """Append the manifest row for one fetch (unless ``record`` is false) and log it."""
    outcome = "new" if new else "not_modified" if not_modified else "unchanged"
    landed = Landed(
        **{k: redact_url(v) for k, v in where.items()},  # a URL's credentials are never recorded
        mirror_url=redact_url(mirror_url),
        file_name=file_name,
        retrieved_at=(retrieved_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        sha256=sha256,
        bytes=size,
        etag=etag,
        last_modified=last_modified,
        outcome=outcome,
        object_path=object_path(sha256, file_name),
    )
    if record:
        append_manifest(landing_dir, landed)
    log.log(
        logging.INFO if record else logging.DEBUG,
        "%s %s: %s %s (%s bytes, sha256 %s)",
        landed.source_id,
        landed.period,
        {"new": "landed", "unchanged": "unchanged", "not_modified": "not modified"}[outcome],
        file_name,
        f"{size:,}",
        sha256[:12],
    )
    return landed


def _write_once(target: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Write atomically (temp file filled by ``fill``, fsync, rename) and make the file read-only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def manifest_path(landing_dir: Path) -> Path:
    return landing_dir / "manifest.jsonl"


def append_manifest(landing_dir: Path, landed: Landed) -> None:
    """Append one row under an exclusive lock (workers on a shared volume may land at once)."""
    append_manifest_rows(landing_dir, [landed])


def append_manifest_rows(landing_dir: Path, rows: list[Landed]) -> None:
    """Append rows in one locked write and one fsync (a file set lands thousands of files)."""
    _append_locked(manifest_path(landing_dir), _as_jsonl(rows))


def _append_locked(path: Path, text: str) -> None:
    """Append to an append-only JSON-lines file under an exclusive lock, with one fsync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_listing(landing_dir: Path, rows: list[Landed]) -> str:
    """Store the list of a file set's landed files under its sha256 (content-addressed, written
    once) and return that sha256: a fetch task hands the set to its load task by this name, so the
    XCom stays small however many files the set holds."""
    text = _as_jsonl(rows).encode()
    digest = sha256_hex(text)
    target = listing_path(landing_dir, digest)
    if not target.exists():
        _write_once(target, lambda fh: fh.write(text))
    return digest


def listing_path(landing_dir: Path, sha256: str) -> Path:
    return landing_dir / "listings" / sha256[:2] / f"{sha256}.jsonl"


def read_listing(landing_dir: Path, sha256: str) -> list[Landed]:
    path = listing_path(landing_dir, sha256)
    if not path.exists():
        raise WholeplaceError(f"file-set listing {sha256[:12]} is not in the landing zone at {path}: fetch again")
    return list(_read_landed(path))


def read_manifest(landing_dir: Path) -> Iterator[Landed]:
    path = manifest_path(landing_dir)
    if path.exists():
        yield from _read_landed(path)


def _as_jsonl(rows: list[Landed]) -> str:
    """Landed rows as JSON lines: the manifest's and the file-set listings' one format."""
    return "".join(json.dumps(asdict(landed), sort_keys=True) + "\n" for landed in rows)


def _read_landed(path: Path) -> Iterator[Landed]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                yield Landed(**{k: row.get(k) for k in MANIFEST_FIELDS})
            except (json.JSONDecodeError, TypeError) as exc:
                raise ConfigError(
                    f"{path}: line {n} is not a manifest row ({exc}); move the torn line aside to go on"
                ) from exc


def latest_fetch(landing_dir: Path, source_id: str, period: str, url: str) -> Landed | None:
    """The most recent fetch of this URL for this partition (for conditional GET). URLs are
    compared as recorded: with any credentials redacted."""
    found = None
    url = redact_url(url)
    for row in read_manifest(landing_dir):
        if row.source_id == source_id and row.period == period and row.url == url:
            found = row
    return found


def loads_path(landing_dir: Path) -> Path:
    return landing_dir / "loads.jsonl"


def record_load(landing_dir: Path, landed: Landed, *, accepted: bool = False) -> None:
    """Append to the load ledger: this file became its period's content in raw.<source> (``accepted``:
    with fewer rows or areas than before, as the run acknowledged). A warehouse file rebuilt from
    the landing zone replays the ledger, so its vintage history survives the file's loss."""
    _append_locked(loads_path(landing_dir), ledger_line(landed, accepted, datetime.now(UTC).isoformat()))


def ledger_line(landed: Landed, accepted: bool, loaded_at: str) -> str:
    """One row of the load ledger, as JSON text with its line end."""
    return (
        json.dumps({**asdict(landed), "accepted_fewer_rows": accepted, "loaded_at": loaded_at}, sort_keys=True) + "\n"
    )


def load_history(landing_dir: Path, source_id: str, period: str) -> list[tuple[Landed, bool]]:
    """The files loaded for a partition, oldest first (consecutive repeats once), each with whether
    it was accepted with fewer rows or areas: the vintages a rebuilt warehouse replays."""
    path = loads_path(landing_dir)
    if not path.exists():
        return []
    found: list[tuple[Landed, bool]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("source_id") != source_id or row.get("period") != period:
                continue
            accepted = bool(row.get("accepted_fewer_rows"))
            if found and found[-1][0].sha256 == row["sha256"]:
                found[-1] = (found[-1][0], found[-1][1] or accepted)
                continue
            found.append((Landed(**{k: row.get(k) for k in MANIFEST_FIELDS}), accepted))
    return found


def regular_file(path: Path, *, source_id: str, name: str) -> Path:
    """``path`` if it is a regular file; else a SourceError naming the source and the file. A
    symbolic link is refused wherever it points (its target's bytes would land under this file's
    name), as is a FIFO, device or socket in a file's place."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise SourceError(source_id, name, f"snapshot file missing at {path}") from None
    if stat.S_ISLNK(mode):
        raise SourceError(
            source_id,
            name,
            f"{path} is a symbolic link (to {os.readlink(path)}), not a file: the run reads only files held in "
            "the snapshot folder, never what a link points to. Put the file itself there",
        )
    if not stat.S_ISREG(mode):
        raise SourceError(
            source_id, name, f"{path} is not a regular file (a folder, FIFO, device or socket): nothing was read"
        )
    return path
