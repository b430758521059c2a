"""The release's SQLite + Datasette metadata, the Atom feed of releases, and the static site."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from core.marts import MARTS, PRIMARY_KEYS
from warehouse.publication import datasette, dbt_docs, feed, profiles
from warehouse.publication.publish import field_type

ATOM = "{http://www.w3.org/2005/Atom}"

# --------------------------------------------------------------------------------------------
# a tiny release: three marts (typed as the real ones are) and source_files, with a datapackage

TINY_MARTS = {
    "whole_place_budget": """
        select * from (values
            ('wpb-1', 'E08000026', '2023-24', 1234567::decimal(38, 0), 12.35::decimal(14, 2),
             344600::hugeint, 'adult_social_care', 12.5::double, true),
            ('wpb-2', 'E08000025', '2023-24', null::decimal(38, 0), null::decimal(14, 2),
             1144900::hugeint, 'adult_social_care', null::double, false)
        ) t(whole_place_budget_key, area_code, financial_year, total_gbp, per_head_gbp, population_count,
            theme_code, variance_pct, is_synthetic)
    """,
    "dim_area": """
        select * from (values ('ak-1', 'E08000026', 'Coventry'), ('ak-2', 'E08000025', 'Birmingham'),
                              ('ak-3', 'E47000007', 'West Midlands'))
            t(area_key, area_code, area_name)
    """,
    "fct_outcome": """
        select * from (values
            ('ok-1', 'ak-1', 'oflog_ASC5', 51.1::double, date '2023-03-31', 17::integer),
            ('ok-2', 'ak-2', 'oflog_ASC5', null::double, date '2022-03-31', 18::integer),
            ('ok-3', 'ak-2', 'oflog_ASC6', 2.5::double, date '2022-03-31', 19::integer)
        ) t(outcome_key, area_key, indicator_code, value, period_end_date, source_row)
    """,
}


def make_release(release_dir: Path) -> dict:
    release_dir.mkdir(parents=True)
    resources = []
    with duckdb.connect() as con:
        for mart, sql in TINY_MARTS.items():
            con.execute(f"create table {mart} as {sql}")
            cols = con.execute(
                "select column_name, data_type from information_schema.columns where table_name = ? "
                "order by ordinal_position",
                [mart],
            ).fetchall()
            con.execute(f"copy {mart} to '{release_dir / (mart + '.csv')}' (header, delimiter ',')")
            con.execute(f"copy {mart} to '{release_dir / (mart + '.parquet')}' (format parquet)")
            rows = con.execute(f"select count(*) from {mart}").fetchone()[0]
            fields = [{"name": n, "type": field_type(t), "description": ""} for n, t in cols]
            fields[0]["description"] = "The row's key."
            for fmt in ("csv", "parquet"):
                resources.append(
                    {
                        "name": mart if fmt == "csv" else f"{mart}_parquet",
                        "path": f"{mart}.{fmt}",
                        "format": fmt,
                        "rows": rows,
                        "description": f"The {mart} mart.",
                        "schema": {"fields": fields, "primaryKey": PRIMARY_KEYS[mart]},
                        "has_synthetic_rows": "is_synthetic" in {n for n, _ in cols},
                    }
                )
    (release_dir / "source_files.csv").write_text(
        "sha256,source_id,period,bytes\n" + "ab" * 32 + ",mhclg_rsx,2023-24,120\n", encoding="utf-8"
    )
    resources.append({"name": "source_files", "path": "source_files.csv", "format": "csv"})
    package = {
        "name": "wholeplace",
        "title": "Whole-place budget and outcomes warehouse",
        "version": release_dir.name,
        "created": "2026-01-02T03:04:05Z",
        "licenses": [
            {
                "name": "OGL-UK-3.0",
                "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            }
        ],
        "contains_synthetic_data": True,
        "synthetic_sources": ["nhs_icb_allocations"],
        "sources": [{"name": "mhclg_rsx", "publisher": "MHCLG"}, {"name": "fingertips", "publisher": "OHID"}],
        "resources": resources,
    }
    (release_dir / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return package


@pytest.fixture
def release(tmp_path: Path) -> tuple[Path, dict]:
    release_dir = tmp_path / "releases" / "2026-01-02-aaaaaaaaaaaa"
    return release_dir, make_release(release_dir)


def column_types(con: sqlite3.Connection, table: str) -> dict[str, str]:
    return {row[1]: row[2] for row in con.execute(f'pragma table_info("{table}")')}


def test_build_sqlite_has_every_csv_resource_with_keys_types_and_indexes(release: tuple[Path, dict]) -> None:
    release_dir, package = release

    path = datasette.build_sqlite(release_dir, package)

    assert path == release_dir / "wholeplace.sqlite"
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
    assert tables == {*TINY_MARTS, "source_files"}
    for mart in TINY_MARTS:
        pk = [row[1] for row in con.execute(f'pragma table_info("{mart}")') if row[5]]
        assert pk == [PRIMARY_KEYS[mart]], mart
    counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    assert counts == {"whole_place_budget": 2, "dim_area": 3, "fct_outcome": 3, "source_files": 1}

    assert column_types(con, "whole_place_budget") == {
        "whole_place_budget_key": "TEXT",
        "area_code": "TEXT",
        "financial_year": "TEXT",
        "total_gbp": "INTEGER",  # whole pounds (decimal(38, 0)) stay exact
        "per_head_gbp": "REAL",
        "population_count": "INTEGER",
        "theme_code": "TEXT",
        "variance_pct": "REAL",
        "is_synthetic": "INTEGER",
    }
    assert column_types(con, "fct_outcome")["period_end_date"] == "TEXT"
    assert column_types(con, "fct_outcome")["source_row"] == "INTEGER"
    rows = con.execute(
        "select total_gbp, per_head_gbp, population_count, is_synthetic from whole_place_budget "
        "order by whole_place_budget_key"
    ).fetchall()
    assert rows == [(1234567, 12.35, 344600, 1), (None, None, 1144900, 0)]
    assert type(rows[0][0]) is int
    assert con.execute("select period_end_date from fct_outcome where outcome_key = 'ok-1'").fetchone() == (
        "2023-03-31",
    )
    assert con.execute("select bytes from source_files").fetchone() == (120,)

    indexed = {
        (table, con.execute(f'pragma index_info("{name}")').fetchone()[2])
        for table, name in con.execute(
            "select tbl_name, name from sqlite_master where type = 'index' and sql is not null"
        )
    }
    assert {
        ("whole_place_budget", "area_code"),
        ("whole_place_budget", "financial_year"),
        ("dim_area", "area_code"),
        ("fct_outcome", "indicator_code"),
    } <= indexed
    fks = con.execute('pragma foreign_key_list("fct_outcome")').fetchall()
    assert [(fk[2], fk[3], fk[4]) for fk in fks] == [("dim_area", "area_key", "area_key")]
    con.close()
    assert not [p.name for p in release_dir.iterdir() if p.name.endswith(".tmp")]


def test_build_sqlite_is_deterministic_and_reads_the_csv_without_parquet(release: tuple[Path, dict]) -> None:
    release_dir, package = release
    first = datasette.build_sqlite(release_dir, package).read_bytes()
    assert datasette.build_sqlite(release_dir, package).read_bytes() == first

    for mart in TINY_MARTS:
        (release_dir / f"{mart}.parquet").unlink()
    datasette.build_sqlite(release_dir, package)

    con = sqlite3.connect(release_dir / "wholeplace.sqlite")
    types = column_types(con, "whole_place_budget")
    assert (types["per_head_gbp"], types["population_count"], types["area_code"]) == ("REAL", "INTEGER", "TEXT")
    assert con.execute(
        "select per_head_gbp, is_synthetic from whole_place_budget where area_code = 'E08000026'"
    ).fetchone() == (
        12.35,
        1,
    )
    con.close()


def test_datasette_metadata_describes_every_table_and_column(release: tuple[Path, dict]) -> None:
    release_dir, package = release
    package["region"] = {"name": "west-midlands", "title": "West Midlands"}
    # the release's data dictionary (written before the Datasette metadata): the columns' help
    (release_dir / "data_dictionary.csv").write_text(
        "table,column,type,unit,description\n"
        "whole_place_budget,total_gbp,number,pounds (GBP),Whole-place spend in the area and year.\n"
        "whole_place_budget,whole_place_budget_key,string,surrogate key (no unit),Surrogate key of the row.\n"
        "whole_place_budget,area_code,string,code,GSS code of the area.\n"
        "whole_place_budget,financial_year,string,none,UK financial year.\n",
        encoding="utf-8",
    )

    path = datasette.write_datasette_metadata(release_dir, package)

    meta = json.loads(path.read_text(encoding="utf-8"))
    assert path == release_dir / "datasette-metadata.json"
    assert meta["license"] == "OGL-UK-3.0"
    assert meta["license_url"].startswith("https://www.nationalarchives.gov.uk/")
    assert meta["title"] and meta["description"] and meta["source"] and meta["source_url"] and meta["about"]
    assert "synthetic" in meta["description"].lower()
    tables = meta["databases"]["wholeplace"]["tables"]
    assert set(tables) == {*TINY_MARTS, "source_files"}
    for mart in TINY_MARTS:
        table = tables[mart]
        assert table["title"] and table["description"].startswith(f"The {mart} mart.")
        fields = [f["name"] for f in next(r for r in package["resources"] if r["name"] == mart)["schema"]["fields"]]
        assert list(table["columns"]) == fields
        assert all(table["columns"].values()), f"{mart}: a column has no description"
        assert set(table.get("facets", [])) <= set(fields)
        for key in ("sort", "sort_desc"):
            assert table.get(key, fields[0]) in fields
    wpb = tables["whole_place_budget"]
    assert wpb["units"] == {"variance_pct": "percent"}, "money has no Pint unit; percentages do"
    assert wpb["columns"]["total_gbp"] == "Whole-place spend in the area and year. Unit: pounds (GBP)."
    assert wpb["columns"]["area_code"] == "GSS code of the area."  # its unit is in its words already
    assert wpb["columns"]["financial_year"] == "UK financial year."
    assert "hash" not in wpb["columns"]["whole_place_budget_key"]
    assert wpb["columns"]["is_synthetic"].endswith("Shown as 1 (true) or 0 (false): SQLite has no boolean type.")
    assert meta["title"] == "West Midlands: whole-place budget and outcomes, release of 2026-01-02"
    assert package["version"] in meta["description"]
    assert wpb["facets"] == ["area_code", "financial_year", "is_synthetic"], "area_code when there is no area_name"
    assert wpb["sort_desc"] == "total_gbp"
    assert tables["dim_area"]["label_column"] == "area_name"
    assert "is_synthetic = 1" in wpb["description"]


def test_serve_command_serves_the_database_metadata_release_files_and_feed_on_localhost(tmp_path: Path) -> None:
    command = datasette.serve_command(tmp_path, port=8123)

    assert Path(command[0]).name == "datasette" and command[1] == "serve"
    assert str(tmp_path / "wholeplace.sqlite") in command
    assert command[command.index("--metadata") + 1] == str(tmp_path / "datasette-metadata.json")
    statics = [command[i + 1] for i, a in enumerate(command) if a == "--static"]
    # the profiles are served from the release folder, where their relative download links resolve
    assert statics == [f"files:{tmp_path}", f"releases:{tmp_path.parent}"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"


# --------------------------------------------------------------------------------------------
# the feed


def write_release(releases_dir: Path, version: str, created: str, *, synthetic: bool) -> None:
    path = releases_dir / version
    path.mkdir(parents=True)
    package = {
        "version": version,
        "created": created,
        "contains_synthetic_data": synthetic,
        "synthetic_sources": ["fingertips"] if synthetic else [],
        "resources": [
            {"name": "whole_place_budget", "format": "csv", "rows": 440},
            {"name": "whole_place_budget_parquet", "format": "parquet", "rows": 440},
            {"name": "dim_area", "format": "csv", "rows": 105},
        ],
    }
    (path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (path / "RELEASE_NOTES.md").write_text(f"# Release {version}\n\nFirst line of {version}.\n", encoding="utf-8")


def test_feed_is_atom_with_one_entry_per_release_newest_first(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    write_release(releases, "2026-01-01-aaaaaaaaaaaa", "2026-01-01T10:00:00Z", synthetic=True)
    write_release(releases, "2026-03-05-cccccccccccc", "2026-03-05T09:00:00Z", synthetic=False)
    write_release(releases, "2026-02-01-bbbbbbbbbbbb", "2026-02-01T08:30:00Z", synthetic=True)
    os.symlink("2026-03-05-cccccccccccc", releases / "latest")
    (releases / "not-a-release").mkdir()

    path = feed.write_feed(releases, base_url="https://data.example.org/releases/")

    assert path == releases / "feed.atom"
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "wholeplace releases"
    assert root.findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert root.findtext(f"{ATOM}updated") == "2026-03-05T09:00:00Z"
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in self_link] == ["https://data.example.org/releases/feed.atom"]
    assert root.find(f"{ATOM}author/{ATOM}name").text

    entries = root.findall(f"{ATOM}entry")
    versions = ["2026-03-05-cccccccccccc", "2026-02-01-bbbbbbbbbbbb", "2026-01-01-aaaaaaaaaaaa"]
    assert [e.findtext(f"{ATOM}title") for e in entries] == [f"wholeplace release {v}" for v in versions]
    assert [e.findtext(f"{ATOM}updated") for e in entries] == [
        "2026-03-05T09:00:00Z",
        "2026-02-01T08:30:00Z",
        "2026-01-01T10:00:00Z",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", i) for i in ids)
    hrefs = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]
    assert hrefs == [f"https://data.example.org/releases/{v}/datapackage.json" for v in versions]
    newest, _, oldest = (e.findtext(f"{ATOM}summary") for e in entries)
    assert "whole_place_budget: 440" in newest and "dim_area: 105" in newest
    assert "whole_place_budget_parquet" not in newest
    assert "Contains synthetic data: no." in newest
    assert "Contains synthetic data: yes" in oldest and "fingertips" in oldest
    assert "First line of 2026-01-01-aaaaaaaaaaaa." in oldest

    # ids are stable: the same release keeps its id when the feed is rewritten with a new release
    write_release(releases, "2026-04-01-dddddddddddd", "2026-04-01T00:00:00Z", synthetic=False)
    again = ET.parse(feed.write_feed(releases)).getroot()
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")][1:] == ids
    assert again.find(f"{ATOM}entry/{ATOM}link").get("href") == "2026-04-01-dddddddddddd/datapackage.json"
    assert sorted(p.name for p in releases.iterdir() if p.name.startswith(".")) == [], "no temp file is left"


# --------------------------------------------------------------------------------------------
# the static site

REGION, COVENTRY, BIRMINGHAM = "E47000007", "E08000026", "E08000025"


def build_warehouse(path: Path) -> None:
    """Just the marts (and columns) the site reads, with numbers that are easy to check."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.dim_area as select * from (values
                ('E92000001', 'England', 'country', null::boolean, null, null),
                ('E47000007', 'West Midlands', 'combined_authority', true, 'E47000007', null),
                ('E08000026', 'Coventry', 'local_authority', true, 'E47000007', 'metropolitan_district'),
                ('E08000025', 'Birmingham', 'local_authority', true, 'E47000007', 'metropolitan_district'),
                ('E08000025-CENTRAL', 'Central', 'locality', true, 'E47000007', null),
                ('E06000001', 'Hartlepool', 'local_authority', false, 'E47000006', 'unitary_authority')
            ) t(area_code, area_name, area_type, is_in_region, combined_authority_code, place_type)
            """
        )
        con.execute(
            """
            create table marts.whole_place_budget as select * from (values
                ('E08000026', '2023-24', 'budget', 'adult_social_care', 'Adult social care', 'care',
                 100000, 0, null, 5000, 0, 105000, 1000, 'Census 2021', 105.00, null, true),
                ('E08000026', '2023-24', 'budget', 'nhs_core_services', 'NHS core services', 'health',
                 null, null, 200000, 0, 5000, 195000, 1000, 'Census 2021', 195.00, null, true),
                ('E08000026', '2021-22', 'outturn', 'adult_social_care', 'Adult social care', 'care',
                 90000, 1234, null, 0, 0, 91234, 1000, 'Census 2021', 91.23, null, false),
                ('E08000026', '2023-24', 'outturn', 'adult_social_care', 'Adult social care', 'care',
                 95000, 0, null, 0, 0, 95000, 1000, 'Census 2021', 95.00, null, false),
                ('E08000025', '2021-22', 'outturn', 'adult_social_care', 'Adult social care', 'care',
                 300000, 0, null, 0, 0, 300000, 2000, 'Census 2021', 150.00, null, false),
                ('E08000025', '2023-24', 'outturn', 'adult_social_care', 'Adult social care', 'care',
                 null, null, null, 0, 0, null, 2000, 'Census 2021', null, 'E08000025', false),
                ('E47000007', '2023-24', 'budget', 'adult_social_care', 'Adult social care', 'care',
                 400000, 0, null, 5000, 0, 405000, 3000, 'Census 2021', 135.00, null, true),
                ('E47000007', '2021-22', 'outturn', 'adult_social_care', 'Adult social care', 'care',
                 390000, 1234, null, 0, 0, 391234, 3000, 'Census 2021', 130.41, null, false)
            ) t(area_code, financial_year, measure, theme_code, theme_name, theme_group, council_gbp,
                combined_authority_gbp, nhs_gbp, transfers_in_gbp, transfers_out_gbp, total_gbp,
                population_count, population_source, per_head_gbp, missing_agency_codes, is_synthetic)
            """
        )
        for col in ("council_gbp", "combined_authority_gbp", "nhs_gbp", "transfers_in_gbp", "transfers_out_gbp"):
            con.execute(f"alter table marts.whole_place_budget alter {col} type decimal(38, 0)")
        con.execute("alter table marts.whole_place_budget alter total_gbp type decimal(38, 0)")
        con.execute("alter table marts.whole_place_budget alter per_head_gbp type decimal(14, 2)")
        for col in ("police_gbp", "fire_gbp"):  # no police or fire money on these themes
            con.execute(f"alter table marts.whole_place_budget add column {col} decimal(38, 0)")
        # the headlines: each declared scope's totals (whole_place_totals)
        con.execute(
            """
            create table marts.whole_place_totals as select * from (values
                ('E08000026', '2021-22', 'outturn', 'local_government', 'Local government', 91234, 91.23, 1000,
                 'ONS mid-year estimate, mid-2021', 'council;combined_authority;fire;police', null, 'LG.', true),
                ('E08000026', '2023-24', 'outturn', 'local_government', 'Local government', 95000, 95.00, 1000,
                 'ONS mid-year estimate, mid-2023', 'council;combined_authority;fire;police', null, 'LG.', true),
                ('E08000026', '2023-24', 'budget', 'whole_place', 'Whole place', 300000, 300.00, 1000,
                 'ONS mid-year estimate, mid-2023', 'council;combined_authority;fire;nhs;police', null,
                 'Whole place budget.', true),
                ('E08000025', '2021-22', 'outturn', 'local_government', 'Local government', 300000, 150.00, 2000,
                 'ONS mid-year estimate, mid-2021', 'council;combined_authority;fire;police', null, 'LG.', true),
                ('E08000025', '2023-24', 'outturn', 'local_government', 'Local government', null, null, 2000,
                 'ONS mid-year estimate, mid-2023', 'council;combined_authority;fire;police', 'council',
                 'Not available: council (no figure from E08000025).', false),
                ('E47000007', '2021-22', 'outturn', 'local_government', 'Local government', 391234, 130.41, 3000,
                 'ONS mid-year estimate, mid-2021', 'council;combined_authority;fire;police', null, 'LG.', true)
            ) t(area_code, financial_year, measure, scope_code, scope_name, total_gbp, per_head_gbp, population_count,
                population_source, scope_body_types, missing_body_types, scope_note, is_complete)
            """
        )
        con.execute(
            """
            create table marts.spend_vs_outcomes as select * from (values
                ('2021-22', 'adult_social_care', 80.50::decimal(14, 2)),
                ('2023-24', 'adult_social_care', 99.99::decimal(14, 2))
            ) t(financial_year, theme_code, england_spend_per_head_gbp)
            """
        )
        con.execute(
            """
            create table marts.budget_vs_outturn as select * from (values
                ('E08000026', '2023-24', 'asc', 'Adult social care', 'adult_social_care',
                 100000::decimal(18, 0), 112500::decimal(18, 0), 12500::decimal(19, 0), 12.5::double,
                 'published', 'published', 'service'),
                ('E08000026', '2023-24', 'totsx', 'Total service expenditure', null,
                 150000::decimal(18, 0), 160000::decimal(18, 0), 10000::decimal(19, 0), 6.67::double,
                 'published', 'published', 'total'),
                ('E08000025', '2023-24', 'asc', 'Adult social care', 'adult_social_care',
                 50000::decimal(18, 0), null::decimal(18, 0), null::decimal(19, 0), null::double,
                 'published', 'not_available', 'service'),
                ('E08000026', '2023-24', 'ascphyadl', 'Physical support - adults (18-64)', 'asc_physical_support',
                 40000::decimal(18, 0), 41000::decimal(18, 0), 1000::decimal(19, 0), 2.5::double,
                 'published', 'published', 'detail')
            ) t(agency_code, financial_year, service_line_code, service_line_name, theme_code, budget_gbp,
                outturn_gbp, variance_gbp, variance_pct, budget_status, outturn_status, line_type)
            """
        )
        con.execute(
            """
            create table marts.dim_indicator as select * from (values
                ('oflog_ASC5', 'Outcome of short-term services', 'percent', 'higher_is_better'),
                ('fingertips_90366', 'Life expectancy at birth', 'years', 'higher_is_better')
            ) t(indicator_code, indicator_name, unit, polarity)
            """
        )
        con.execute(
            """
            create table marts.fct_outcome as select * from (values
                ('oflog_ASC5', 'E08000026', '2021-22', date '2022-03-31', 'Persons', 'as published',
                 41.4, 'published', null, null, 76.4, 70.1, 12, 'not_compared', 'none', false, null, false, false),
                ('oflog_ASC5', 'E08000026', '2022-23', date '2023-03-31', 'Persons', 'as published',
                 56.4, 'published', null, null, 78.2, 71.9, 12, 'not_compared', 'none', true,
                 'series break: the published code changes from ASC5a (to 2021-22) to ASC5', false, false),
                ('fingertips_90366', 'E08000026', '2021 - 23', date '2023-12-31', 'Female', 'All ages',
                 80.08, 'published', 82.62, 81.69, null, null, 0, 'worse', 'as_published', false, null, false, true),
                ('oflog_ASC5', 'E08000025', '2022-23', date '2023-03-31', 'Persons', 'as published',
                 50.0, 'published', null, null, 78.2, null, 0, 'not_compared', 'none', false, null, false, false)
            ) t(indicator_code, area_code, period_label, period_end_date, sex, age, value, value_status,
                england_value, region_value, national_median_value, neighbours_median_value, neighbours_count,
                england_comparison, england_comparison_method, is_series_break, series_break_note, is_derived,
                is_synthetic)
            """
        )
        con.execute(
            """
            create table marts.nearest_neighbours as select * from (values
                ('E08000026', 'E06000015', 'Derby'),
                ('E08000026', 'E08000032', 'Bradford'),
                ('E08000025', 'E08000026', 'Coventry')
            ) t(area_code, neighbour_area_code, neighbour_area_name)
            """
        )
        con.execute(
            """
            create table marts.place_comparisons as select * from (values
                ('E08000026', 'Coventry', 'local_authority', 'E12000005', '2023-24', 'outturn', 1900.50::decimal(14, 2),
                 1500.25::decimal(14, 2), null::decimal(14, 2), 1800.00::decimal(14, 2), 12, 15,
                 1850.00::decimal(14, 2), 36, 36, 10),
                ('E08000025', 'Birmingham', 'local_authority', 'E12000005', '2023-24', 'outturn', null::decimal(14, 2),
                 1500.25::decimal(14, 2), null::decimal(14, 2), null::decimal(14, 2), 0, 15,
                 1850.00::decimal(14, 2), 36, 36, null),
                ('E08000001', 'Bolton', 'local_authority', 'E12000002', '2023-24', 'outturn', 2120.25::decimal(14, 2),
                 1500.25::decimal(14, 2), null::decimal(14, 2), null::decimal(14, 2), 0, 15,
                 1850.00::decimal(14, 2), 36, 36, 3),
                ('E08000026', 'Coventry', 'local_authority', 'E12000005', '2021-22', 'outturn', 1700.00::decimal(14, 2),
                 1400.00::decimal(14, 2), null::decimal(14, 2), null::decimal(14, 2), 0, 15,
                 1750.00::decimal(14, 2), 36, 36, 20)
            ) t(area_code, area_name, area_type, ons_region_code, financial_year, measure, per_head_gbp,
                england_per_head_gbp,
                region_per_head_gbp, neighbours_median_per_head_gbp, neighbours_count, neighbours_named_count,
                same_type_median_per_head_gbp, same_type_count, same_type_england_count, same_type_rank)
            """
        )
        # spend by service against the neighbours, the type and England (theme_comparisons)
        con.execute(
            """
            create table marts.theme_comparisons as select * from (values
                ('E08000026', '2023-24', 'outturn', 'education', 'Education', 720.96::decimal(14, 2),
                 757.26::decimal(14, 2), null::decimal(14, 2), 800.10::decimal(14, 2), 15, 15,
                 855.22::decimal(14, 2), 35, 36, 27),
                ('E08000026', '2023-24', 'outturn', 'police', 'Police', 292.32::decimal(14, 2),
                 288.44::decimal(14, 2), null::decimal(14, 2), 280.00::decimal(14, 2), 14, 15,
                 292.32::decimal(14, 2), 35, 36, 16),
                ('E08000026', '2021-22', 'outturn', 'police', 'Police', 250.00::decimal(14, 2),
                 240.00::decimal(14, 2), null::decimal(14, 2), 245.00::decimal(14, 2), 15, 15,
                 250.00::decimal(14, 2), 36, 36, 18)
            ) t(area_code, financial_year, measure, theme_code, theme_name, per_head_gbp, england_per_head_gbp,
                region_per_head_gbp, neighbours_median_per_head_gbp, neighbours_count, neighbours_named_count,
                same_type_median_per_head_gbp, same_type_count, same_type_england_count, same_type_rank)
            """
        )
        # an ESTIMATE of all public money: Coventry 2022-23, by function and in total (whole_place_estimates)
        con.execute(
            """
            create table marts.whole_place_estimates as select * from (values
                ('E08000026', '2022-23', 'total', 'Total identifiable expenditure on services', 1000000, 600000,
                 200000, 150000, 50000, 9000000, 10000000, 10000.00, 1000.00, 10.0, null, 'sum of the functions',
                 1000, 'local_authority'),
                ('E08000026', '2022-23', 'social_protection', 'Social protection', 400000, 400000, 0, 0, 0,
                 4600000, 5000000, 5000.00, 400.00, 8.0, null, 'counted plus the rest shared by population', 1000,
                 'local_authority'),
                ('E08000026', '2022-23', 'health', 'Health', 0, 0, 0, 0, 0,
                 3000000, 3000000, 3000.00, 0.00, 0.0, null, 'counted plus the rest shared by population', 1000,
                 'local_authority'),
                ('E08000026', '2022-23', 'public_order_and_safety', 'Public order and safety', 600000, 200000,
                 200000, 150000, 50000, 1400000, 2000000, 2000.00, 600.00, 30.0, null,
                 'counted plus the rest shared by population', 1000, 'local_authority')
            ) t(area_code, financial_year, function_code, function_name, counted_gbp, council_counted_gbp,
                combined_authority_counted_gbp, police_counted_gbp, fire_counted_gbp, estimated_remainder_gbp,
                estimate_gbp, estimate_per_head_gbp, counted_per_head_gbp, counted_share_pct, missing_body_types,
                estimate_method, population_count, area_type)
            """
        )


class Page(HTMLParser):
    """Links, data-testid elements and the table cells (with their table's and row's attributes)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.testids: list[str] = []
        self.cells: list[dict] = []
        self.titles: list[str] = []
        self._table: dict = {}
        self._row: dict = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "data-testid" in a:
            self.testids.append(a["data-testid"])
        if "title" in a:
            self.titles.append(a["title"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "table":
            self._table = a
        elif tag == "tr":
            self._row = a
        elif tag == "td" and "data-value" in a:
            self.cells.append({"table": self._table, "row": self._row, **a})

    def values(self, testid: str, **where: str) -> dict[tuple[str, str], str]:
        """{(row key, column): data-value} of the cells of the table with that testid and attributes."""
        out = {}
        for c in self.cells:
            t = c["table"]
            if t.get("data-testid") == testid and all(
                t.get(f"data-{k.replace('_', '-')}") == v for k, v in where.items()
            ):
                row = c["row"]
                key = row.get("data-theme-code") or row.get("data-service-line") or row.get("data-period") or ""
                out[(key, c["data-column"])] = c["data-value"]
        return out


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    release_dir = tmp_path / "releases" / "2026-01-02-aaaaaaaaaaaa"
    make_release(release_dir)
    (release_dir / "data_dictionary.md").write_text("# Data dictionary\n", encoding="utf-8")
    db = tmp_path / "wholeplace.duckdb"
    build_warehouse(db)
    return release_dir, db


def test_index_links_every_profile_the_documentation_and_every_mart(site: tuple[Path, Path]) -> None:
    release_dir, db = site

    index = profiles.write_site(release_dir, db, None)

    assert index == release_dir / "site" / "index.html"
    page = Page(index.read_text(encoding="utf-8"))
    profile_links = sorted(link for link in page.links if link.startswith("profiles/"))
    assert profile_links == [f"profiles/{c}.html" for c in sorted((REGION, COVENTRY, BIRMINGHAM))]
    for link in profile_links:
        assert (index.parent / link).is_file()
    assert not (index.parent / "profiles" / "E08000025-CENTRAL.html").exists(), "no profile for a locality"
    assert not (index.parent / "profiles" / "E06000001.html").exists(), "no profile outside the region"
    for link in (
        "../datapackage.json",
        "../data_dictionary.md",
        "../data_docs/index.html",
        "dbt_docs/index.html",
        "/wholeplace",
    ):
        assert link in page.links, link
    # every mart (the release holds three; the rest of MARTS are listed from publish.MARTS only when the
    # release's package lists none), each with its CSV and Parquet
    for mart in TINY_MARTS:
        assert f"../{mart}.csv" in page.links and f"../{mart}.parquet" in page.links, mart
    assert "synthetic-note" in page.testids


def test_index_lists_every_mart_of_a_full_release(tmp_path: Path) -> None:
    release_dir = tmp_path / "releases" / "v1"
    release_dir.mkdir(parents=True)
    package = {
        "version": "v1",
        "resources": [{"name": m, "path": f"{m}.csv", "format": "csv", "rows": 1} for m in MARTS],
    }
    (release_dir / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    build_warehouse(db)

    page = Page(profiles.write_site(release_dir, db).read_text(encoding="utf-8"))

    mart_links = [f"../{m}.csv" for m in MARTS]
    assert [link for link in page.links if link in mart_links] == mart_links, "every mart, in publish order"
    assert all(f"../{m}.parquet" in page.links for m in MARTS)
    assert "../data_dictionary.md" not in page.links, "only linked when the release has one"


def test_profile_tables_hold_the_marts_numbers(site: tuple[Path, Path]) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)

    page = Page((release_dir / "site" / "profiles" / f"{COVENTRY}.html").read_text(encoding="utf-8"))

    budget = page.values("spend-per-head-table", measure="budget", financial_year="2023-24")
    asc, nhs = "adult_social_care", "nhs_core_services"
    assert budget[(asc, "per_head_gbp")] == "105.00"
    assert budget[(asc, "total_gbp")] == "105000"
    assert budget[(asc, "council_per_head_gbp")] == "100.00"
    assert budget[(asc, "net_transfers_per_head_gbp")] == "5.00"
    assert budget[(asc, "nhs_per_head_gbp")] == "", "no NHS money on the theme: empty, not zero"
    assert budget[(nhs, "nhs_per_head_gbp")] == "200.00"
    assert budget[(nhs, "net_transfers_per_head_gbp")] == "-5.00"
    assert budget[(asc, "ca_area_per_head_gbp")] == "135.00"
    assert (asc, "england_per_head_gbp") not in budget, "England's comparator is outturn: not beside budgets"

    # the latest year with figures, per measure; every number equals the mart's
    outturn = page.values("spend-per-head-table", measure="outturn", financial_year="2023-24")
    assert outturn[(asc, "england_per_head_gbp")] == "99.99"
    with duckdb.connect(str(db), read_only=True) as con:
        mart = {
            (m, fy, t): (float(ph), float(tot))
            for m, fy, t, ph, tot in con.execute(
                "select measure, financial_year, theme_code, per_head_gbp, total_gbp from marts.whole_place_budget "
                "where area_code = ?",
                [COVENTRY],
            ).fetchall()
        }
    for measure, fy, table in (("budget", "2023-24", budget), ("outturn", "2023-24", outturn)):
        for (theme, column), value in table.items():
            if column == "per_head_gbp":
                assert float(value) == mart[(measure, fy, theme)][0]
            if column == "total_gbp":
                assert float(value) == mart[(measure, fy, theme)][1]

    bvo = page.values("budget-vs-outturn-table", financial_year="2023-24")
    assert (bvo[("asc", "budget_gbp")], bvo[("asc", "outturn_gbp")]) == ("100000", "112500")
    assert (bvo[("asc", "variance_gbp")], float(bvo[("asc", "variance_pct")])) == ("12500", 12.5)
    assert bvo[("totsx", "outturn_gbp")] == "160000"
    assert not any(line == "ascphyadl" for line, _ in bvo)  # RO3's detail lines stay in the mart

    asc5 = page.values("outcome-table", indicator_code="oflog_ASC5")
    assert {k: v for k, v in asc5.items() if k[1] == "england_comparison"} == {
        ("2021-22", "england_comparison"): "not_compared",
        ("2022-23", "england_comparison"): "not_compared",
    }
    assert {k: float(v) for k, v in asc5.items() if k[1] != "england_comparison"} == {
        ("2021-22", "value"): 41.4,
        ("2021-22", "neighbours_median_value"): 70.1,
        ("2021-22", "national_median_value"): 76.4,
        ("2022-23", "value"): 56.4,
        ("2022-23", "neighbours_median_value"): 71.9,
        ("2022-23", "national_median_value"): 78.2,
    }
    le = page.values("outcome-table", indicator_code="fingertips_90366")
    assert (float(le[("2021 - 23", "value")]), float(le[("2021 - 23", "england_value")])) == (80.08, 82.62)
    # the publisher's comparison with England is shown with its method
    assert le[("2021 - 23", "england_comparison")] == "worse"
    assert "the publisher's own comparison with England" in "".join(page.titles)

    for testid in ("chart-spend-per-head", "chart-budget-vs-outturn", "chart-outcome-trend", "headlines"):
        assert testid in page.testids


def test_headlines_state_their_scope_and_the_like_for_like_series_covers_every_year(site: tuple[Path, Path]) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)
    text = (release_dir / "site" / "profiles" / f"{COVENTRY}.html").read_text(encoding="utf-8")
    page = Page(text)

    # one headline per declared scope, each with the bodies it holds, never a bare figure
    headlines = re.findall(r'<span data-testid="headline-total" ([^>]*)>', text)
    scopes = {re.search(r'data-scope="([^"]+)"', h)[1]: h for h in headlines}
    assert set(scopes) == {"local_government", "whole_place"}
    assert 'data-financial-year="2023-24"' in scopes["local_government"]
    assert 'data-scope-bodies="council;combined_authority;fire;nhs;police"' in scopes["whole_place"]
    assert page.testids.count("headline-scope") == 2
    assert "headline-scope-difference" in page.testids  # the two differ in scope, and it says how

    # like for like: the same scope in every year held, charted and tabled
    assert "chart-like-for-like" in page.testids
    years = re.findall(r'<tr data-financial-year="([^"]+)"><th scope="row">', text)
    assert years == ["2021-22", "2023-24"]

    birmingham = (release_dir / "site" / "profiles" / f"{BIRMINGHAM}.html").read_text(encoding="utf-8")
    assert "later years not available: 2023-24: council missing" in birmingham


def test_profile_marks_synthetic_figures_and_what_is_not_available(site: tuple[Path, Path]) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)
    pages = {
        c: (release_dir / "site" / "profiles" / f"{c}.html").read_text(encoding="utf-8") for c in (COVENTRY, BIRMINGHAM)
    }

    coventry = Page(pages[COVENTRY])
    assert "synthetic-note" in coventry.testids
    assert "Contains synthetic data." in pages[COVENTRY]
    assert 'data-theme-code="nhs_core_services" data-synthetic="true"' in pages[COVENTRY]

    birmingham = Page(pages[BIRMINGHAM])
    assert "synthetic-note" not in birmingham.testids, "Birmingham's figures here are all real"
    # its 2023-24 outturn is not available: the latest year with figures is shown, and says why
    assert (
        birmingham.values("spend-per-head-table", measure="outturn", financial_year="2021-22")[
            ("adult_social_care", "per_head_gbp")
        ]
        == "150.00"
    )
    assert "Outturn 2023-24 is not available for this area (no figure from E08000025)" in pages[BIRMINGHAM]
    assert "2023-24: council missing" in pages[BIRMINGHAM]  # the headline names the later year and why
    # a year with no outturn at all is one sentence, not a table of gaps: what is missing, and why
    assert not birmingham.values("budget-vs-outturn-table", financial_year="2023-24")
    said = re.search(r'data-testid="budget-vs-outturn-absent">([^<]*)<', pages[BIRMINGHAM])
    assert said and "2023-24: no outturn (RSX) figure (not available [x])" in said[1]


def test_site_is_self_contained_well_formed_and_deterministic(site: tuple[Path, Path]) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)
    first = {p: p.read_bytes() for p in sorted((release_dir / "site").rglob("*.html"))}
    profiles.write_site(release_dir, db)
    assert {p: p.read_bytes() for p in sorted((release_dir / "site").rglob("*.html"))} == first

    for path, raw in first.items():
        text = raw.decode("utf-8")
        # nothing loaded from a file or elsewhere: the index's place search is a few lines inline (the
        # list works without it)
        assert not re.search(r"<script[^>]*\bsrc=", text) and '<link rel="stylesheet"' not in text, path
        scripts = re.findall(r"<script>(.*?)</script>", text, flags=re.S)
        assert all(len(js) < 400 for js in scripts), path
        assert not scripts or path.name == "index.html", path
        assert not re.search(r'(src|href)="(https?:)?//', text), f"{path} fetches something from elsewhere"
        for svg in re.findall(r"<svg .*?</svg>", text, flags=re.S):
            ET.fromstring(svg)  # each chart is well-formed XML


def test_build_dbt_docs_copies_the_static_page(
    site: tuple[Path, Path], warehouse_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    release_dir, _ = site
    calls = []

    def fake_run_dbt(args: list[str], settings) -> dict:
        calls.append(args)
        settings.dbt_target_dir.mkdir(parents=True, exist_ok=True)
        (settings.dbt_target_dir / "static_index.html").write_text("<html>dbt docs</html>", encoding="utf-8")
        return {}

    monkeypatch.setattr("core.dbt.run_dbt", fake_run_dbt)

    page = dbt_docs.build_dbt_docs(release_dir, warehouse_settings)

    assert calls == [["docs", "generate", "--static", "--no-compile"]]
    assert page == release_dir / "site" / "dbt_docs" / "index.html"
    assert page.read_text(encoding="utf-8") == "<html>dbt docs</html>"


def test_files_lists_every_file_of_the_release_each_linked(tmp_path: Path) -> None:
    import asyncio

    from datasette.app import Datasette

    release = tmp_path / "2026-01-02-aaaaaaaaaaaa"
    (release / "site").mkdir(parents=True)
    (release / "datapackage.json").write_text("{}", encoding="utf-8")
    (release / "site" / "index.html").write_text("<p>", encoding="utf-8")
    (release / ".wholeplace.sqlite.1.tmp").write_text("", encoding="utf-8")  # hidden: not listed

    async def fetch() -> tuple:
        ds = Datasette([], static_mounts=[("files", str(release))], plugins_dir=str(datasette.PLUGINS_DIR), settings={})
        page, listed, one = (
            await ds.client.get("/files/"),
            await ds.client.get("/files/.json"),
            await ds.client.get("/files/datapackage.json"),
        )
        return page, listed, one

    page, listed, one = asyncio.run(fetch())

    assert page.status_code == 200 and "Files of release 2026-01-02-aaaaaaaaaaaa" in page.text
    assert '<a href="/files/site/index.html">site/index.html</a>' in page.text
    assert [f["name"] for f in listed.json()["files"]] == ["datapackage.json", "site/index.html"]
    assert one.status_code == 200 and one.text == "{}"
    assert datasette.PLUGINS_DIR.is_dir() and "--plugins-dir" in datasette.serve_command(release)


def test_the_canned_queries_are_in_the_datasette_metadata_each_with_a_title_and_its_question(
    release: tuple[Path, dict],
) -> None:
    release_dir, package = release

    meta = json.loads(datasette.write_datasette_metadata(release_dir, package).read_text(encoding="utf-8"))

    queries = meta["databases"]["wholeplace"]["queries"]
    assert {"spend_per_head", "budget_against_outturn", "outcomes_beside_spend", "pooled_budgets"} <= set(queries)
    assert "who_the_money_goes_to" in queries
    for name, query in queries.items():
        assert query["title"] and query["description"], name
        assert query["sql"].lstrip().lower().startswith(("select", "with")), name
        assert "promise" not in query and "{" not in query["sql"], name  # its placeholders filled in
    assert "supplier_name_normalised like '%NHS%'" in queries["who_the_money_goes_to"]["sql"]


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("total_gbp", 1847287000, "£1,847,287,000"),
        ("variance_gbp", -12500.0, "-£12,500"),
        ("per_head_gbp", 1234.5, "£1,234.50"),
        ("outturn_per_head_gbp", 12, "£12.00"),
        ("net_amount_gbp", 2025.5, "£2,025.50"),
        ("budget_gbp_thousands", 1234, "£1,234k"),
        ("Per head, £", 2243.756, "£2,243.76"),
        ("Council, £", 1200000, "£1,200,000"),
        ("Council, £", "not available", None),
        ("total_gbp", None, None),
        ("total_status", 12, None),
        ("population_count", 344600, None),
    ],
)
def test_money_columns_are_shown_in_pounds_with_separators(column: str, value: object, shown: str | None) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("money", datasette.PLUGINS_DIR / "money.py")
    money = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(money)

    assert money.format_gbp(column, value) == shown


def test_served_tables_show_money_formatted_and_json_keeps_the_number(release: tuple[Path, dict]) -> None:
    import asyncio

    from datasette.app import Datasette

    release_dir, package = release
    database = datasette.build_sqlite(release_dir, package)

    async def fetch() -> tuple:
        ds = Datasette([str(database)], plugins_dir=str(datasette.PLUGINS_DIR), settings={})
        return (
            await ds.client.get("/wholeplace/whole_place_budget"),
            await ds.client.get("/wholeplace/whole_place_budget.json?_shape=array"),
        )

    page, data = asyncio.run(fetch())

    assert "£1,234,567" in page.text and "£12.35" in page.text
    assert {r["total_gbp"] for r in data.json()} == {1234567, None}


def test_charts_are_vega_lite_specs_published_beside_their_pages(site: tuple[Path, Path]) -> None:
    """Each chart is rendered by vl-convert from a Vega-Lite spec that validates against the schema
    and is published beside the page, data inline; an empty chart is named, not drawn."""
    import jsonschema
    from altair.vegalite.v6.schema import load_schema

    release_dir, db = site
    profiles.write_site(release_dir, db)
    site_dir = release_dir / "site"
    schema = load_schema()
    checked = 0
    for path in [site_dir / "index.html", *sorted((site_dir / "profiles").glob("*.html"))]:
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        specs = [link for link in page.links if link.endswith(".vl.json")]
        figures = re.findall(r'<figure data-chart="([^"]+)"><svg [^>]*class="marks"', text)
        assert len(specs) == len(figures) > 0, path
        for link in specs:
            spec = json.loads((path.parent / link).read_text(encoding="utf-8"))
            jsonschema.validate(spec, schema)
            assert spec["datasets"] and spec["description"], link  # the data travel with the spec
            checked += 1
    assert checked >= 8
    # the hand-drawn chart code is gone: every SVG on the pages is vl-convert's
    coventry = (site_dir / "profiles" / f"{COVENTRY}.html").read_text(encoding="utf-8")
    assert all('class="marks"' in svg for svg in re.findall(r"<svg [^>]*>", coventry))


def test_profiles_show_neighbours_significance_breaks_gaps_and_a_hex_map(site: tuple[Path, Path]) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)
    coventry = (release_dir / "site" / "profiles" / f"{COVENTRY}.html").read_text(encoding="utf-8")
    birmingham = (release_dir / "site" / "profiles" / f"{BIRMINGHAM}.html").read_text(encoding="utf-8")
    page = Page(coventry)

    # the Oflog nearest neighbours, by name, and their median beside England in the outcome table
    assert "nearest-neighbours" in page.testids
    assert "Derby (E06000015)" in coventry and "Bradford (E08000032)" in coventry
    assert "Nearest neighbours (median)" in coventry

    # the place against England, the region, the neighbours and its type, as the mart has it
    compared = page.values("place-comparisons-table")
    assert float(compared[("2023-24", "per_head_gbp")]) == 1900.5
    assert float(compared[("2023-24", "england_per_head_gbp")]) == 1500.25
    assert compared[("2023-24", "region_per_head_gbp")] == ""  # a city region's build has none
    assert "10 of 36" in coventry and "£1,800.00 (12 of 15)" in coventry and "£1,850.00 (36 of 36)" in coventry
    assert "Rank among metropolitan districts" in coventry

    # spend by service against the neighbours, the type and England: the latest year, n of N beside each
    themes = page.values("theme-comparisons-table")
    assert float(themes[("education", "per_head_gbp")]) == 720.96 and ("police", "per_head_gbp") in themes
    assert "£800.10 (15 of 15)" in coventry and "£280.00 (14 of 15)" in coventry and "27 of 35" in coventry
    assert 'data-testid="theme-comparisons" data-financial-year="2023-24"' in coventry

    # a series break is marked on its period, with what changes
    assert re.search(r'<tr data-period="2022-23"[^>]*data-series-break="true"', coventry)
    assert "ASC5a (to 2021-22) to ASC5" in coventry

    # a period the area has no value for is a gap, shown as not held (Birmingham has no 2021-22 ASC5)
    asc5 = Page(birmingham).values("outcome-table", indicator_code="oflog_ASC5")
    assert asc5[("2021-22", "value")] == "" and float(asc5[("2022-23", "value")]) == 50
    assert re.search(r'data-period="2021-22".*?not held', birmingham, flags=re.S)

    # the hex map: every council with a complete year coloured, in a table of the same figures as the
    # comparison table (place_comparisons); Birmingham's 2023-24 outturn is not available, so no figure
    hexes = Page(coventry).cells
    mapped = {
        c["row"]["data-area-code"]: c["data-value"] for c in hexes if c["table"].get("data-testid") == "hex-map-table"
    }
    assert mapped == {COVENTRY: "1900.5"}  # Bolton is in the table of the England map, not the region's
    index = Page((release_dir / "site" / "index.html").read_text(encoding="utf-8"))
    national = {
        c["row"]["data-area-code"]: c["data-value"]
        for c in index.cells
        if c["table"].get("data-testid") == "hex-map-table"
    }
    assert national == {COVENTRY: "1900.5", "E08000001": "2120.25"}
    assert "hex-map" in index.testids


def test_the_profile_states_the_counted_share_of_an_estimated_whole_apart_from_published_figures(
    site: tuple[Path, Path],
) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)
    text = (release_dir / "site" / "profiles" / f"{COVENTRY}.html").read_text(encoding="utf-8")
    page = Page(text)

    # its own section, marked ESTIMATE, with the sentence a reader needs first
    assert "estimate" in page.testids and "chart-estimate" in page.testids
    assert '<section class="estimate" data-testid="estimate" data-financial-year="2022-23">' in text
    statement = re.search(r'<p data-testid="estimate-statement"[^>]*>(.*?)</p>', text, re.S)
    assert statement is not None
    words = re.sub(r"<[^>]+>", "", statement[1])
    assert words.startswith("ESTIMATE")
    assert "of an estimated £10,000 a head" in words and "£1,000 (10.0%) is counted" in words
    assert "HM Treasury's regional totals" in words
    # the table gives the same numbers, the total row last
    rows = re.findall(r'<tr data-function="([^"]+)"', text)
    assert rows[-1] == "total" and set(rows) == {"total", "social_protection", "health", "public_order_and_safety"}
    assert 'data-column="estimate_per_head_gbp" data-value="10000.00"' in text
    # a place without an estimate has no such section
    birmingham = (release_dir / "site" / "profiles" / f"{BIRMINGHAM}.html").read_text(encoding="utf-8")
    assert 'data-testid="estimate"' not in birmingham


def test_the_index_leads_with_a_linked_map_in_quintiles_then_a_searchable_list(site: tuple[Path, Path]) -> None:
    release_dir, db = site
    profiles.write_site(release_dir, db)
    text = (release_dir / "site" / "index.html").read_text(encoding="utf-8")
    # the map first, the list of profiles after it, with a place search
    assert text.index('data-testid="hex-map-section"') < text.index('data-testid="profiles"')
    assert 'data-testid="place-search"' in text
    # each place with a profile is a link on the map, relative to the page
    assert 'xlink:href="profiles/E08000026.html"' in text and "vega.github.io" not in text
    # the scale is stated: quintiles, outliers ringed and named
    assert "in quintiles of the places shown" in text and "interquartile ranges" in text
    # the map switches to the counted share of the estimated whole
    assert 'data-testid="map-switch"' in text and 'data-testid="hex-map-counted-share"' in text
    share = re.search(
        r'<tr data-area-code="E08000026"[^>]*>.*?data-column="counted_share_pct" data-value="([^"]+)"', text
    )
    assert share is not None and float(share[1]) == 10.0


def test_an_outlier_is_named_and_the_typical_places_keep_their_colours() -> None:
    from warehouse.publication.profiles.hexmap import outliers

    values = {f"E0900000{i}": 2000.0 + 50 * i for i in range(1, 10)} | {"E09000001": 23396.0}
    assert outliers(values) == ["E09000001"]
    assert outliers({"a": 1.0, "b": 2.0}) == []  # too few places to call one an outlier


def test_quintile_classes_hold_a_fifth_of_the_places_each_and_say_their_range() -> None:
    from warehouse.publication.profiles.hexmap import quantile_classes

    values = {f"P{i:02d}": float(i) for i in range(10)} | {"OUT": 23396.0}
    labels, of = quantile_classes(values, "$,.0f")
    assert labels[0] == "£0 to £1" and labels[-1] == "£8 to £23,396"
    assert len(labels) == 5 and sorted(of) == sorted(values)
    assert {label: list(of.values()).count(label) for label in labels} == dict.fromkeys(labels, 2) | {labels[-1]: 3}


def test_the_datasette_home_starts_an_analyst_off_and_every_link_is_the_servers(release: tuple[Path, dict]) -> None:
    release_dir, package = release
    meta = datasette.datasette_metadata(package)
    home = meta["description_html"]
    links = re.findall(r'href="([^"]+)"', home)
    # every canned query, the profiles, the downloads: paths of the server make serve starts
    for name in datasette.canned_queries():
        assert f"/wholeplace/{name}" in links, name
    assert {"/files/site/index.html", "/files/", "/files/datapackage.json", "/releases/feed.atom"} <= set(links)
    assert all(link.startswith("/") for link in links), links
    assert meta["about_url"] == "/files/site/index.html"  # the site is served under /files/
    assert "Start here" in home and "not available [x]" in home


def test_a_first_sentence_is_not_cut_at_an_abbreviation() -> None:
    from warehouse.publication.datasette_home import first_sentence

    assert first_sentence("The unit (e.g. £ thousand) as published. Then more.") == (
        "The unit (e.g. £ thousand) as published."
    )
    assert first_sentence("the bodies each holds (`scope_body_types`)") == "the bodies each holds (scope_body_types)"


def test_table_pages_show_the_row_first_money_next_and_keys_and_hashes_last() -> None:
    order = datasette.reading_order(
        [
            "place_key",
            "area_code",
            "financial_year",
            "total_gbp",
            "population_count",
            "per_head_gbp",
            "source_file_sha256",
            "source_row",
            "is_complete",
        ]
    )
    assert order == [
        "area_code",
        "financial_year",
        "per_head_gbp",
        "total_gbp",
        "population_count",
        "is_complete",
        "place_key",
        "source_file_sha256",
        "source_row",
    ]
    assert "suggest_facets" in datasette.serve_command(Path("/tmp/release"))  # no facet offered on money


def test_table_pages_fold_the_dictionary_hide_keys_and_say_yes_or_no() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("readable", datasette.PLUGINS_DIR / "readable.py")
    readable = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(readable)
    assert readable.yes_no("is_complete", 1) == "yes" and readable.yes_no("is_synthetic", 0) == "no"
    assert readable.yes_no("is_complete", None) is None and readable.yes_no("population_count", 1) is None
    assert readable.hidden_columns(["spend_key", "source_file_sha256", "source_file_sha256s", "total_gbp"]) == [
        "spend_key",
        "source_file_sha256",
        "source_file_sha256s",
    ]
    script = readable.extra_body_script("table", ["spend_key", "total_gbp"])
    assert '["spend_key"]' in script and "column-dictionary" in script
    assert readable.extra_body_script("index", ["spend_key"]) == ""


def test_every_table_of_every_page_downloads_as_csv_and_each_page_lists_its_sections(site: tuple[Path, Path]) -> None:
    import csv as csvlib

    release_dir, db = site
    profiles.write_site(release_dir, db)
    pages = sorted((release_dir / "site").rglob("*.html"))
    assert pages
    for path in pages:
        text = path.read_text(encoding="utf-8")
        tables = re.findall(r"<table\b.*?</table>", text, re.S)
        links = re.findall(r'</table>\n<p class="download"><a href="([^"]+)" download', text)
        assert len(links) == len(tables), path  # one download under every table
        for table, link in zip(tables, links, strict=True):
            target = (path.parent / link).resolve()
            assert target.is_file(), link
            rows = list(csvlib.reader(target.open(encoding="utf-8")))
            # the header and every row of the table, numbers as the cells' data-value
            assert len(rows) == len(re.findall(r"<tr\b", table)), link
            first_value = re.search(r'data-value="([^"]+)"', table)
            if first_value:
                assert first_value[1] in {cell for row in rows for cell in row}, link
        sections = re.findall(r'<h2 id="([^"]+)"', text)
        if len(sections) > 1:
            nav = re.search(r'<nav class="contents" data-testid="page-contents">(.*?)</nav>', text, re.S)
            assert nav and re.findall(r'href="#([^"]+)"', nav[1]) == sections, path


def test_a_map_labels_each_place_with_the_shortest_start_of_its_name_no_other_place_shares() -> None:
    from warehouse.publication.profiles.hexmap import short_labels

    labels = short_labels(
        {
            "a": "Wolverhampton",
            "b": "Worcestershire",
            "c": "Birmingham",
            "d": "Staffordshire",
            "e": "Stoke-on-Trent",
            "f": "Stockport",
        }
    )
    assert labels == {"a": "Wol", "b": "Wor", "c": "Bir", "d": "Sta", "e": "Stok", "f": "Stoc"}
