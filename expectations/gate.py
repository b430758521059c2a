"""Run suites through a Great Expectations checkpoint and turn the result into a gate.

export each batch (a query on the warehouse) to Parquet
  -> build suites, validation definitions and the checkpoint in a new file context for this
     checkpoint, under <warehouse>/gx/.<checkpoint>.building
  -> run the checkpoint (and write Data Docs), then swap the context into <warehouse>/gx/<checkpoint>
  -> success, or ValidationFailed with one readable line per failed expectation, naming the
     file and row of the first unexpected values where the batch carries them.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ValidationFailed
from core.settings import Settings
from expectations.checks import INDEX_COLUMNS, Batch, Suite

log = logging.getLogger(__name__)

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Failure:
    suite: str
    batch: str
    expectation: str
    column: str | None
    detail: str

    def describe(self) -> str:
        where = f"{self.batch}.{self.column}" if self.column else self.batch
        return f"{where}: {self.expectation} failed: {self.detail}"


@dataclass(frozen=True)
class GateResult:
    checkpoint: str
    success: bool
    evaluated: int
    failed: tuple[Failure, ...] = field(default_factory=tuple)
    skipped: tuple[str, ...] = field(default_factory=tuple)
    batch_rows: dict[str, int] = field(default_factory=dict)
    docs_index: Path | None = None

    def summary(self) -> str:
        passed = self.evaluated - len(self.failed)
        text = f"{self.checkpoint}: {passed}/{self.evaluated} expectations passed"
        if self.skipped:
            text += f" ({len(self.skipped)} empty batches skipped: {', '.join(self.skipped)})"
        return text


def _columns_checked(expectations: list[Any]) -> set[str] | None:
    """The columns a batch's expectations read, or None when one of them needs every column
    (a table's column set)."""
    needed: set[str] = set()
    for e in expectations:
        if getattr(e, "column_set", None) is not None:
            return None
        for attr in ("column", "column_A", "column_B"):
            if getattr(e, attr, None):
                needed.add(getattr(e, attr))
        needed.update(getattr(e, "column_list", None) or ())
    return needed


def _export(con, batch: Batch, path: Path) -> int:
    """Write the batch to Parquet, adding lineage index columns where the query has none.

    Only the columns its expectations read (and the lineage ones) are written: a raw table of
    600,000 cells (RO3) is validated in seconds, not loaded whole into pandas."""
    columns = [d[0] for d in con.execute(f"select * from ({batch.query}) limit 0").description]
    extra = []
    if "_source_file" not in columns:
        extra.append(f"'{batch.name}' as _source_file")
    if "_source_row" not in columns:
        extra.append("cast(row_number() over () as bigint) as _source_row")
    checked = _columns_checked(batch.expectations())
    if checked is None:
        targets = "*"
    else:
        keep = [c for c in columns if c in checked or c in INDEX_COLUMNS]
        targets = ", ".join(f'"{c}"' for c in keep) if keep else "*"
    select = f"select {targets}" + "".join(f", {e}" for e in extra) + f" from ({batch.query})"
    con.execute(f"copy ({select}) to '{path}' (format parquet)")
    return con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]


def _building(settings: Settings, checkpoint_name: str) -> Path:
    """A clean folder to build this checkpoint's context in.

    GX rewrites its great_expectations.yml and JSON stores in place, so a context that a killed
    run was writing can be left unreadable. Each run therefore builds a new context, which replaces
    the last one only once it has run (_swap): what is left over from a killed run is removed here.
    """
    for leftover in (f".{checkpoint_name}.building", f".{checkpoint_name}.replaced"):
        shutil.rmtree(settings.gx_dir / leftover, ignore_errors=True)
    legacy = settings.gx_dir / "gx"  # before 2026-11: one context shared by every checkpoint
    if (legacy / "great_expectations.yml").exists():
        shutil.rmtree(legacy)
    folder = settings.gx_dir / f".{checkpoint_name}.building"
    folder.mkdir(parents=True)
    return folder


def _swap(settings: Settings, checkpoint_name: str, built: Path) -> Path:
    """Put the context just run in place of the last one (two renames); its folder."""
    final = settings.gx_dir / checkpoint_name
    replaced = settings.gx_dir / f".{checkpoint_name}.replaced"
    if final.exists():
        final.rename(replaced)
    built.rename(final)
    shutil.rmtree(replaced, ignore_errors=True)
    return final


def _context(folder: Path):
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(folder))
    # Progress bars would flood task logs; set for this process only (saving would rewrite the config).
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _plain(value: Any) -> Any:
    """numpy scalars -> plain Python, so messages read 999 rather than np.int32(999)."""
    return value.item() if hasattr(value, "item") and callable(value.item) else value


def _describe_result(result: Any) -> str:
    res = result.result or {}
    if result.exception_info and result.exception_info.get("raised_exception"):
        return f"could not be evaluated: {result.exception_info.get('exception_message')}"
    parts = []
    if res.get("observed_value") is not None:
        parts.append(f"observed {res['observed_value']!r}")
    if res.get("unexpected_count"):
        total = res.get("element_count")
        parts.append(
            f"{res['unexpected_count']} unexpected of {total}" if total else f"{res['unexpected_count']} unexpected"
        )
    examples = res.get("unexpected_index_list") or []
    if examples:
        shown = []
        for item in examples[:MAX_EXAMPLES]:
            values = {k: _plain(v) for k, v in item.items() if k not in INDEX_COLUMNS}
            shown.append(f"{item.get('_source_file')} row {_plain(item.get('_source_row'))}: {values}")
        parts.append("e.g. " + "; ".join(shown))
    elif res.get("partial_unexpected_list"):
        parts.append(f"e.g. {[_plain(v) for v in res['partial_unexpected_list'][:MAX_EXAMPLES]]}")
    kwargs = {k: v for k, v in result.expectation_config.kwargs.items() if k not in ("column", "batch_id")}
    parts.append(f"expected {json.dumps(kwargs, default=str)}")
    return "; ".join(parts)


def run_gate(
    suites: list[Suite],
    *,
    checkpoint_name: str,
    settings: Settings,
    raise_on_failure: bool = True,
    docs_on_success: bool = True,
) -> GateResult:
    """Validate the suites' batches through one GX checkpoint. Data Docs are built for a failed
    run always, for a passing one when ``docs_on_success`` (the publication gate's go in the release)."""
    import great_expectations as gx

    from core.db import connect

    export_dir = settings.staging_dir / "validation" / checkpoint_name
    if export_dir.exists():
        shutil.rmtree(export_dir)
    export_dir.mkdir(parents=True)

    batches: list[tuple[Suite, Batch]] = []
    skipped: list[str] = []
    rows: dict[str, int] = {}
    with connect(settings.duckdb_path) as con:
        for suite in suites:
            for batch in suite.batches:
                n = _export(con, batch, export_dir / f"{batch.name}.parquet")
                rows[batch.name] = n
                if n == 0 and batch.skip_if_empty:
                    skipped.append(batch.name)
                    continue
                batches.append((suite, batch))

    building = _building(settings, checkpoint_name)
    context = _context(building)
    datasource = context.data_sources.add_or_update_pandas_filesystem(
        name=f"{checkpoint_name}_batches", base_directory=str(export_dir)
    )
    definitions = []
    for suite, batch in batches:
        asset = datasource.add_parquet_asset(name=batch.name)
        batch_definition = asset.add_batch_definition_path(batch.name, path=f"{batch.name}.parquet")
        expectation_suite = context.suites.add_or_update(
            gx.ExpectationSuite(
                name=batch.name,
                expectations=batch.expectations(),
                meta={"notes": batch.description or f"suite {suite.name}", "suite_group": suite.name},
            )
        )
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=batch.name, data=batch_definition, suite=expectation_suite)
            )
        )

    evaluated = 0
    failures: list[Failure] = []
    docs_index = None
    if definitions:
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=checkpoint_name,
                validation_definitions=definitions,
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": list(INDEX_COLUMNS)},
            )
        )
        log.info("%s: validating %d batches", checkpoint_name, len(definitions))
        outcome = checkpoint.run()
        suite_of = {b.name: s.name for s, b in batches}
        for validation in outcome.run_results.values():
            name = validation.suite_name
            for result in validation.results:
                evaluated += 1
                if not result.success:
                    failures.append(
                        Failure(
                            suite=suite_of.get(name, name),
                            batch=name,
                            expectation=result.expectation_config.type,
                            column=result.expectation_config.kwargs.get("column"),
                            detail=_describe_result(result),
                        )
                    )
        if failures or docs_on_success:
            context.build_data_docs()
            sites = context.get_docs_sites_urls()
            docs_index = Path(sites[0]["site_url"].removeprefix("file://")) if sites else None
    final = _swap(settings, checkpoint_name, building)
    if docs_index is not None:
        docs_index = final / docs_index.resolve().relative_to(building.resolve())

    gate = GateResult(
        checkpoint=checkpoint_name,
        success=not failures,
        evaluated=evaluated,
        failed=tuple(failures),
        skipped=tuple(skipped),
        batch_rows=rows,
        docs_index=docs_index,
    )
    log.info("%s", gate.summary())
    for failure in failures:
        log.error("%s", failure.describe())
    if failures and raise_on_failure:
        lines = "\n".join(f"  - {f.describe()}" for f in failures)
        raise ValidationFailed(
            f"Great Expectations checkpoint {checkpoint_name!r} failed "
            f"({len(failures)} of {evaluated} expectations); nothing is published:\n{lines}"
        )
    return gate
