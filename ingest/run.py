"""Ingest one source: for each partition, fetch (snapshot or live) -> land -> parse -> load.

Two halves, which Airflow runs as two tasks: ``fetch_source`` (fetch and land: the landing zone
only, so many run at once) and ``load_source`` (parse and load: the warehouse's one writer).

This is what an Airflow ingest task calls; it is also usable from a shell::

    python -m ingest.run mhclg_rsx            # every partition, in the configured mode
    python -m ingest.run mhclg_rsx 2023-24    # one partition
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from core import settings as settings_mod
from core.catalogue import CATALOGUE_PATH, Partition, Source, catalogue
from core.errors import SourceError, WholeplaceError
from core.landing import (
    Landed,
    NamedFile,
    append_manifest_rows,
    file_stamp,
    land,
    land_file,
    latest_fetch,
    load_history,
    object_path,
    read_listing,
    record_load,
    regular_file,
    sha256_hex,
    write_listing,
)
from core.regions import REGIONS_DIR, load_region
from core.settings import Settings
from ingest import completeness
from ingest.ledger import period_loaded, seed_load_ledger
from ingest.load import (
    LoadResult,
    ensure_table,
    load_partition,
    loaded_unchanged,
    refresh_catalogue_table,
    refresh_manifest_table,
    refresh_region_table,
)
from ingest.membership import all_regions, reference_files
from ingest.sheets import RowCount, row_ledger
from ingest.sources import check_source, module_for

if TYPE_CHECKING:
    import pandas as pd

    from ingest.http import HttpClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartitionOutcome:
    period: str
    mode: str
    file_name: str
    sha256: str
    fetch: str  # 'new' | 'unchanged' | 'not_modified'
    rows: int  # rows of the raw table (a wide sheet gives one per figure)
    loaded: bool
    counted: RowCount | None = None  # the file's data rows: in = loaded + skipped (by reason)

    def describe(self) -> str:
        load = "loaded" if self.loaded else "already loaded"
        text = f"{self.period}: {self.file_name} ({self.mode}, {self.fetch}) -> {self.rows:,} raw rows, {load}"
        return text + (f"; {self.counted.describe()}" if self.counted else "")


def _file_name(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name) or "download"


def acquire(source: Source, partition: Partition, settings: Settings, client: HttpClient | None) -> Landed:
    """Fetch one partition's bytes (from the bundled snapshot or the publisher) and land them."""
    use_live = settings.mode == "live" and partition.has_live_location
    if settings.mode == "live" and not partition.has_live_location:
        log.warning(
            "%s %s: no live location in the catalogue; reading the bundled snapshot", source.id, partition.period
        )
    if not use_live:
        if not partition.snapshot:
            raise WholeplaceError(f"{source.id} {partition.period}: live only (no bundled snapshot)")
        path = regular_file(settings.snapshot_dir / partition.snapshot, source_id=source.id, name=partition.snapshot)
        return land(
            settings.landing_dir,
            source_id=source.id,
            period=partition.period,
            data=path.read_bytes(),
            url=f"snapshot://{partition.snapshot}",
            origin_url=partition.url or (partition.discover.api_url if partition.discover else None),
            file_name=path.name,
            mode="snapshot",
        )
    assert client is not None
    url = partition.url or client.discover(partition.discover)  # type: ignore[arg-type]
    prior = latest_fetch(settings.landing_dir, source.id, partition.period, url)
    response = client.get(
        url,
        etag=prior.etag if prior else None,
        last_modified=prior.last_modified if prior else None,
    )
    common = dict(
        source_id=source.id,
        period=partition.period,
        url=url,
        origin_url=url,
        mirror_url=settings.mirror_url,
        mode="live",
        etag=response.etag,
        last_modified=response.last_modified,
    )
    if response.status == 304 and prior is not None:
        data = prior.path(settings.landing_dir).read_bytes()
        return land(settings.landing_dir, data=data, file_name=prior.file_name, not_modified=True, **common)
    return land(settings.landing_dir, data=response.content, file_name=_file_name(url), **common)


METADATA_INPUTS = "raw.metadata_inputs"  # the digest of what the definition tables last mirrored
DEFINITION_TABLES = ("source_catalogue", "region_definitions")


def definitions_digest(settings: Settings) -> str:
    """What the definition tables mirror: the catalogue, the region files (and which one this
    warehouse builds), and the reference files every region is checked against."""

    parts = {
        "catalogue": sha256_hex(CATALOGUE_PATH.read_bytes()),
        "regions": {p.name: sha256_hex(p.read_bytes()) for p in sorted(REGIONS_DIR.glob("*.yml"))},
        "region": settings.region,
        "reference": [[str(path.resolve()), file_stamp(path)] for _, _, path in reference_files(settings.snapshot_dir)],
    }
    return sha256_hex(json.dumps(parts, sort_keys=True).encode())


def refresh_metadata_tables(con, settings: Settings) -> None:
    """The landing manifest, the catalogue and the region definitions (every region checked),
    mirrored into raw.*. The manifest every time (each landing appends to it); the catalogue and
    regions only when what they mirror has changed since they were last written, so a load with
    nothing new, as most of a rerun's are, does not check every region again."""
    refresh_manifest_table(con, settings.landing_dir)
    digest = definitions_digest(settings)
    names = ", ".join(f"'{t}'" for t in (*DEFINITION_TABLES, METADATA_INPUTS.split(".")[1]))
    ((present,),) = con.execute(
        f"select count(*) from duckdb_tables() where schema_name = 'raw' and table_name in ({names})"
    ).fetchall()
    if present == len(DEFINITION_TABLES) + 1:
        ((last,),) = con.execute(f"select max(digest) from {METADATA_INPUTS}").fetchall()
        if last == digest:
            return
    refresh_catalogue_table(con, list(catalogue()))
    refresh_region_table(con, all_regions(), settings.region)
    con.execute(f"create or replace table {METADATA_INPUTS} as select ?::varchar as digest", [digest])


def left_out_sample(source: Source, settings: Settings) -> bool:
    """A synthetic sample outside the opt-in demo: not fetched, loaded (its raw table is emptied)
    or validated."""
    return source.synthetic and not settings.samples


def partitions_to_run(source: Source, settings: Settings, periods: list[str] | None = None) -> list[Partition]:
    chosen = [p for p in source.partitions if p.period in periods] if periods else list(source.partitions)
    if left_out_sample(source, settings):
        log.info("%s: a synthetic sample, loaded only in the opt-in demo (make run SAMPLES=1)", source.id)
        return []
    if settings.mode == "snapshot":
        skipped = [p.period for p in chosen if not p.snapshot]
        if skipped:
            log.info("%s: %s live only; not part of the bundled snapshot run", source.id, ", ".join(skipped))
        chosen = [p for p in chosen if p.snapshot]
    return chosen


@dataclass(frozen=True)
class Fetched:
    """One partition fetched and landed, ready to load: what a fetch task hands its load task.

    It travels as an XCom, so it stays small: a single file is its manifest row; a file set is the
    sha256 of its listing in the landing zone (``listings/``), however many files it holds."""

    source_id: str
    period: str
    landed: Landed | None = None
    file_set: str | None = None
    files: int = 1
    new_files: int = 0
    bytes: int = 0

    def to_json(self) -> dict:
        return {**asdict(self), "landed": asdict(self.landed) if self.landed else None}

    @classmethod
    def from_json(cls, data: dict) -> Fetched:
        landed = data.get("landed")
        return cls(**{**data, "landed": Landed(**landed) if landed else None})


def fetch_source(source_id: str, periods: list[str] | None = None, settings: Settings | None = None) -> list[Fetched]:
    """Fetch and land every (or the given) partition of a source. Touches the landing zone only
    (never the warehouse file), so fetches of many sources can run at once."""
    settings = settings or settings_mod.get()
    source = catalogue().get(source_id)
    parts = partitions_to_run(source, settings, periods)
    client = None
    if settings.mode == "live":  # requests is imported only to fetch live
        from ingest.http import HttpClient

        client = HttpClient(settings, catalogue().allowed_hosts())
    fetched: list[Fetched] = []
    try:
        for n, partition in enumerate(parts, start=1):
            log.info("%s: fetching partition %s (%d of %d)", source.id, partition.period, n, len(parts))
            if partition.is_file_set:
                files = land_file_set(source, partition, settings)
                fetched.append(
                    Fetched(
                        source.id,
                        partition.period,
                        file_set=write_listing(settings.landing_dir, files),
                        files=len(files),
                        new_files=sum(x.outcome == "new" for x in files),
                        bytes=sum(x.bytes for x in files),
                    )
                )
            else:
                landed = acquire(source, partition, settings, client)
                new = int(landed.outcome == "new")
                fetched.append(Fetched(source.id, partition.period, landed=landed, new_files=new, bytes=landed.bytes))
    finally:
        if client is not None:
            client.close()
    return fetched


def parse_file(source: Source, data: bytes, *, file: str, period: str) -> tuple[pd.DataFrame, RowCount]:
    """The source's parser on one file, and what became of its data rows: every row it read was
    loaded or skipped with a reason (a row that was neither is an error naming it)."""
    try:
        with row_ledger() as ledger:
            frame = module_for(source).parse(data, file=file, period=period)
        return frame, ledger.count(source.id, file)
    except SourceError as exc:
        exc.period = exc.period or period
        raise


def load_source(source_id: str, fetched: list[Fetched], settings: Settings | None = None) -> list[PartitionOutcome]:
    """Parse and load what ``fetch_source`` landed (the warehouse's one writer: the DuckDB pool)."""
    from core.db import connect  # the warehouse owns the connection

    settings = settings or settings_mod.get()
    source = catalogue().get(source_id)
    parser = check_source(source)  # once per load: each file's calls below find the module checked
    councils = {c.code: c.name for c in load_region(settings.region).councils}
    seed_load_ledger(settings)
    outcomes: list[PartitionOutcome] = []
    for item in fetched:
        if item.source_id != source.id:
            raise WholeplaceError(f"{source.id}: asked to load a partition fetched for {item.source_id}")
        partition = source.partition(item.period)
        if item.file_set is not None:
            files = read_listing(settings.landing_dir, item.file_set)
            outcomes.append(load_file_set(source, partition, files, settings))
            continue
        landed = item.landed
        assert landed is not None
        with connect(settings.duckdb_path, write=True) as con:
            unchanged = loaded_unchanged(con, source, landed)
            if unchanged is not None:  # loaded from exactly this file before: nothing to parse again
                log.info("%s %s: already loaded from this file; nothing to do", source.id, item.period)
                result = LoadResult(source.id, item.period, unchanged[0], loaded=False)
                counted = unchanged[1]
                refresh_metadata_tables(con, settings)
        if unchanged is None:
            history = load_history(settings.landing_dir, source.id, item.period)
            current_accepted = bool(history) and history[-1][0].sha256 == landed.sha256 and history[-1][1]
            if history and history[-1][0].sha256 == landed.sha256:
                history.pop()
            if history and not period_loaded(settings, source, item.period):
                # the warehouse holds nothing of a partition the landing zone says was loaded
                # before (its file was lost or replaced): replay its vintages, oldest first
                log.warning(
                    "%s %s: the warehouse holds none of the %d earlier vintage(s) the landing zone "
                    "recorded; rebuilding the vintage history from the landing zone",
                    source.id,
                    item.period,
                    len(history),
                )
                for old, accepted in history:
                    _load_file(source, old, settings, councils, accepted=accepted, record=False)
            result, counted = _load_file(source, landed, settings, councils, accepted=current_accepted)
        outcomes.append(
            PartitionOutcome(
                item.period,
                landed.mode,
                landed.file_name,
                landed.sha256,
                landed.outcome,
                result.rows,
                result.loaded,
                counted,
            )
        )
    if not outcomes and hasattr(parser, "ensure_tables"):
        with connect(settings.duckdb_path, write=True) as con:
            parser.ensure_tables(con)
            refresh_metadata_tables(con, settings)
    elif not outcomes:
        # Live-only sources and (outside the demo) synthetic samples still get their (empty) raw
        # table, so the dbt models over them build; a synthetic sample's rows never stay in a
        # warehouse that is not the demo's.
        log.info("%s: nothing to ingest in %s mode", source.id, settings.mode)
        with connect(settings.duckdb_path, write=True) as con:
            ensure_table(con, source, parser.COLUMNS)
            if left_out_sample(source, settings):
                con.execute(f'delete from raw."{source.id}"')
            refresh_metadata_tables(con, settings)
    for o in outcomes:
        log.info("%s %s", source.id, o.describe())
    return outcomes


def _load_file(
    source: Source, landed: Landed, settings: Settings, councils: dict[str, str], *, accepted: bool, record: bool = True
) -> tuple[LoadResult, RowCount]:
    """Parse one landed file and load it as its period's content: the completeness gate first
    (``accepted``: it was acknowledged before), then the load, then the load ledger."""
    import dataclasses

    from core.db import connect

    data = landed.path(settings.landing_dir).read_bytes()
    frame, counted = parse_file(source, data, file=landed.file_name, period=landed.period)
    if accepted:
        extra = (*settings.accept_fewer_rows, f"{source.id}:{landed.period}")
        settings = dataclasses.replace(settings, accept_fewer_rows=extra)
    with connect(settings.duckdb_path, write=True) as con:
        shortfall = completeness.check(con, source, landed, frame, settings, councils)
        result = load_partition(con, source, landed, frame, module_for(source).COLUMNS, counted)
        if shortfall is not None:
            completeness.record(con, shortfall)
        refresh_metadata_tables(con, settings)
    if result.loaded and record:
        record_load(settings.landing_dir, landed, accepted=shortfall is not None)
    return result, counted


def ingest_source(
    source_id: str, periods: list[str] | None = None, settings: Settings | None = None
) -> list[PartitionOutcome]:
    """Fetch, land, parse and load every (or the given) partition of a source."""
    settings = settings or settings_mod.get()
    return load_source(source_id, fetch_source(source_id, periods, settings), settings)


def land_file_set(source: Source, partition: Partition, settings: Settings) -> list[Landed]:
    """Land every file of a file-set partition, streamed (hashed and copied in 1 MiB chunks).

    A file whose size and modification time are those it had when last landed (and whose copy is
    in the landing zone) is not hashed again: its recorded sha256 stands, as in git and rsync."""
    folder = settings.snapshot_dir / str(partition.snapshot)
    if not folder.is_dir():
        raise SourceError(source.id, str(partition.snapshot), f"snapshot folder missing at {folder}")
    # every entry but hidden files and real sub-folders must be a file held here (a link is refused)
    paths = sorted(
        regular_file(p, source_id=source.id, name=f"{partition.snapshot}{p.name}")
        for p in folder.iterdir()
        if not p.name.startswith(".") and not (p.is_dir() and not p.is_symlink())
    )
    if not paths:
        raise SourceError(source.id, str(partition.snapshot), f"snapshot folder {folder} holds no files")
    cache_path = settings.landing_dir / "stat-cache" / f"{source.id}.json"
    cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.exists() else {}
    landed, fresh = [], {}
    for n, path in enumerate(paths, start=1):
        key, seen = str(path.resolve()), file_stamp(path)
        known = cache.get(key)
        sha = known[2] if known and known[:2] == seen else None
        if sha and not (settings.landing_dir / object_path(sha, path.name)).exists():
            sha = None
        got = land_file(
            settings.landing_dir,
            path,
            source_id=source.id,
            period=partition.period,
            url=f"snapshot://{partition.snapshot}{path.name}",
            mode="snapshot",
            sha256=sha,
            record=False,
        )
        landed.append(got)
        fresh[key] = [*seen, got.sha256]
        if n % 1000 == 0:
            log.info("%s %s: landed %d of %d files", source.id, partition.period, n, len(paths))
    append_manifest_rows(settings.landing_dir, landed)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")  # two runs may land the same set at once
    tmp.write_text(json.dumps({**cache, **fresh}), encoding="utf-8")
    tmp.replace(cache_path)
    new = sum(x.outcome == "new" for x in landed)
    log.info("%s %s: %d files landed, %d new", source.id, partition.period, len(landed), new)
    return landed


def load_file_set(source: Source, partition: Partition, landed: list[Landed], settings: Settings) -> PartitionOutcome:
    """Let the source load the new or changed files of a landed file set (``load_files``: streamed,
    incremental by file name and sha256)."""
    from core.db import connect

    files = [NamedFile(x.file_name, x.path(settings.landing_dir), x.sha256) for x in landed]
    settings.staging_dir.mkdir(parents=True, exist_ok=True)
    with connect(settings.duckdb_path, write=True) as con:
        # each batch of files commits on its own (a refused file keeps the ones before it); the
        # warehouse checkpoints once, as the connection closes, not at every commit
        con.execute("set checkpoint_threshold = '1GB'")
        loads = module_for(source).load_files(con, files, settings.staging_dir)
        refresh_metadata_tables(con, settings)
    changed = [x for x in loads if x.action != "unchanged"]
    log.info(
        "%s %s: %d files, %d new or changed, %s rows loaded, %s refused",
        source.id,
        partition.period,
        len(loads),
        len(changed),
        f"{sum(x.rows for x in changed):,}",
        f"{sum(x.rejected for x in changed):,}",
    )
    return PartitionOutcome(
        partition.period,
        "snapshot",
        f"{len(landed)} files in {partition.snapshot}",
        sha256_hex("".join(x.sha256 for x in landed).encode()),
        "new" if any(x.outcome == "new" for x in landed) else "unchanged",
        sum(x.rows for x in changed),
        bool(changed),
        RowCount(
            sum(x.rows + x.rejected for x in changed),
            sum(x.rows for x in changed),
            +Counter({"quarantined (raw.spend500_rejects)": sum(x.rejected for x in changed)}),
        )
        if changed
        else None,
    )


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not argv:
        print("usage: python -m ingest.run <source_id> [period ...]", file=sys.stderr)
        return 2
    try:
        ingest_source(argv[0], argv[1:] or None)
    except WholeplaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
