"""Oflog's nearest-neighbour groups: the real file as bundled, and the errors a broken copy gets."""

from __future__ import annotations

import json

import pytest

from core.errors import SourceError
from ingest.sources import oflog_nearest_neighbours as nn
from tests.paths import SNAPSHOTS_DIR

SNAPSHOT = SNAPSHOTS_DIR / "oflog_nearest_neighbours" / "oflog_nearest_neighbours.json"


def parse(data: bytes):
    return nn.parse(data, file="groups.json", period="all")


def test_every_councils_group_is_read_with_the_line_each_code_stands_on() -> None:
    frame = nn.parse(SNAPSHOT.read_bytes(), file=SNAPSHOT.name, period="all")
    assert list(frame.columns) == list(nn.COLUMNS)
    assert frame["la_code"].nunique() == 348
    birmingham = frame[frame["la_code"] == "E08000025"]
    # 16 codes, Birmingham itself among them, in the publisher's (code) order
    assert len(birmingham) == 16
    assert birmingham["is_self"].sum() == 1
    assert {"E08000026", "E08000035", "E06000018"} <= set(birmingham["neighbour_code"])
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    for _, row in birmingham.iterrows():
        assert f'"{row["neighbour_code"]}"' in lines[row["_source_row"] - 1]
    # a group that repeats its members is read once each
    assert not frame.duplicated(["la_code", "neighbour_code"]).any()
    assert frame.groupby("la_code").size().max() <= 17


def test_a_minified_file_reads_the_same() -> None:
    groups = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    frame = parse(json.dumps(groups).encode())
    assert len(frame) == len(nn.parse(SNAPSHOT.read_bytes(), file=SNAPSHOT.name, period="all"))
    assert set(frame["_source_row"]) == {1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "E08000025": [\n    "E08000026",\n    "Coventry"\n  ]\n}', "row 4, column E08000025: member 2"),
        ('{\n  "Birmingham": ["E08000026"]\n}', "row 2, column Birmingham: 'Birmingham' is not a council"),
        ('{\n  "E08000025": "E08000026"\n}', "row 2, column E08000025: council E08000025's group is not a list"),
        ('{\n  "E08000025": [\n', "row 3: not a UTF-8 JSON document"),
        ("[]", "expected a JSON object"),
    ],
)
def test_a_broken_file_names_the_file_line_and_council(text: str, expected: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse(text.encode())
    message = str(caught.value)
    assert message.startswith("oflog_nearest_neighbours: groups.json")
    assert expected in message
