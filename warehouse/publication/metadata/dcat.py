"""The release as a DCAT (JSON-LD) catalogue (``catalog.jsonld``): a dcat:Dataset with the fields of
the UK cross-government metadata exchange model that apply, one dcat:Distribution per file.

It conforms to the DCAT-AP 2.1.1 SHACL shapes (checked before a release is published:
metadata/validation.py). Where they differ from the project's own conventions, the shapes win and
the convention is kept beside them: DCAT-AP 2.1.1 admits only SHA-1 as a distribution's
spdx:checksum (one per distribution), so that is SHA-1, and each file's sha256 (what
datapackage.json and SHA256SUMS give, and releases are verified by) is ``wholeplace:sha256``;
dcat:byteSize is an xsd:decimal, as the shapes require (DCAT itself says nonNegativeInteger).
A source's raw files give their sha256 only (their SHA-1 was never taken)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from core.codes import ENGLAND_CODE
from core.errors import PublishError
from core.landing import sha1_file, sha256_file
from warehouse.publication.metadata.files import OGL_URI, csv_resources, text_or_none

STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
GOVERNMENT_YEAR_URI = "http://reference.data.gov.uk/id/government-year/{start}-{end}"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
JSONLD_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    # the project's own terms (no public vocabulary says "this source is a synthetic sample")
    "wholeplace": "urn:wholeplace:terms:",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:startDate": {"@type": "xsd:date"},
    "dcat:endDate": {"@type": "xsd:date"},
    "dcat:byteSize": {"@type": "xsd:decimal"},
    "spdx:checksumValue": {"@type": "xsd:hexBinary"},
}
KEYWORDS = [
    "whole place",
    "public spending",
    "local government finance",
    "budget",
    "outturn",
    "NHS allocations",
    "integrated care boards",
    "Better Care Fund",
    "pooled budgets",
    "adult social care",
    "health outcomes",
    "combined authority",
]
THEMES = [
    # data.gov.uk topics, as the metadata exchange model's examples give them, and the EU data themes
    "https://www.data.gov.uk/search?filters%5Btopic%5D=Government%20spending",
    "https://www.data.gov.uk/search?filters%5Btopic%5D=Health",
    "http://publications.europa.eu/resource/authority/data-theme/GOVE",
    "http://publications.europa.eu/resource/authority/data-theme/ECON",
    "http://publications.europa.eu/resource/authority/data-theme/HEAL",
]
# releases are content-addressed: a new one is published whenever a source publishes new data
ACCRUAL_PERIODICITY = "http://purl.org/cld/freq/irregular"
_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
# ---- DCAT ----------------------------------------------------------------------------------------


def place_phrase(package: dict) -> str:
    """The place a release describes, from its region block: 'the <combined authority> area
    (<code>) and its <n> councils' (DCAT, Datasette and the release texts say it alike)."""
    region = package.get("region") or {}
    if not region:
        return "a city region"
    return (
        f"the {region.get('combined_authority_name')} area ({region.get('combined_authority_code')}) and its "
        f"{region.get('council_count')} councils"
    )


def build_catalog(release_dir: Path, package: dict, licence: str) -> dict:
    """A DCAT catalogue (JSON-LD) holding the release as one dcat:Dataset."""
    version = package.get("version", "")
    created = package.get("created", "")
    title = package.get("title") or package.get("name") or "wholeplace"
    publisher = {
        "@id": "#publisher",
        "@type": ["foaf:Organization", "foaf:Agent"],
        "foaf:name": f"{package.get('name', 'wholeplace')} project",
    }
    synthetic = list(package.get("synthetic_sources") or [])
    region = package.get("region") or {}
    description = (
        f"Public money in {place_phrase(package)}, joined from what each body publishes: spend by place, financial "
        "year, service theme and agency (councils, the combined authority, NHS integrated care "
        "boards), per head, budget against outturn, pooled budgets, adult social care expenditure, "
        "and the outcomes people get, with every figure traceable to the file it came from."
    )
    if synthetic:
        description += (
            " Contains synthetic data: the sources "
            + ", ".join(synthetic)
            + " are samples in the publisher's format, not real publications; rows derived from "
            "them carry is_synthetic = true."
        )
    dataset: dict[str, Any] = {
        "@id": "#dataset",
        "@type": "dcat:Dataset",
        "dct:title": title,
        "dct:alternative": package.get("name", "wholeplace"),
        "dct:description": description,
        "rdfs:comment": "Whole-place budget and outcomes for a UK city region, as versioned open data.",
        "dct:identifier": version,
        "dcat:version": version,
        "dct:issued": created,
        "dct:modified": created,
        "dct:publisher": publisher,
        "dcat:contactPoint": {
            "@id": "#contact",
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": f"{package.get('name', 'wholeplace')} project",
            "vcard:note": "Placeholder contact: the project's maintainers (no personal data is published).",
        },
        "dct:license": {"@id": licence},
        "dct:accessRights": {"@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
        "dcat:keyword": KEYWORDS + ([region["title"]] if region.get("title") else []),
        "dcat:theme": [{"@id": uri} for uri in THEMES],
        "dct:spatial": {
            "@id": STATISTICAL_GEOGRAPHY + str(region.get("combined_authority_code", ENGLAND_CODE)),
            "@type": "dct:Location",
            "rdfs:label": f"{region.get('combined_authority_name', 'England')} area",
        },
        "dct:temporal": [_government_year(fy) for fy in financial_years(release_dir, package)],
        "dct:accrualPeriodicity": {"@id": ACCRUAL_PERIODICITY},
        "wholeplace:containsSyntheticData": bool(synthetic),
        "foaf:page": [{"@id": "data_dictionary.md"}, {"@id": "RELEASE_NOTES.md"}],
        "dcat:distribution": [_distribution(release_dir, r, licence) for r in package.get("resources", [])],
        "dct:source": [_source(s) for s in package.get("sources", [])],
    }
    return {
        "@context": JSONLD_CONTEXT,
        "@id": "#catalog",
        "@type": "dcat:Catalog",
        "dct:title": f"{title}: release {version}",
        "dct:description": f"Release {version} of the {title.lower()}, as one dataset with a distribution per file.",
        "dct:publisher": {"@id": "#publisher"},
        "dct:license": {"@id": licence},
        "dct:issued": created,
        "dct:modified": created,
        "dcat:dataset": dataset,
    }


def financial_years(release_dir: Path, package: dict) -> list[str]:
    """The financial years (like 2023-24) in the financial_year columns of the published facts.

    Dimension tables (dim_*) are left out: dim_period lists the calendar, not the data.
    """
    years: set[str] = set()
    for resource in csv_resources(package):
        if resource["name"].startswith("dim_"):
            continue
        path = release_dir / resource["path"]
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if "financial_year" not in (reader.fieldnames or []):
                continue
            for row in reader:
                value = row["financial_year"] or ""
                match = _FINANCIAL_YEAR.match(value)
                if match and (int(match[1]) + 1) % 100 == int(match[2]):
                    years.add(value)
    return sorted(years)


def _government_year(financial_year: str) -> dict:
    start = int(financial_year[:4])
    return {
        "@id": GOVERNMENT_YEAR_URI.format(start=start, end=start + 1),
        "@type": "dct:PeriodOfTime",
        "rdfs:label": financial_year,
        "dcat:startDate": f"{start}-04-01",
        "dcat:endDate": f"{start + 1}-03-31",
    }


def _distribution(release_dir: Path, resource: dict, licence: str) -> dict:
    path = release_dir / resource["path"]
    if not path.is_file():
        raise PublishError(f"resource {resource['name']}: {resource['path']} does not exist in {release_dir}")
    media = resource.get("mediatype") or ("text/csv" if resource.get("format") == "csv" else "")
    distribution: dict[str, Any] = {
        "@id": f"#distribution-{resource['name']}",
        "@type": "dcat:Distribution",
        "dct:identifier": resource["name"],
        "dct:title": f"{resource['name']} ({(resource.get('format') or path.suffix.lstrip('.')).upper()})",
        "dcat:downloadURL": {"@id": resource["path"]},
        "dcat:accessURL": {"@id": resource["path"]},
        "dcat:byteSize": str(path.stat().st_size),  # a string, so the context types it xsd:decimal
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha1"},
            "spdx:checksumValue": sha1_file(path),
        },
        "wholeplace:sha256": sha256_file(path),
        "dct:license": {"@id": licence},
    }
    if resource.get("description"):
        distribution["dct:description"] = resource["description"]
    if media:
        distribution["dcat:mediaType"] = {"@id": IANA_MEDIA_TYPES + media}
    if resource.get("format") == "csv":
        distribution["dct:conformsTo"] = {"@id": f"{resource['name']}.csv-metadata.json"}
    return distribution


def _source(source: dict) -> dict:
    """A source the release was built from, as a dcat:Dataset of its own (several sources share a
    publisher's landing page, so the node is named by the source, not the page)."""
    node: dict[str, Any] = {"@id": f"#source-{source.get('name', '')}", "@type": "dcat:Dataset"}
    landing = text_or_none(source.get("path"))
    if landing:
        node["dcat:landingPage"] = {"@id": landing}
    node["dct:identifier"] = source.get("name", "")
    node["dct:title"] = text_or_none(source.get("title")) or source.get("name", "")
    node["dct:description"] = text_or_none(source.get("provenance")) or node["dct:title"]
    if text_or_none(source.get("publisher")):
        node["dct:publisher"] = {"@type": "foaf:Organization", "foaf:name": source["publisher"]}
    licence = text_or_none(source.get("licence"))
    if licence:
        node["dct:license"] = {"@id": OGL_URI} if licence.upper().startswith("OGL") else licence
    if text_or_none(source.get("attribution")):
        node["dct:rights"] = {"@type": "dct:RightsStatement", "rdfs:label": source["attribution"]}
    if text_or_none(source.get("provenance")):
        node["dct:provenance"] = {"@type": "dct:ProvenanceStatement", "rdfs:label": source["provenance"]}
    node["wholeplace:synthetic"] = bool(source.get("synthetic"))
    node["dcat:distribution"] = [
        _source_file(f, landing)
        for f in sorted(source.get("files") or [], key=lambda f: (str(f.get("period")), str(f.get("file_name"))))
    ]
    return node


def _source_file(file: dict, landing: str | None) -> dict:
    """One raw file a source contributed: where it was read from, its period and sha256. Its access
    URL is where it was fetched from, or, for a file of the bundled snapshot, the publisher's page."""
    node: dict[str, Any] = {
        "@type": "dcat:Distribution",
        "dct:title": text_or_none(file.get("file_name")) or "",
        "wholeplace:period": text_or_none(file.get("period")) or "",
        "wholeplace:readFrom": text_or_none(file.get("url")) or "",
    }
    origin = text_or_none(file.get("origin_url")) or text_or_none(file.get("url"))
    access = origin if origin and not origin.startswith("snapshot:") else landing
    if access:
        node["dcat:accessURL"] = {"@id": access}
    node["wholeplace:sha256"] = file.get("sha256", "")
    return node


# ---- conformance ---------------------------------------------------------------------------------

# The DCAT-AP 2.1.1 SHACL shapes (SEMICeu/DCAT-AP, releases/2.1.1), as the portal validators use them.
SHAPES = Path(__file__).with_name("specs") / "dcat-ap-2.1.1-shacl-shapes.ttl"
MAX_REPORTED_VIOLATIONS = 5


def catalog_violations(release_dir: Path) -> list[str]:
    """The DCAT-AP 2.1.1 SHACL violations of ``release_dir/catalog.jsonld`` (pyshacl), each as
    '<focus node> <property>: <message>'; empty when it conforms."""
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import DCTERMS, SH

    data = Graph().parse(release_dir / "catalog.jsonld", format="json-ld", publicID=release_dir.as_uri() + "/")
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none")
    if conforms:
        return []
    found = []
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        title = data.value(focus, DCTERMS.title) if focus is not None else None
        where = str(title) if title is not None else str(focus).removeprefix(release_dir.as_uri() + "/")
        found.append(f"{where} {data.namespace_manager.normalizeUri(path) if path else ''}: {message}")
    return sorted(found)


def check_catalog(release_dir: Path) -> None:
    """PublishError naming the first violations when catalog.jsonld does not conform to DCAT-AP 2.1.1."""
    problems = catalog_violations(release_dir)
    if problems:
        shown = "\n  ".join(problems[:MAX_REPORTED_VIOLATIONS])
        hidden = len(problems) - MAX_REPORTED_VIOLATIONS
        more = f"\n  ... and {hidden} more" if hidden > 0 else ""
        raise PublishError(
            f"catalog.jsonld does not conform to the DCAT-AP 2.1.1 SHACL shapes ({len(problems)} violation(s)):"
            f"\n  {shown}{more}"
        )
