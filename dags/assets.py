"""Every Asset URI, listed once: one per source's raw table, and the published release."""

from __future__ import annotations

from airflow.sdk import Asset, AssetAlias

from core.catalogue import load_catalogue

# Parsing a DAG must stay light: read the catalogue's YAML only (no parser imports, no I/O beyond it).
CATALOGUE = load_catalogue()

RAW: dict[str, Asset] = {s.id: Asset(name=s.raw_table, uri=s.asset_uri, group="raw") for s in CATALOGUE}
# The mapped validate task emits its source's raw Asset through this alias (a mapped task's outlets
# are the same for every instance; the alias lets each name its own Asset at run time).
RAW_TABLES = AssetAlias(name="wholeplace.raw_tables", group="raw")
RELEASE = Asset(name="release.latest", uri="duckdb://wholeplace/releases/latest", group="release")

# DuckDB allows one writer process per file: every task that opens the warehouse takes this pool
# (one slot; `make run` creates it, docker-compose's init creates it for Airflow proper).
WAREHOUSE_POOL = "wholeplace_duckdb"
