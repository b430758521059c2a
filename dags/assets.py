"""Every Asset URI, listed once: one per source's raw table, and the published release."""

from __future__ import annotations

from airflow.sdk import Asset

from ingest.catalogue import load_catalogue

# Parsing a DAG must stay light: read the catalogue's YAML only (no parser imports, no I/O beyond it).
CATALOGUE = load_catalogue(import_parsers=False)

RAW: dict[str, Asset] = {s.id: Asset(name=s.raw_table, uri=s.asset_uri, group="raw") for s in CATALOGUE}
RELEASE = Asset(name="release.latest", uri="duckdb://wholeplace/releases/latest", group="release")

# DuckDB allows one writer process per file: every task that opens the warehouse takes this pool
# (one slot; `make run` creates it, docker-compose's init creates it for Airflow proper).
WAREHOUSE_POOL = "wholeplace_duckdb"
