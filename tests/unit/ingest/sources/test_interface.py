"""The source interface (ingest.sources): every catalogue entry's module is a OneFileSource or a
FileSetSource, as its partitions need, and named by the entry's id; a module that is neither is
refused naming the entry and what it lacks."""

from __future__ import annotations

import sys
import types

import pytest

from core.catalogue import catalogue, parse_catalogue
from core.errors import CatalogueError
from ingest.sources import FileSetSource, OneFileSource, check_source, module_for, source_id
from tests.conftest import catalogue_entry


@pytest.mark.parametrize("source", list(catalogue()), ids=lambda s: s.id)
def test_every_catalogue_entry_has_a_module_of_the_shape_it_needs(source) -> None:
    module = check_source(source)
    assert module.__name__ == f"ingest.sources.{source.id}"
    assert source_id(module.__name__) == source.id
    assert not hasattr(module, "SOURCE_ID"), "the module's name is the id"
    file_sets = any(p.is_file_set for p in source.partitions)
    assert isinstance(module, FileSetSource if file_sets else OneFileSource)


@pytest.fixture
def demo_module(monkeypatch):
    module = types.ModuleType("ingest.sources.demo_source")
    monkeypatch.setitem(sys.modules, "ingest.sources.demo_source", module)
    return module


def _source(**partition):
    entry = catalogue_entry()
    if partition:
        entry["partitions"] = [{"period": "2023-24", **partition}]
    return next(iter(parse_catalogue([entry])))


def test_an_entry_without_a_module_is_refused_naming_the_file_to_write() -> None:
    with pytest.raises(CatalogueError, match=r"'demo_source': no source module ingest/sources/demo_source\.py"):
        module_for(_source())


def test_a_one_file_module_without_parse_or_columns_is_refused(demo_module) -> None:
    with pytest.raises(CatalogueError, match=r"'demo_source': .* has no parse\(\) \(OneFileSource\)"):
        check_source(_source())
    demo_module.parse = lambda data, *, file, period: None
    with pytest.raises(CatalogueError, match=r"has no COLUMNS"):
        check_source(_source())
    demo_module.COLUMNS = {"area_code": "VARCHAR"}
    assert check_source(_source()) is demo_module
    demo_module.parse = lambda data: None  # the loader passes file= and period=
    with pytest.raises(CatalogueError, match=r"parse must take data and the keywords file and period"):
        check_source(_source())


def test_a_file_set_needs_load_files_not_parse(demo_module) -> None:
    demo_module.parse = lambda data, *, file, period: None
    demo_module.COLUMNS = {"area_code": "VARCHAR"}
    file_set = _source(snapshot="demo_source/2023-24/")
    with pytest.raises(CatalogueError, match=r"has no load_files\(\) \(FileSetSource\)"):
        check_source(file_set)
    demo_module.load_files = lambda con, files, workdir=None: []
    assert isinstance(check_source(file_set), FileSetSource)


def test_completeness_areas_must_be_a_column_of_the_module(demo_module) -> None:
    demo_module.parse = lambda data, *, file, period: None
    demo_module.COLUMNS = {"value": "DOUBLE"}
    entry = catalogue_entry()
    entry["completeness"] = {"areas": "area_code", "max_row_drop_pct": 10}
    with pytest.raises(CatalogueError, match=r"completeness.areas 'area_code' is not a column"):
        check_source(next(iter(parse_catalogue([entry]))))
