"""The completeness gate over every source that declares one, for the class of problem rather than one
file: each bundled file is loaded as the previous vintage, then a restatement of it that lost half
its rows (a file cut short), one council of the region (its row gone), or a council's code (changed,
its name left alone) must be refused before loading, naming the file and what it lacks; the same
file again, or one with a single row fewer where the rule tolerates it, passes."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

import core.settings
from core.catalogue import catalogue
from core.errors import SourceError
from core.landing import Landed
from core.regions import load_region
from ingest.completeness import check
from ingest.load import load_partition
from ingest.run import parse_file
from ingest.sources import module_for
from tests.reliability import corpus

pytestmark = pytest.mark.integration

GATED = corpus.bases(trimmed=False)  # every source with a bundled single file (no rule: no row fewer)
COUNCILS = {c.code: c.name for c in load_region("west-midlands").councils}


def landed(base: corpus.Base, sha: str) -> Landed:
    return Landed(
        base.source_id,
        base.period,
        f"snapshot://{base.file}",
        None,
        None,
        "snapshot",
        base.file,
        "2026-12-03T00:00:00.000000Z",
        sha,
        1,
        None,
        None,
        "new",
        f"objects/{sha[:2]}/{sha}.bin",
    )


@pytest.fixture(scope="module")
def loaded() -> dict:
    """Each gated source's bundled file, parsed and loaded as the previous vintage."""
    out = {}
    for base in GATED:
        source = catalogue().get(base.source_id)
        frame, _ = parse_file(source, base.data, file=base.file, period=base.period)
        con = duckdb.connect()
        load_partition(con, source, landed(base, "a" * 64), frame, module_for(source).COLUMNS)
        out[base.source_id] = (source, frame, con)
    return out


def refused(loaded, base, frame) -> str:
    source, _, con = loaded[base.source_id]
    settings = dataclasses.replace(core.settings.get(), accept_fewer_rows=())
    with pytest.raises(SourceError) as caught:
        check(con, source, landed(base, "b" * 64), frame, settings, COUNCILS)
    message = str(caught.value)
    assert message.startswith(f"{base.source_id}: {base.file}: refused before loading"), message
    return message


@pytest.mark.parametrize("base", GATED, ids=[b.source_id for b in GATED])
def test_a_restatement_cut_to_half_its_rows_is_refused(loaded, base):
    _, frame, _ = loaded[base.source_id]
    message = refused(loaded, base, frame.iloc[: len(frame) // 2])
    assert f"it has {len(frame) // 2:,} rows where the previous vintage" in message


@pytest.mark.parametrize(
    "base", [b for b in GATED if catalogue().get(b.source_id).completeness.areas], ids=lambda b: b.source_id
)
def test_a_restatement_without_a_council_or_with_its_code_changed_is_refused_naming_it(loaded, base):
    source, frame, con = loaded[base.source_id]
    column = source.completeness.areas
    council = next(c for c in COUNCILS if (frame[column] == c).any())
    message = refused(loaded, base, frame[frame[column] != council])
    assert f"{council} ({COUNCILS[council]})" in message
    changed = frame.copy()
    changed.loc[changed[column] == council, column] = "E08099999"
    message = refused(loaded, base, changed)
    assert f"the region needs: {council} ({COUNCILS[council]})" in message


@pytest.mark.parametrize("base", GATED, ids=[b.source_id for b in GATED])
def test_the_same_file_again_passes(loaded, base):
    source, frame, con = loaded[base.source_id]
    settings = dataclasses.replace(core.settings.get(), accept_fewer_rows=())
    assert check(con, source, landed(base, "b" * 64), frame, settings, COUNCILS) is None
