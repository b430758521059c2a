"""OpenLineage: what each pipeline task read and wrote, for Airflow's OpenLineage provider.

The provider emits a START and a COMPLETE (or FAIL) event for every task; for our TaskFlow tasks
it asks this extractor (registered by ``[openlineage] extractors``, set in ``airflow_env`` and
docker-compose) for the task's inputs and outputs, read from the step's own summary (its return
value, an XCom) and the catalogue:

    source.fetch     publisher URL (or bundled snapshot)  ->  landed file (version: sha256)
    source.load      landed files                          ->  raw.<source> (DuckDB)
    source.validate  raw.<source>                          (GX raw suite)
    build_models     raw.<every source>                    ->  marts.<mart> (dbt)
    validate_marts   marts.<mart>                          (GX publication gate)
    publish_release  marts.<mart>                          ->  <release>/<mart>.csv and .parquet

So a mart column walks back, with any OpenLineage consumer (Marquez, the file's JSON lines), to the
raw tables, the landed files with their sha256 and the publishers' URLs; within the data, each mart
row's source_file_sha256 names its file. Dataset names follow the OpenLineage naming spec: files
``file`` + absolute path, HTTP ``https://<host>`` + path, DuckDB ``duckdb://<database file>`` +
``<schema>.<table>``. By default the events go to ``<warehouse>/lineage/events.jsonl`` (file
transport); set AIRFLOW__OPENLINEAGE__TRANSPORT to send them elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from core import settings as settings_mod

EXTRACTOR = "warehouse.publication.lineage.PipelineExtractor"


def transport_config(settings) -> str:
    """The default transport: JSON lines in the warehouse's lineage folder."""
    path = settings.warehouse_dir / "lineage" / "events.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    return json.dumps({"type": "file", "log_file_path": str(path), "append": True})


def _file(path: Path, version: str | None = None):
    from openlineage.client.event_v2 import Dataset
    from openlineage.client.facet_v2 import dataset_version_dataset

    facets = {"version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=version)} if version else {}
    return Dataset(namespace="file", name=str(path), facets=facets)


def _url(url: str):
    from openlineage.client.event_v2 import Dataset

    if url.startswith("snapshot://"):  # a bundled copy of the publication
        return _file(settings_mod.get().snapshot_dir / url.removeprefix("snapshot://"))
    parts = urlsplit(url)
    return Dataset(namespace=f"{parts.scheme}://{parts.netloc}", name=parts.path or "/")


def _table(settings, schema: str, table: str):
    from openlineage.client.event_v2 import Dataset

    return Dataset(namespace=f"duckdb://{settings.duckdb_path}", name=f"{schema}.{table}")


def _fetched(fetched: dict | None, landing: Path) -> tuple[list, list]:
    """(where each file came from, the landed file) for a fetch step's summary: single files and
    the files of a file set (its listing in the landing zone)."""
    from core.landing import read_listing

    sources, landed = [], []
    for part in (fetched or {}).get("partitions", []):
        files = [part["landed"]] if part.get("landed") else []
        if part.get("file_set"):
            files = [vars(x) for x in read_listing(landing, part["file_set"])]
        for f in files:
            sources.append(_url(f.get("origin_url") or f["url"]))
            landed.append(_file(landing / f["object_path"], f["sha256"]))
    return sources, landed


def step_lineage(step: str, source_id: str | None, summary: dict | None, fetched: dict | None, settings) -> tuple:
    """(inputs, outputs) of one pipeline step as OpenLineage datasets, from its summary (and, for
    a load, the fetch summary it was handed)."""
    from core.catalogue import catalogue
    from core.marts import MARTS

    marts = [_table(settings, "marts", m) for m in MARTS]
    if step == "fetch" and source_id:
        return _fetched(summary, settings.landing_dir)
    if step == "load" and source_id:
        return _fetched(fetched, settings.landing_dir)[1], [_table(settings, "raw", source_id)]
    if step == "validate" and source_id:
        return [_table(settings, "raw", source_id)], []
    if step == "build_models":
        return [_table(settings, "raw", s.id) for s in catalogue()], marts
    if step == "validate_marts":
        return marts, []
    if step == "publish_release" and (summary or {}).get("path"):
        release = Path(summary["path"])
        return marts, [_file(release / f"{m}.{fmt}") for m in MARTS for fmt in ("csv", "parquet")]
    return [], []


try:
    from airflow.providers.openlineage.extractors.base import BaseExtractor, OperatorLineage
except ImportError:  # pragma: no cover - the provider is in the lock; this keeps imports light without it
    BaseExtractor = object  # type: ignore[assignment,misc]


class PipelineExtractor(BaseExtractor):  # type: ignore[misc,valid-type]
    """Inputs and outputs of the TaskFlow tasks in dags/common.py (see the module docstring)."""

    @classmethod
    def get_operator_classnames(cls) -> list[str]:
        return ["_PythonDecoratedOperator"]

    def _execute_extraction(self):
        return OperatorLineage()  # at start: nothing read or written yet

    def extract_on_complete(self, task_instance):
        step = self.operator.task_id.split(".")[-1]
        source_id = (getattr(self.operator, "op_kwargs", None) or {}).get("source_id")
        if not isinstance(source_id, str):
            source_id = getattr(task_instance, "rendered_map_index", None)
        summary = self._summary(task_instance, task_instance.task_id)
        fetched = None
        if step == "load":  # what its fetch landed: the same mapped instance of the group's fetch task
            fetched = self._summary(task_instance, task_instance.task_id.rsplit(".", 1)[0] + ".fetch")
        inputs, outputs = step_lineage(step, source_id, summary, fetched, settings_mod.get())
        return OperatorLineage(inputs=inputs, outputs=outputs)

    def _summary(self, task_instance, task_id: str) -> dict | None:
        try:
            value = task_instance.xcom_pull(task_ids=task_id, map_indexes=task_instance.map_index)
        except Exception:  # lineage never fails a task: emit what the catalogue alone says
            self.log.debug("no summary from %s", task_id, exc_info=True)
            return None
        return value if isinstance(value, dict) else None
