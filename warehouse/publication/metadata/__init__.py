"""Release metadata: CSVW per CSV, a DCAT catalogue, a data dictionary, a changelog, validation.

``write_release_metadata`` runs on a staged release folder after ``datapackage.json`` is written
and before the folder is moved into place. It writes, beside the data::

    <table>.csv-metadata.json   W3C CSV on the Web (CSVW) metadata of each CSV: columns, datatypes,
                                descriptions, primary key, dialect
    catalog.jsonld              DCAT (JSON-LD) catalogue of the release as a dcat:Dataset with the
                                fields of the UK cross-government metadata exchange model that
                                apply, one dcat:Distribution per file (size, sha256) and its sources
    data_dictionary.csv / .md   every column of every published table: type, unit, description
    changelog.json              rows added / removed / changed per mart by primary key against the
                                previous release, and restated (new vintage) or new source files

and appends a summary of the changelog to ``RELEASE_NOTES.md``. It refuses (``PublishError``) a
release with an undescribed column, or (``validate=True``) whose ``datapackage.json`` or CSVs do
not validate with Frictionless. Output is deterministic: the only timestamp is package["created"].

Modules: release (the entry point), columns, csvw, dcat, dictionary, changelog, validation, files.
"""

from warehouse.publication.metadata.changelog import build_changelog, changelog_summary
from warehouse.publication.metadata.columns import ColumnMeaning, Documented, documented_columns, unit_for
from warehouse.publication.metadata.dcat import place_phrase
from warehouse.publication.metadata.release import write_release_metadata

__all__ = [
    "ColumnMeaning",
    "Documented",
    "build_changelog",
    "changelog_summary",
    "documented_columns",
    "place_phrase",
    "unit_for",
    "write_release_metadata",
]
