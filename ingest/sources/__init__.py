"""The sources: one module per catalogue entry, named by its id (``ingest/sources/<id>.py`` is the
parser of source ``<id>``; no module holds its id a second time). A source module has one of two
shapes, written down here as Protocols and checked for every catalogue entry (``check_source``;
tests/unit/ingest/sources/test_interface.py and the start of every run):

- ``OneFileSource``: each period is one file; ``parse(data, file=, period=)`` turns its bytes into
  a frame of ``COLUMNS`` (our column name -> DuckDB type), loaded into ``raw.<id>`` by ingest.load.
- ``FileSetSource``: each period is a set of files (spending over £500); ``load_files(con, files,
  workdir)`` loads the new or changed ones itself, streamed, and reports each file's counts.

ingest.sources.shared holds what several sources share; it is not a source."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.catalogue import Source
from core.errors import CatalogueError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd


@runtime_checkable
class OneFileSource(Protocol):
    """A source read one file at a time: its bytes in, a frame of COLUMNS out."""

    COLUMNS: dict[str, str]

    def parse(self, data: bytes, *, file: str, period: str) -> pd.DataFrame: ...


@runtime_checkable
class FileSetSource(Protocol):
    """A source whose period is many files, loaded incrementally by the source itself."""

    COLUMNS: dict[str, str]

    def load_files(
        self, con: duckdb.DuckDBPyConnection, files: Sequence[Any], workdir: Path | None = None
    ) -> list[Any]: ...


def source_id(module_name: str) -> str:
    """A source's id is its module's name: ``ingest.sources.mhclg_rsx`` -> ``mhclg_rsx``."""
    return module_name.rpartition(".")[2]


def module_for(source: Source) -> ModuleType:
    """The module of a catalogue entry: ``ingest.sources.<id>``."""
    try:
        return importlib.import_module(f"{__name__}.{source.id}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{source.id}":
            raise
        raise CatalogueError(f"catalogue entry {source.id!r}: no source module ingest/sources/{source.id}.py") from exc


def _keywords(func: Any) -> set[str]:
    return {p.name for p in inspect.signature(func).parameters.values() if p.kind is p.KEYWORD_ONLY}


def check_source(source: Source) -> ModuleType:
    """The entry's module, checked against the shape its partitions need; CatalogueError naming
    the entry and what is missing otherwise."""
    module = module_for(source)
    where = f"catalogue entry {source.id!r}"
    file_sets = any(p.is_file_set for p in source.partitions)
    shape, needs = (FileSetSource, "load_files") if file_sets else (OneFileSource, "parse")
    if not callable(getattr(module, needs, None)):
        raise CatalogueError(f"{where}: source module {module.__name__} has no {needs}() ({shape.__name__})")
    columns = getattr(module, "COLUMNS", None)
    if not isinstance(columns, dict) or not columns:
        raise CatalogueError(f"{where}: source module {module.__name__} has no COLUMNS ({shape.__name__})")
    if not file_sets and not {"file", "period"} <= _keywords(module.parse):
        raise CatalogueError(f"{where}: {module.__name__}.parse must take data and the keywords file and period")
    areas = source.completeness.areas
    if areas is not None and areas not in columns:
        raise CatalogueError(f"{where}: completeness.areas {areas!r} is not a column of {module.__name__}")
    return module


def check_sources(sources: Iterable[Source]) -> None:
    """Every entry's module has the shape it needs (the start of a run checks the catalogue)."""
    for source in sources:
        check_source(source)
