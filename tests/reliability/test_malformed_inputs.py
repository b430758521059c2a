"""Malformed inputs: every case of the corpus is loaded correctly or refused with a message naming
the source and file (and the row or column where the defect is in one place); never an unhandled
exception. Rows in = rows loaded + rows refused: for whole files, for the data rows of every loaded
file (each loaded or skipped with a reason, by the parsers' row ledger) and for the spending files'
row-level quarantine. The figures go to tests/reliability/REPORT.md."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from core.catalogue import catalogue
from core.errors import SourceError
from ingest.run import parse_file
from ingest.sheets import RowCount
from tests.reliability import corpus

CASES = corpus.cases()
SPEND_CASES = corpus.spend_cases()
WMCA_CASES = corpus.wmca_cases()
ALL_CASES = CASES + SPEND_CASES + WMCA_CASES

# What the issue names, and the mutations that make it.
REQUIRED_DEFECTS = {
    "ragged rows": {"ragged_short_row", "ragged_long_row"},
    "unterminated quotes": {"unterminated_quote"},
    "wrong delimiter": {"semicolon_delimiter", "tab_delimiter"},
    "CP1252 £": {"cp1252_encoded"},
    "UTF-16": {"utf16_with_bom", "utf16_without_bom"},
    "BOM": {"utf8_bom"},
    "merged or multi-row headers renamed": {"header_cells_renamed"},
    "footnote and total rows": {"footnote_lines", "total_row"},
    "empty files": {"empty_file", "blank_lines_only"},
    "a huge single line": {"huge_single_line"},
    "wrong sheet names": {"sheets_renamed"},
    "renamed/dropped/added columns": {"header_cells_renamed", "column_dropped", "column_added"},
    "duplicate keys": {"duplicate_row"},
    "unknown area codes": {"unknown_area_code"},
    "wrong financial-year forms": {"financial_year_slash", "financial_year_long"},
    "negative counts": {"negative_figures"},
    "£ vs £000s": {"pounds_not_thousands"},
}


@dataclass
class Outcome:
    kind: str  # loaded | rejected | crashed
    rows: int = 0  # raw table rows
    error: str = ""
    located: bool = False
    frame: pd.DataFrame | None = None
    counted: RowCount | None = None  # the file's data rows: in = loaded + skipped


def parse(case_or_base, data: bytes | None = None) -> Outcome:
    """As the load step parses: the source's parser under the row ledger (ingest.run.parse_file)."""
    base = case_or_base.base if isinstance(case_or_base, corpus.Case) else case_or_base
    source = catalogue().get(base.source_id)
    try:
        frame, counted = parse_file(source, data if data is not None else base.data, file=base.file, period=base.period)
    except SourceError as exc:
        return Outcome("rejected", error=str(exc), located=exc.row is not None or exc.column is not None)
    except Exception:
        return Outcome("crashed", error=traceback.format_exc())
    return Outcome("loaded", rows=len(frame), frame=frame, counted=counted)


@pytest.fixture(scope="module")
def clean() -> dict[str, Outcome]:
    return {base.source_id: parse(base) for base in corpus.bases()}


def test_the_corpus_covers_every_kind_of_defect_in_every_source_with_a_bundled_file():
    mutations = {c.mutation for c in ALL_CASES}
    missing = {kind: names - mutations for kind, names in REQUIRED_DEFECTS.items() if names - mutations}
    assert not missing
    assert len(ALL_CASES) >= 100
    with_files = {s.id for s in catalogue() if any(p.snapshot for p in s.partitions)}
    assert {c.base.source_id for c in ALL_CASES} == with_files


def test_every_clean_base_file_loads(clean):
    assert {k: o.error for k, o in clean.items() if o.kind != "loaded"} == {}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_malformed_file_is_read_the_same_or_refused_naming_where(case, clean, recorder):
    recorder.expected["malformed"] = len(ALL_CASES)
    got = parse(case, case.data)
    recorder.add(
        "malformed",
        source=case.base.source_id,
        mutation=case.mutation,
        expect=case.expect,
        outcome=got.kind,
        located=got.located,
        rows_loaded=got.rows,
        rows_in=None,
        data_rows=None if got.counted is None else [got.counted.rows_in, got.counted.loaded, dict(got.counted.skipped)],
    )

    assert got.kind != "crashed", got.error
    if got.kind == "rejected":
        assert got.error.startswith(f"{case.base.source_id}: {case.file}"), got.error
    if case.expect == "same":
        assert got.kind == "loaded", got.error
        pd.testing.assert_frame_equal(got.frame, clean[case.base.source_id].frame)
    elif case.expect == "reject":
        assert got.kind == "rejected", f"{case.mutation} was loaded ({got.rows} rows)"
        if case.located:
            assert got.located, f"the message names no row or column: {got.error}"


# ---- spending over £500 ---------------------------------------------------------------------------


def load_spend(base: corpus.Base, data: bytes, workdir: Path) -> tuple[Outcome, int | None, int]:
    """Load one file through the source's loader into a fresh warehouse: (outcome, rows in,
    rows quarantined), the counts from raw.spend500_files, checked against the tables."""
    from ingest.sources import spend500

    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / base.file
    path.write_bytes(data)
    con = duckdb.connect(str(workdir / "w.duckdb"))
    try:
        try:
            (load,) = spend500.load_files(con, [path], workdir)
        except SourceError as exc:
            loaded = con.execute("select count(*) from raw.spend500").fetchall()[0][0]
            assert loaded == 0, "a refused file left rows behind"
            return Outcome("rejected", error=str(exc), located=exc.row is not None or exc.column is not None), None, 0
        except Exception:
            return Outcome("crashed", error=traceback.format_exc()), None, 0
        ((rows_in, rows, rejected),) = con.execute(
            "select rows_in, rows, rows_rejected from raw.spend500_files"
        ).fetchall()
        ((in_table,),) = con.execute("select count(*) from raw.spend500").fetchall()
        ((quarantined,),) = con.execute("select count(distinct _source_row) from raw.spend500_rejects").fetchall()
        assert (rows, rejected) == (load.rows, load.rejected)
        assert in_table == rows and quarantined == rejected, (in_table, rows, quarantined, rejected)
        assert rows_in == rows + rejected, f"rows in {rows_in} != loaded {rows} + quarantined {rejected}"
        frame = con.execute("select * exclude (_source_file_sha256) from raw.spend500 order by _source_row").df()
        return Outcome("loaded", rows=rows, frame=frame), rows_in, rejected
    finally:
        con.close()


@pytest.fixture(scope="module")
def spend_clean(tmp_path_factory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("spend_clean")
    return {b.file: load_spend(b, b.data, root / b.file)[0] for b in corpus.spend_bases()}


@pytest.mark.parametrize("case", SPEND_CASES, ids=[c.id for c in SPEND_CASES])
def test_a_malformed_spending_file_is_quarantined_row_by_row_or_refused(case, spend_clean, recorder, tmp_path):
    recorder.expected["malformed"] = len(ALL_CASES)
    got, rows_in, quarantined = load_spend(case.base, case.data, tmp_path)
    data_rows = corpus.count_records(case.data)
    recorder.add(
        "malformed",
        source="spend500",
        mutation=case.mutation,
        expect=case.expect,
        outcome=got.kind,
        located=got.located,
        rows_loaded=got.rows,
        rows_in=rows_in if rows_in is not None else (data_rows or 0),
        rows_quarantined=quarantined,
    )

    assert got.kind != "crashed", got.error
    if got.kind == "rejected":
        assert got.error.startswith(f"spend500: {case.file}"), got.error
    if case.expect == "same":
        assert got.kind == "loaded", got.error
        pd.testing.assert_frame_equal(got.frame, spend_clean[case.file].frame)


# ---- the combined authority's workbooks ---------------------------------------------------------


@pytest.mark.parametrize("case", WMCA_CASES, ids=[c.id for c in WMCA_CASES])
def test_a_malformed_wmca_workbook_is_refused_naming_the_file_and_loads_nothing(case, recorder, tmp_path):
    from ingest.sources import wmca_spend

    recorder.expected["malformed"] = len(ALL_CASES)
    path = tmp_path / case.file
    path.write_bytes(case.data)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        try:
            (load,) = wmca_spend.load_files(con, [path])
            got = Outcome("loaded", rows=load.rows)
        except SourceError as exc:
            got = Outcome("rejected", error=str(exc), located=exc.row is not None or exc.column is not None)
            tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
            loaded = con.execute("select count(*) from raw.wmca_spend").fetchone()[0] if "wmca_spend" in tables else 0
            assert loaded == 0, "a refused workbook left rows behind"
        except Exception:
            got = Outcome("crashed", error=traceback.format_exc())
    recorder.add(
        "malformed",
        source="wmca_spend",
        mutation=case.mutation,
        expect=case.expect,
        outcome=got.kind,
        located=got.located,
        rows_loaded=got.rows,
        rows_in=None,
    )

    assert got.kind != "crashed", got.error
    if got.kind == "rejected":
        assert got.error.startswith(f"wmca_spend: {case.file}"), got.error
    if case.expect == "reject":
        assert got.kind == "rejected", f"{case.mutation} was loaded ({got.rows} rows)"
