"""The project's code lists, read from where dbt keeps them: ``vars`` in dbt_project.yml (the
England code) and seeds in dbt_project/seeds/ (value statuses, the MHCLG service lines and
measures, the NHS allocation streams). Python (ingest, the GX suites, the publication) reads them
here, so each list is written once."""

from __future__ import annotations

import csv
from functools import cache

from core import yamlfile
from core.settings import DBT_PROJECT_DIR


@cache
def dbt_project_config() -> dict:
    """dbt_project.yml, parsed: its vars, and the folders dbt reads (model-paths, ...)."""
    return yamlfile.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))


def dbt_vars() -> dict:
    return dbt_project_config()["vars"]


@cache
def seed(name: str) -> tuple[dict[str, str], ...]:
    """The rows of seed ``name`` (dbt_project/seeds/<name>.csv), as text."""
    with open(DBT_PROJECT_DIR / "seeds" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def statuses(*set_by: str) -> tuple[str, ...]:
    """The value statuses (seed value_statuses) set by any of ``set_by`` (publisher, reader,
    warehouse, disclosure)."""
    return tuple(row["status"] for row in seed("value_statuses") if row["set_by"] in set_by)


ENGLAND_CODE: str = str(dbt_vars()["england_code"])
# a publisher's statuses: what a parser sets on a value it reads (raw tables)
PUBLISHER_STATUSES = statuses("publisher")
# the shorthand a release shows beside a missing figure: [x] not available, [z] not applicable
STATUS_SHORTHAND = {row["status"]: row["shorthand"] for row in seed("value_statuses") if row["shorthand"]}
MHCLG_MEASURES = tuple(row["measure_code"] for row in seed("mhclg_measures"))
MHCLG_SERVICE_CODES = tuple(row["service_code"] for row in seed("mhclg_service_lines"))
NHS_STREAM_CODES = tuple(row["stream_code"] for row in seed("nhs_allocation_streams"))
