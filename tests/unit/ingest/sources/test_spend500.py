"""Spending over £500: each council's declared layout read from real excerpts of its files
(../shared/data/spend500, ODI Leeds' clean copies), streamed through DuckDB."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from core.errors import SourceError
from ingest.sources import spend500
from tests.paths import FIXTURES_DIR

FIXTURES = FIXTURES_DIR / "spend500"


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def rows(con, name: str, tmp_path: Path) -> list[dict]:
    relation = spend500.read(con, FIXTURES / name, tmp_path).relation
    return [dict(zip(relation.columns, r, strict=True)) for r in relation.fetchall()]


def test_every_declared_layout_maps_the_required_columns():
    found = spend500.layouts()
    assert set(found) == {
        "bradford",
        "calderdale",
        "calderdale_card",
        "manchester",
        "salford",
        "coventry",
        "sandwell",
        "solihull",
        "walsall",
        "wolverhampton",
    }
    for layout in found.values():
        assert set(spend500.REQUIRED) <= set(layout.columns)


@pytest.mark.parametrize(
    ("name", "layout", "council", "first"),
    [
        ("bradford_2019-04_excerpt.csv", "bradford", "E08000032", (date(2019, 4, 2), "1900199553", "831.78")),
        ("calderdale_2019-05_excerpt.csv", "calderdale", "E08000033", None),
        ("calderdale_2019-04-card_excerpt.csv", "calderdale_card", "E08000033", (date(2019, 3, 10), "99013", "51.96")),
        ("manchester_2019-05_excerpt.csv", "manchester", "E08000003", None),
        ("salford_2019-04_excerpt.csv", "salford", "E08000006", (date(2019, 4, 1), "1600624548", "477.4")),
    ],
)
def test_each_councils_layout_reads_to_the_same_columns(con, tmp_path, name, layout, council, first):
    got = rows(con, name, tmp_path)

    assert list(got[0]) == list(spend500.COLUMNS)
    assert {r["layout"] for r in got} == {layout}
    assert {r["council_code"] for r in got} == {council}
    assert all(r["payment_date"] and r["reference"] and r["net_amount_gbp"] is not None for r in got)
    assert [r["_source_row"] for r in got] == list(range(2, len(got) + 2))
    if first:
        assert (got[0]["payment_date"], got[0]["reference"], got[0]["net_amount_gbp"]) == (
            first[0],
            first[1],
            Decimal(first[2]),
        )


def test_salford_keeps_gross_vat_and_net_and_net_is_gross_less_vat(con, tmp_path):
    got = rows(con, "salford_2019-04_excerpt.csv", tmp_path)

    assert got[0]["gross_amount_gbp"] == Decimal("572.88") and got[0]["vat_gbp"] == Decimal("95.48")
    assert all(r["gross_amount_gbp"] - r["vat_gbp"] == r["net_amount_gbp"] for r in got)


def test_card_payments_are_their_own_kind(con, tmp_path):
    assert {r["payment_kind"] for r in rows(con, "calderdale_2019-04-card_excerpt.csv", tmp_path)} == {"card"}
    assert {r["payment_kind"] for r in rows(con, "calderdale_2019-05_excerpt.csv", tmp_path)} == {"invoice"}


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("bradford_2019-04_excerpt.csv", "REDACTED PERSONAL DATA"),
        ("calderdale_2019-05_excerpt.csv", "REDACTED PERSONAL DATA"),
        ("manchester_2019-05_excerpt.csv", "Redacted Personal Information"),
        ("salford_2019-04_excerpt.csv", "Redacted Data"),
    ],
)
def test_a_redacted_payee_is_kept_as_redacted_never_a_supplier(con, tmp_path, name, marker):
    got = rows(con, name, tmp_path)
    redacted = [r for r in got if r["is_redacted"]]

    assert redacted, "the excerpt holds redacted payments"
    assert all(r["supplier_name"] == marker for r in redacted)
    assert all(r["net_amount_gbp"] is not None for r in redacted)  # the money still counts
    assert all(r["supplier_name"] != marker for r in got if not r["is_redacted"])


def test_a_windows_1252_file_is_transcoded_and_its_dashes_kept(con, tmp_path):
    got = rows(con, "bradford_2019-04_excerpt.csv", tmp_path)

    assert any("\u2013" in (r["service"] or "") for r in got)  # 0x96 in the published bytes


def test_bracketed_amounts_are_negative(con, tmp_path):
    got = rows(con, "bradford_2019-11_excerpt.csv", tmp_path)

    assert got[0]["net_amount_gbp"] == Decimal("-264795.53")


@pytest.mark.parametrize(
    "name", ["calderdale_2019-06_excerpt.csv", "salford_2019-11_excerpt.csv"], ids=["extra column", "renamed column"]
)
def test_a_layout_survives_the_councils_own_header_changes(con, tmp_path, name):
    got = rows(con, name, tmp_path)

    assert got and all(r["expense_type"] for r in got)


def test_a_file_with_too_many_bad_values_is_refused_naming_the_file_row_and_column(con, tmp_path):
    # the real Salford file's row 2 has Gross "10298896.31.": 1 row of the 6 in this excerpt
    with pytest.raises(SourceError) as err:
        spend500.read(con, FIXTURES / "salford_2019-05_malformed_excerpt.csv", tmp_path)

    assert str(err.value).startswith("spend500: salford_2019-05_malformed_excerpt.csv, row 2, column Gross")
    assert "'10298896.31.' is not an amount in pounds" in str(err.value)


def many_rows(tmp_path: Path, fixture: str, copies: int, bad: dict[int, str] | None = None, name: str = "") -> Path:
    """A file of the fixture's data rows repeated, with some lines (1-based, header = 1) replaced."""
    header, *body = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    lines = [header, *(body * copies)]
    for line, text in (bad or {}).items():
        lines[line - 1] = text
    path = tmp_path / (name or fixture.replace("_excerpt", "_many"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_few_bad_rows_are_quarantined_with_their_line_and_the_rest_loaded(con, tmp_path):
    good = many_rows(tmp_path, "manchester_2019-05_excerpt.csv", 40, name="good.csv").read_text().splitlines()
    path = many_rows(
        tmp_path,
        "manchester_2019-05_excerpt.csv",
        40,
        bad={10: good[9] + ",one too many", 50: good[49].replace("2019-05", "May-19", 1)},
    )

    got = spend500.read(con, path, tmp_path)

    assert (got.rows_in, got.rejected) == (320, 2)
    rejects = con.execute("select source_row, column_name, reason from spend500_file_rejects order by 1").fetchall()
    assert [(r[0], r[1]) for r in rejects] == [(10, None), (50, "Invoice Payment Date")]
    assert "malformed row" in rejects[0][2] and "not a date" in rejects[1][2]
    loaded = got.relation.fetchall()
    assert len(loaded) == 318
    # rows after the refused line keep their own line numbers
    by_row = {r[-1]: r for r in loaded}
    assert 10 not in by_row and 50 not in by_row and {9, 11, 49, 51, 321} <= set(by_row)
    reference = list(spend500.COLUMNS).index("reference")
    assert by_row[11][reference] == next(csv_rows(good[10]))[4]  # the Transaction Number of line 11


def csv_rows(*lines: str):
    import csv

    return csv.reader(lines)


def test_a_row_that_does_not_split_into_the_columns_names_the_file_and_line(con, tmp_path):
    bad = tmp_path / "manchester_bad.csv"
    lines = (FIXTURES / "manchester_2019-05_excerpt.csv").read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([*lines[:3], lines[3] + ",one too many", *lines[4:]]) + "\n", encoding="utf-8")

    with pytest.raises(SourceError, match=r"spend500: manchester_bad\.csv, row 4.*malformed row"):
        spend500.read(con, bad, tmp_path)


def test_a_file_in_no_declared_layout_is_refused_with_its_header(con, tmp_path):
    other = tmp_path / "coventry_2019-04.csv"
    other.write_text("Date,Amount,Payee\n2019-04-01,600.00,Someone Ltd\n", encoding="utf-8")

    with pytest.raises(SourceError, match=r"coventry_2019-04\.csv, row 1: no header in the first 12 records .*'Payee'"):
        spend500.read(con, other, tmp_path)


# ---- incremental loads ------------------------------------------------------------------------------


def copy_fixtures(tmp_path: Path, *names: str) -> list[Path]:
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    return [folder / n for n in names]


def test_a_rerun_with_no_new_files_reads_nothing_and_changes_nothing(con, tmp_path):
    files = copy_fixtures(tmp_path, "manchester_2019-05_excerpt.csv", "salford_2019-04_excerpt.csv")
    first = spend500.load_files(con, files, tmp_path)
    before = con.execute("select * from raw.spend500 order by all").fetchall()

    again = spend500.load_files(con, files, tmp_path)

    assert [f.action for f in first] == ["loaded", "loaded"]
    assert [(f.action, f.rows) for f in again] == [("unchanged", 0), ("unchanged", 0)]
    assert con.execute("select * from raw.spend500 order by all").fetchall() == before
    assert sum(f.rows for f in first) == len(before) == 15


def test_a_changed_file_replaces_only_its_own_rows_and_a_new_file_is_added(con, tmp_path):
    manchester, salford = copy_fixtures(tmp_path, "manchester_2019-05_excerpt.csv", "salford_2019-04_excerpt.csv")
    spend500.load_files(con, [manchester, salford], tmp_path)
    salford_rows = con.execute("select * from raw.spend500 where layout = 'salford' order by all").fetchall()
    manchester.write_text("\n".join(manchester.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    (card,) = copy_fixtures(tmp_path, "calderdale_2019-04-card_excerpt.csv")

    outcomes = spend500.load_files(con, [manchester, salford, card], tmp_path)

    assert [(f.action, f.rows) for f in outcomes] == [("replaced", 2), ("unchanged", 0), ("loaded", 5)]
    assert con.execute("select count(*) from raw.spend500 where layout = 'manchester'").fetchone() == (2,)
    assert con.execute("select * from raw.spend500 where layout = 'salford' order by all").fetchall() == salford_rows
    files = con.execute("select file, rows from raw.spend500_files order by file").fetchall()
    assert files == [(card.name, 5), (manchester.name, 2), (salford.name, 7)]


def test_a_bad_file_fails_its_load_and_leaves_the_loaded_rows_alone(con, tmp_path):
    (salford,) = copy_fixtures(tmp_path, "salford_2019-04_excerpt.csv")
    spend500.load_files(con, [salford], tmp_path)
    salford.write_bytes((FIXTURES / "salford_2019-05_malformed_excerpt.csv").read_bytes())

    with pytest.raises(SourceError, match=r"salford_2019-04_excerpt\.csv, row 2, column Gross"):
        spend500.load_files(con, [salford], tmp_path)

    assert con.execute("select count(*) from raw.spend500").fetchone() == (7,)
    assert con.execute("select rows from raw.spend500_files").fetchall() == [(7,)]


def test_quarantined_rows_are_recorded_and_rows_in_equals_loaded_plus_refused(con, tmp_path):
    header_and_rows = many_rows(tmp_path, "manchester_2019-05_excerpt.csv", 40, name="good.csv")
    good = header_and_rows.read_text(encoding="utf-8").splitlines()
    path = many_rows(tmp_path, "manchester_2019-05_excerpt.csv", 40, bad={7: good[6].replace(",", ";")})

    (outcome,) = spend500.load_files(con, [spend500.SpendFile("manchester_2019-05.csv", path)], tmp_path)

    assert (outcome.rows, outcome.rejected) == (319, 1)
    assert con.execute("select rows_in, rows, rows_rejected from raw.spend500_files").fetchall() == [(320, 319, 1)]
    assert con.execute("select _source_file, _source_row from raw.spend500_rejects").fetchall() == [
        ("manchester_2019-05.csv", 7)
    ]
    # the file comes back fixed: its rejects go with its old rows
    spend500.load_files(con, [spend500.SpendFile("manchester_2019-05.csv", header_and_rows)], tmp_path)
    assert con.execute("select count(*) from raw.spend500_rejects").fetchall() == [(0,)]
    assert con.execute("select count(*) from raw.spend500").fetchall() == [(320,)]


def test_files_read_together_keep_their_own_line_numbers_and_rejects(con, tmp_path):
    # three files of one layout are read in one DuckDB scan; the middle one has a bad line
    good = many_rows(tmp_path, "manchester_2019-05_excerpt.csv", 15, name="a.csv")
    lines = good.read_text(encoding="utf-8").splitlines()
    bad = many_rows(tmp_path, "manchester_2019-05_excerpt.csv", 15, bad={4: lines[3] + ",extra"}, name="b.csv")
    third = many_rows(tmp_path, "manchester_2019-05_excerpt.csv", 3, name="c.csv")
    # make every reference unique so each row can be traced to its line
    for path, tag in ((good, "A"), (bad, "B"), (third, "C")):
        rows = path.read_text(encoding="utf-8").splitlines()
        out = [rows[0]]
        for n, row in enumerate(rows[1:], start=2):
            cells = next(csv_rows(row))
            if len(cells) == 7:
                cells[4] = f"{tag}{n}"
            out.append(",".join(f'"{c}"' for c in cells))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")

    outcomes = spend500.load_files(con, [good, bad, third], tmp_path)

    assert [(o.rows, o.rejected) for o in outcomes] == [(120, 0), (119, 1), (24, 0)]
    traced = con.execute("select _source_file, _source_row, reference from raw.spend500").fetchall()
    assert all(ref == f"{file[0].upper()}{row}" for file, row, ref in traced)
    assert con.execute("select _source_file, _source_row from raw.spend500_rejects").fetchall() == [("b.csv", 4)]


def test_a_header_that_comes_back_later_in_the_year_is_read_in_the_same_scan(con, tmp_path, monkeypatch):
    # Salford's April and November headers differ (a renamed column); April's comes back in May
    april, november, may = (
        many_rows(tmp_path, fixture, 2, name=name)
        for fixture, name in (
            ("salford_2019-04_excerpt.csv", "salford_2019-04.csv"),
            ("salford_2019-11_excerpt.csv", "salford_2019-11.csv"),
            ("salford_2019-04_excerpt.csv", "salford_2019-05.csv"),
        )
    )
    scans = []
    real = spend500.loads.read_batch

    def counted(con, files, *args, **kwargs):
        scans.append([f[0] for f in files])
        return real(con, files, *args, **kwargs)

    monkeypatch.setattr(spend500.loads, "read_batch", counted)

    outcomes = spend500.load_files(con, [april, november, may], tmp_path)

    assert sorted(scans) == [["salford_2019-04.csv", "salford_2019-05.csv"], ["salford_2019-11.csv"]]
    assert [o.file for o in outcomes] == ["salford_2019-04.csv", "salford_2019-11.csv", "salford_2019-05.csv"]
    per_file = dict(con.execute("select _source_file, count(*) from raw.spend500 group by 1").fetchall())
    assert per_file == {o.file: o.rows for o in outcomes} and all(o.rows for o in outcomes)


def test_files_are_read_as_utf8_as_they_are_or_through_a_utf8_copy_of_their_code_page(tmp_path):
    from ingest.sources.spend500.layouts import as_utf8

    text = "Supplier,Amount\n“Café Ltd” – €5,£1\n"
    body = "x" * ((1 << 20) - 1)  # so the two bytes of "é" below straddle the 1 MiB chunk boundary
    cp1252 = tmp_path / "cp1252.csv"
    cp1252.write_bytes(text.encode("cp1252"))
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(text.encode("utf-8"))
    straddling = tmp_path / "straddling.csv"
    straddling.write_bytes(body.encode() + "é\n".encode())
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))

    with as_utf8([cp1252, utf8, straddling, utf16], "cp1252", tmp_path) as readable:
        assert readable[1:3] == [utf8, straddling]  # already UTF-8: read as they are, no copy
        assert readable[0] != cp1252 and readable[3] != utf16
        assert readable[0].read_text(encoding="utf-8") == text
        assert readable[3].read_text(encoding="utf-8") == text
        copies = [readable[0], readable[3]]
    assert not any(p.exists() for p in copies)  # the copies are removed once read


def test_a_byte_windows_1252_does_not_define_is_an_error_naming_the_file_and_line_not_a_guess(tmp_path):
    from ingest.sources.spend500.layouts import as_utf8

    path = tmp_path / "landed-copy.csv"
    path.write_bytes(b"Supplier,Amount\nA \x96 B,1\nA\x81B,1\n")  # 0x96 is an en dash; 0x81 is undefined

    with pytest.raises(SourceError) as raised, as_utf8([path], "cp1252", tmp_path, ["bradford_2019-04.csv"]):
        pass

    assert raised.value.file == "bradford_2019-04.csv" and raised.value.row == 3
    assert "byte 0x81" in str(raised.value) and "cp1252" in str(raised.value)
