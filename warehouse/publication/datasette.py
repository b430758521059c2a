"""A release as one SQLite database, browsable with Datasette.

    build_sqlite(release_dir, package)              release_dir/wholeplace.sqlite: every CSV resource
                                                    of the release as a table (read from its Parquet,
                                                    else its CSV), primary keys, foreign keys to the
                                                    dimensions, indexes on the usual filter columns
    write_datasette_metadata(release_dir, package)  release_dir/datasette-metadata.json
    serve_command(release_dir, port)                the ``datasette serve`` command line for it

Types: integers (and booleans, 1/0) are INTEGER, decimals with no fractional digits (whole
pounds) INTEGER, other decimals and doubles REAL, everything else (text, dates) TEXT. The
database is written to a temporary file and moved into place, and the same release always gives
the same bytes (same rows, same order, same statements).

Column help is the data dictionary's (``data_dictionary.csv``: the descriptions and units the CSVW
files use too). Money has no Datasette unit (Datasette's units are Pint's, and Pint defines no
currencies: a custom ``GBP`` unit would be shown with SI prefixes, e.g. "1.02 GGBP"); its unit,
pounds (GBP), is in the column's help. Percentages use Pint's ``percent``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import sqlite_utils

from core.codes import STATUS_SHORTHAND
from core.marts import published
from warehouse.publication.datasette_home import SITE_URL, home_html
from warehouse.publication.metadata import place_phrase

SQLITE_NAME = "wholeplace.sqlite"
PLUGINS_DIR = Path(__file__).with_name("datasette_plugins")  # loaded by `datasette serve --plugins-dir`
CANNED_QUERIES = Path(__file__).with_name("canned_queries.yml")


# payee names that say a public body (a council, the NHS, police, fire, a combined authority, HMRC):
# the canned queries' "public bodies: leave out" option, written once ({public_body_payee} in the SQL)
PUBLIC_BODY_WORDS = ("COUNCIL", "NHS", "POLICE", "FIRE AND RESCUE", "COMBINED AUTHORITY", "HM REVENUE")
PUBLIC_BODY_PAYEE = "(" + " or ".join(f"supplier_name_normalised like '%{w}%'" for w in PUBLIC_BODY_WORDS) + ")"


PARAM_ORDER = ("place", "body", "region", "supplier", "year", "measure", "scope", "theme", "line_type")


def status_words(column: str) -> str:
    """SQL giving a release's status column in words: the GSS shorthand a release writes ([x], [z];
    seed value_statuses) named, other statuses with their underscores as spaces."""
    named: dict[str, str] = {}
    for status, shorthand in STATUS_SHORTHAND.items():
        named.setdefault(shorthand, f"{status.replace('_', ' ')} {shorthand}")
    cases = " ".join(f"when '{k}' then '{v}'" for k, v in named.items())
    return f"case {column} {cases} else replace({column}, '_', ' ') end"


def _expand(sql: str) -> str:
    sql = sql.replace("{public_body_payee}", PUBLIC_BODY_PAYEE)
    return re.sub(r"\{status\(([\w.]+)\)\}", lambda m: status_words(m[1]), sql)


def canned_query_promises() -> dict[str, dict]:
    """What each canned query's default answer must hold (its ``promise``: columns, one year,
    columns never blank, bodies), by name."""
    from core import yamlfile

    raw = yamlfile.safe_load(CANNED_QUERIES.read_text(encoding="utf-8"))
    return {name: query.get("promise", {}) for name, query in raw.items()}


def canned_queries() -> dict:
    """The canned queries (canned_queries.yml) as Datasette takes them: name -> title, description,
    sql (the public-body rule filled in; the test-only promise left out)."""
    from core import yamlfile

    raw = yamlfile.safe_load(CANNED_QUERIES.read_text(encoding="utf-8"))
    out = {}
    for name, query in raw.items():
        sql = _expand(query["sql"])
        # the form's fields, declared (Datasette's guess from the SQL misses some behind a CTE): who
        # or where first, then when, what and the options
        named = set(re.findall(r"(?<![:\w]):([a-z_]+)", sql))
        params = sorted(named, key=lambda p: (PARAM_ORDER.index(p) if p in PARAM_ORDER else len(PARAM_ORDER), p))
        # the answer first: the SQL folded (Datasette's "show" link opens it)
        out[name] = {
            **{k: v for k, v in query.items() if k != "promise"},
            "sql": sql,
            "params": params,
            "hide_sql": True,
        }
    return out


DATABASE = "wholeplace"  # Datasette names a database after its file's stem
METADATA_NAME = "datasette-metadata.json"
INDEXED_COLUMNS = ("area_code", "financial_year", "indicator_code")
LABEL_COLUMNS = {name: mart.label for name, mart in published().items() if mart.label}
# the default order a table opens in, where it has the column (the marts' meta.published sort)
DEFAULT_SORT = {
    **{name: mart.sort_clause for name, mart in published().items() if mart.sort_clause},
    "source_files": ("sort", "source_id"),
}
FACET_PREFERENCE = (
    "region_title",
    "area_name",
    "agency_name",
    "financial_year",
    "measure",
    "theme_name",
    "area_type",
    "agency_type",
    "geography_level",
    "fund_name",
    "indicator_code",
    "source_id",
    "theme_group",
    "is_synthetic",
)
MAX_FACETS = 4
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_INTEGER_TYPES |= {"UBIGINT", "UHUGEINT", "BOOLEAN"}
_REAL_TYPES = {"FLOAT", "DOUBLE", "REAL"}
_FRICTIONLESS_TO_DUCKDB = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
}


def _is_lineage(column: str) -> bool:
    """Keys, file hashes and where a row was read: for joining and tracing, not reading."""
    return column.endswith(("_key", "_sha256", "_sha256s")) or column.startswith(("source_", "apportionment_source"))


def _is_money(column: str) -> bool:
    return column.endswith(("_gbp", "_gbp_thousands"))


def reading_order(names: list[str]) -> list[str]:
    """A table's columns as a reader wants them (Datasette shows a table's columns in its order):
    the columns that name the row (those before its first money column), then per-head money, then
    other money, then the rest, then keys, file hashes and source rows last."""
    first_money = next((i for i, n in enumerate(names) if _is_money(n)), len(names))
    naming = [n for n in names[:first_money] if not _is_lineage(n)]
    per_head = [n for n in names if _is_money(n) and "per_head" in n and not _is_lineage(n)]
    money = [n for n in names if _is_money(n) and n not in per_head and not _is_lineage(n)]
    lineage = [n for n in names if _is_lineage(n)]
    rest = [n for n in names if n not in {*naming, *per_head, *money, *lineage}]
    return naming + per_head + money + rest + lineage


def _sqlite_type(duckdb_type: str) -> str:
    base = duckdb_type.split("(")[0].strip().upper()
    if base in _INTEGER_TYPES:
        return "INTEGER"
    if base in _REAL_TYPES:
        return "REAL"
    if base in ("DECIMAL", "NUMERIC"):
        scale = re.search(r",\s*(\d+)\s*\)", duckdb_type)
        return "INTEGER" if scale and scale.group(1) == "0" else "REAL"
    return "TEXT"


def _converter(sqlite_type: str) -> Callable[[Any], Any]:
    if sqlite_type == "INTEGER":
        return lambda v: None if v is None else int(v)
    if sqlite_type == "REAL":
        return lambda v: None if v is None else float(v)

    def text(v: Any) -> Any:
        if v is None or isinstance(v, str):
            return v
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return str(v)

    return text


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _resources(package: dict) -> list[dict]:
    """The release's CSV resources (every mart and source_files), in the package's order."""
    return [r for r in package.get("resources", []) if r.get("format") == "csv" and r.get("path")]


def _source_query(release_dir: Path, resource: dict, by_name: dict[str, dict]) -> str:
    """A DuckDB query reading one resource: its Parquet twin where there is one, else its CSV."""
    name = resource["name"]
    parquet = by_name.get(f"{name}_parquet", {}).get("path") or f"{name}.parquet"
    if (release_dir / parquet).is_file():
        return f"select * from read_parquet({_sql_path(release_dir / parquet)})"
    csv_path = release_dir / resource["path"]
    fields = resource.get("schema", {}).get("fields", [])
    if fields:
        columns = ", ".join(
            "'{}': '{}'".format(f["name"].replace("'", "''"), _FRICTIONLESS_TO_DUCKDB.get(f.get("type"), "VARCHAR"))
            for f in fields
        )
        return f"select * from read_csv({_sql_path(csv_path)}, header = true, columns = {{{columns}}})"
    return f"select * from read_csv({_sql_path(csv_path)}, header = true)"


def _rows(con: duckdb.DuckDBPyConnection, query: str, converters: list, names: list[str]) -> Iterator[dict]:
    cursor = con.execute(query)
    while batch := cursor.fetchmany(2000):
        for row in batch:
            yield {n: conv(v) for n, conv, v in zip(names, converters, row, strict=True)}


def _primary_key(resource: dict, names: list[str]) -> str | tuple[str, ...] | None:
    pk = resource.get("schema", {}).get("primaryKey")
    if isinstance(pk, list):
        pk = tuple(pk) if len(pk) > 1 else (pk[0] if pk else None)
    keys = pk if isinstance(pk, tuple) else (pk,) if pk else ()
    return pk if keys and all(k in names for k in keys) else None


def build_sqlite(release_dir: Path, package: dict) -> Path:
    """Write ``release_dir/wholeplace.sqlite`` from the release's files; return its path."""
    release_dir = Path(release_dir)
    target = release_dir / SQLITE_NAME
    tmp = release_dir / f".{SQLITE_NAME}.{os.getpid()}.tmp"
    if tmp.exists():
        tmp.unlink()
    resources = _resources(package)
    by_name = {r["name"]: r for r in package.get("resources", [])}
    pks: dict[str, str | tuple[str, ...] | None] = {}
    columns: dict[str, list[str]] = {}
    try:
        db = sqlite_utils.Database(tmp)
        with duckdb.connect() as con:
            for resource in resources:
                name = resource["name"]
                query = _source_query(release_dir, resource, by_name)
                described = con.execute(f"describe {query}").fetchall()
                names = reading_order([c[0] for c in described])
                query = "select " + ", ".join(f'"{n}"' for n in names) + f" from ({query})"
                types = {c[0]: _sqlite_type(c[1]) for c in described}
                # Parquet has no 128-bit integers (DuckDB writes HUGEINT as DOUBLE): the package's
                # schema says which columns are integers
                for f in resource.get("schema", {}).get("fields", []):
                    if f.get("type") == "integer" and f["name"] in types:
                        types[f["name"]] = "INTEGER"
                pk = _primary_key(resource, names)
                table = db.table(name)
                table.create(
                    {n: types[n] for n in names},
                    pk=pk,
                    not_null=[pk] if isinstance(pk, str) else list(pk or ()),
                )
                converters = [_converter(types[n]) for n in names]
                table.insert_all(_rows(con, query, converters, names), batch_size=500)
                pks[name], columns[name] = pk, names
        # foreign keys from facts (and dimensions' parents) to the dimensions' surrogate keys
        dims = {pk: name for name, pk in pks.items() if name.startswith("dim_") and isinstance(pk, str)}
        foreign_keys = []
        for name, names in columns.items():
            for column in names:
                if column == pks[name] or not column.endswith("_key"):
                    continue
                for dim_pk, dim in sorted(dims.items()):
                    if column == dim_pk or column.endswith("_" + dim_pk):
                        foreign_keys.append((name, column, dim, dim_pk))
                        break
        if foreign_keys:
            db.add_foreign_keys(foreign_keys)
            db.index_foreign_keys()
        for name, names in columns.items():
            for column in INDEXED_COLUMNS:
                if column in names:
                    db.table(name).create_index([column], if_not_exists=True)
        db.vacuum()
        db.close()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def dictionary(release_dir: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(table, column) -> (unit, description), as the release's data_dictionary.csv gives them:
    the one set of column descriptions the CSVW files and the data dictionary use too."""
    path = Path(release_dir) / "data_dictionary.csv"
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {(r["table"], r["column"]): (r["unit"], r["description"]) for r in csv.DictReader(fh)}


def _column_description(name: str, described: tuple[str, str] | None, fallback: str, field_type: str | None) -> str:
    """A column's help: the data dictionary's description and unit (else the package's field
    description), and how SQLite shows a boolean."""
    unit, text = described if described else ("", fallback)
    text = (text or "").strip() or name.replace("_", " ").capitalize() + "."
    if unit and unit != "none" and unit.lower() not in text.lower():
        text = f"{text} Unit: {unit}."
    if field_type == "boolean" or name.startswith(("is_", "has_")):
        text += " Shown as 1 (true) or 0 (false): SQLite has no boolean type."
    return text


def _table_metadata(resource: dict, package: dict, described: dict[tuple[str, str], tuple[str, str]]) -> dict:
    name = resource["name"]
    fields = resource.get("schema", {}).get("fields", [])
    names = [f["name"] for f in fields]
    description = (resource.get("description") or "").strip()
    if resource.get("rows") is not None:
        description += f" Rows: {resource['rows']}."
    if resource.get("has_synthetic_rows") and package.get("contains_synthetic_data"):
        description += " Rows built from synthetic samples have is_synthetic = 1."
    meta: dict[str, Any] = {
        "title": name.replace("_", " ").capitalize(),
        "description": description.strip(),
    }
    if fields:
        meta["columns"] = {
            f["name"]: _column_description(
                f["name"], described.get((name, f["name"])), f.get("description", ""), f.get("type")
            )
            for f in fields
        }
        units = {n: "percent" for n in names if n.endswith("_pct")}
        if units:
            meta["units"] = units
        facets = [c for c in FACET_PREFERENCE if c in names]
        if "area_name" not in names and "agency_name" not in names and "area_code" in names:
            facets.insert(0, "area_code")
        if facets:
            meta["facets"] = facets[:MAX_FACETS]
    sort = DEFAULT_SORT.get(name)
    if sort and (not names or sort[1] in names):
        meta[sort[0]] = sort[1]
    if name in LABEL_COLUMNS and (not names or LABEL_COLUMNS[name] in names):
        meta["label_column"] = LABEL_COLUMNS[name]
    return meta


def datasette_metadata(package: dict, described: dict[tuple[str, str], tuple[str, str]] | None = None) -> dict:
    """The Datasette metadata (a dict) for a release's package; ``described``: the release's data
    dictionary (``dictionary``), the columns' help."""
    described = described or {}
    queries = canned_queries()
    version = package.get("version", "")
    licence = (package.get("licenses") or [{}])[0]
    publishers = sorted({s.get("publisher", "") for s in package.get("sources", []) if s.get("publisher")})
    synthetic = package.get("synthetic_sources") or []
    description = (
        f"{package.get('title', 'wholeplace')}: release {version} (created {package.get('created', '')}). "
        "Spend by place, year, service theme and agency, budget against outturn, and outcomes for "
        f"{place_phrase(package)}. Money is in pounds sterling (GBP), cash terms."
    )
    if synthetic:
        description += (
            " Contains synthetic data: " + ", ".join(synthetic) + " are samples in the publishers' formats, "
            "not real publications; rows built from them have is_synthetic = 1."
        )
    return {
        "title": release_title(package),
        "description": description,
        "description_html": home_html(package, queries, place_phrase(package)),
        "license": licence.get("name", "OGL-UK-3.0"),
        "license_url": licence.get(
            "path", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
        ),
        "source": ("; ".join(publishers) if publishers else "Published public data") + " (see datapackage.json)",
        "source_url": "/files/datapackage.json",
        "about": f"wholeplace release {version}: profiles, downloads and documentation".strip(),
        "about_url": SITE_URL,
        "databases": {
            DATABASE: {
                "description": f"Every mart of release {version}, one table each, with source_files.",
                "tables": {r["name"]: _table_metadata(r, package, described) for r in _resources(package)},
                "queries": queries,
            }
        },
    }


def release_title(package: dict) -> str:
    """'<region>: whole-place budget and outcomes, release of <date>' (the release's version, a
    content hash, is in the description)."""
    region = (package.get("region") or {}).get("title") or "wholeplace"
    created = str(package.get("created", ""))[:10]
    demo = "DEMO with synthetic samples: " if (package.get("title") or "").startswith("DEMO") else ""
    return f"{demo}{region}: whole-place budget and outcomes, release of {created}".strip()


def write_datasette_metadata(release_dir: Path, package: dict) -> Path:
    """Write ``release_dir/datasette-metadata.json``; return its path."""
    path = Path(release_dir) / METADATA_NAME
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    metadata = datasette_metadata(package, dictionary(release_dir))
    tmp.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def datasette_executable() -> str:
    candidate = Path(sys.executable).with_name("datasette")
    return str(candidate) if candidate.exists() else "datasette"


def serve_command(release_dir: Path, port: int = 8001) -> list[str]:
    """``datasette serve`` for a release: its SQLite (immutable) with its metadata, the release's
    files at /files/ (listed there by the release_files plugin; place profiles at
    /files/site/index.html, where their relative download links resolve) and every release with
    the Atom feed at /releases/ (/releases/feed.atom), on 127.0.0.1 only."""
    release_dir = Path(release_dir)
    return [
        datasette_executable(),
        "serve",
        "--immutable",
        str(release_dir / SQLITE_NAME),
        "--metadata",
        str(release_dir / METADATA_NAME),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--static",
        f"files:{release_dir}",
        "--static",
        f"releases:{release_dir.parent}",
        # the tables' facets are chosen (metadata); Datasette's suggestions would offer money columns
        "--setting",
        "suggest_facets",
        "off",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
