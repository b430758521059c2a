"""Hostile workbooks: a ZIP bomb, a member path escaping the archive, and XML entity attacks
(billion laughs, external entities) are refused before any XML is parsed, with a message naming
the source, the file and the member; the real workbooks still read."""

from __future__ import annotations

import io
import zipfile

import pytest

from core.catalogue import catalogue
from core.errors import SourceError
from ingest.sheets import MAX_COMPRESSION_RATIO, read_grid
from ingest.sources import module_for
from tests.reliability.corpus import SNAPSHOTS

XLSX = SNAPSHOTS / "nhs_icb_allocations" / "nhse_icb_allocations_2025-26.xlsx"
ODS = SNAPSHOTS / "cqc_ratings" / "01_April_2024_Latest_ratings_SYNTHETIC.ods"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol4;</t></si></sst>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>"""


def rebuilt(path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The workbook at ``path`` with members replaced or added (compressed as DEFLATE)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def member(path, suffix: str) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.endswith(suffix))


def refuse(data: bytes, file: str) -> SourceError:
    with pytest.raises(SourceError) as refused:
        read_grid(data, source_id="nhs_icb_allocations", file=file)
    assert str(refused.value).startswith(f"nhs_icb_allocations: {file}: ")
    return refused.value


def test_the_real_workbooks_pass_the_archive_checks_and_read():
    from ingest.sheets import read_workbook

    for path in (XLSX, ODS):
        assert all(grid.rows is not None for grid in read_workbook(path.read_bytes(), source_id="x", file=path.name))


def test_openpyxl_parses_through_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # the XLSX reader's own XML parsing refuses entities too


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = b"0" * (64 << 20)  # 64 MiB of zeros: about 64 KiB compressed
    data = rebuilt(XLSX, add={"xl/media/padding.bin": bomb})
    assert len(data) < (1 << 20)
    error = refuse(data, "bomb.xlsx")
    assert "xl/media/padding.bin" in str(error) and "ZIP bomb" in str(error)
    assert MAX_COMPRESSION_RATIO < len(bomb) / len(data)


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/etc/passwd", "xl/../../outside.xml", "C:/Windows/x.xml"])
def test_a_member_path_escaping_the_archive_is_refused(name):
    error = refuse(rebuilt(XLSX, add={name: b"<x/>"}), "traversal.xlsx")
    assert "path traversal" in str(error) and repr(name) in str(error)


@pytest.mark.parametrize(("attack", "body"), [("billion-laughs", BILLION_LAUGHS), ("external-entity", EXTERNAL_ENTITY)])
def test_xml_declaring_entities_is_refused_in_xlsx(attack, body):
    target = "xl/sharedStrings.xml"
    with zipfile.ZipFile(XLSX) as z:
        names = z.namelist()
    data = rebuilt(XLSX, replace={target: body}) if target in names else rebuilt(XLSX, add={target: body})
    error = refuse(data, f"{attack}.xlsx")
    assert "declares a DTD or entities" in str(error) and target in str(error)


def test_xml_declaring_entities_is_refused_in_ods():
    content = member(ODS, "content.xml")
    with zipfile.ZipFile(ODS) as z:
        body = z.read(content)
    hostile = body.replace(b"?>", b'?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>', 1)
    error = refuse(rebuilt(ODS, replace={content: hostile}), "xxe.ods")
    assert "content.xml" in str(error)


def test_the_sources_reading_workbooks_refuse_them_through_their_parsers():
    parser = module_for(catalogue().get("nhs_icb_allocations"))
    with pytest.raises(SourceError, match="nhs_icb_allocations: bomb.xlsx: archive member"):
        parser.parse(rebuilt(XLSX, add={"x.bin": b"0" * (8 << 20)}), file="bomb.xlsx", period="2023-24_to_2024-25")
