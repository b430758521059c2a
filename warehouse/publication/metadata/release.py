"""``write_release_metadata``: every metadata file of a staged release, in order."""

from __future__ import annotations

from pathlib import Path

from warehouse.publication.metadata.changelog import append_release_notes, build_changelog
from warehouse.publication.metadata.columns import Documented, describe_columns
from warehouse.publication.metadata.csvw import build_csvw, check_csvw
from warehouse.publication.metadata.dcat import build_catalog, check_catalog
from warehouse.publication.metadata.dictionary import write_data_dictionary
from warehouse.publication.metadata.files import csv_resources, licence_uri, write_json
from warehouse.publication.metadata.validation import validate_release

# ---- entry point ------------------------------------------------------------------------------


def write_release_metadata(
    release_dir: Path,
    package: dict,
    previous: Path | None,
    *,
    validate: bool = True,
    documented: Documented,
) -> dict:
    """Write the release's metadata files into ``release_dir``; return the changelog.

    ``package`` is the datapackage publish wrote to ``release_dir/datapackage.json``; ``previous``
    the folder of the release before it (None for the first); ``documented`` what dbt's docs say
    of the published columns (``documented_columns`` of the build's manifest). With ``validate`` the datapackage
    and every CSV (and Parquet) resource are checked first; any problem is a PublishError.
    """
    release_dir = Path(release_dir)
    if validate:
        validate_release(release_dir)
    docs = describe_columns(release_dir, package, documented)
    changelog = build_changelog(release_dir, package, previous)

    licence = licence_uri(package)
    for resource in csv_resources(package):
        csvw = build_csvw(resource, docs[resource["name"]], package, licence)
        write_json(release_dir / f"{resource['name']}.csv-metadata.json", csvw)
    write_json(release_dir / "catalog.jsonld", build_catalog(release_dir, package, licence))
    write_data_dictionary(release_dir, package, docs)
    write_json(release_dir / "changelog.json", changelog)
    notes = release_dir / "RELEASE_NOTES.md"
    if notes.exists():
        append_release_notes(notes, changelog)

    check_csvw(release_dir, package)
    if validate:
        check_catalog(release_dir)
    return changelog
