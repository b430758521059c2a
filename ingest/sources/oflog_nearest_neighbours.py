"""Office for Local Government (Oflog): each council's statistical nearest-neighbour group.

A JSON object ``{council code: [codes of its group]}`` (GSS codes of districts, counties, unitary
authorities, London boroughs, combined authorities and the Greater London Authority), as committed
by communitiesuk/oflog-automated-text (``src/lib/``). Each group lists the council itself among its
neighbours, in code order: the order is not a ranking of closeness, so none is loaded. Some groups
list a member twice (one lists its 17 members twice over): a repeat is read once. One row per
council and member of its group, ``is_self`` marking the council's own entry; the line of the file
each code stands on is its ``_source_row``.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from core.errors import SourceError
from ingest.sources import source_id

ID = source_id(__name__)  # the module's name is the source id

COLUMNS: dict[str, str] = {
    "la_code": "VARCHAR",
    "neighbour_code": "VARCHAR",
    "list_position": "INTEGER",
    "is_self": "BOOLEAN",
    "_source_row": "INTEGER",
}

# districts (E06-E09), counties (E10), combined authorities (E47), the Greater London Authority (E61)
_COUNCIL = re.compile(r"^E(0[6-9]|10|47|61)\d{6}$")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _lines(text: str) -> dict[tuple[str, int], int]:
    """The line of each code in the file: (key, -1) for a council's key, (key, i) for its i-th member."""
    lines: dict[tuple[str, int], int] = {}
    key, i = "", 0
    for m in _STRING.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if text[m.end() :].lstrip().startswith(":"):
            key, i = m.group(1), 0
            lines[(key, -1)] = line
        else:
            lines[(key, i)] = line
            i += 1
    return lines


def parse(data: bytes, *, file: str, period: str) -> pd.DataFrame:
    def error(detail: str, row: int | None = None, column: str | None = None) -> SourceError:
        return SourceError(ID, file, detail, row=row, column=column)

    try:
        text = data.decode("utf-8-sig")
        groups = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        row = getattr(exc, "lineno", None)
        raise error(f"not a UTF-8 JSON document: {exc}", row=row) from exc
    if not isinstance(groups, dict) or not groups:
        raise error("expected a JSON object {council code: [codes of its nearest neighbours]}")
    lines = _lines(text)
    records = []
    for council, members in groups.items():
        key_line = lines.get((council, -1))
        if not _COUNCIL.match(council):
            raise error(f"{council!r} is not a council's GSS code", row=key_line, column=council)
        if not isinstance(members, list) or not members:
            raise error(f"council {council}'s group is not a list of codes", row=key_line, column=council)
        seen: set[str] = set()
        for i, member in enumerate(members):
            row = lines.get((council, i), key_line)
            if not isinstance(member, str) or not _COUNCIL.match(member):
                detail = f"member {i + 1} of {council}'s group, {member!r}, is not a council's GSS code"
                raise error(detail, row, council)
            if member in seen:  # the published file repeats some members (one group lists 17 twice)
                continue
            seen.add(member)
            records.append(
                {
                    "la_code": council,
                    "neighbour_code": member,
                    "list_position": i + 1,
                    "is_self": member == council,
                    "_source_row": row,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
