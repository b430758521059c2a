"""core.marts: the published marts come from their dbt yml's meta.published, checked."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.marts import MARTS, PRIMARY_KEYS, published

YML = """
version: 2
models:
  - name: second
    config:
      meta:
        published: {order: 2, key: second_key, grain: a row, sort: "-amount_gbp"}
  - name: first
    config:
      meta:
        published: {order: 1, key: first_key, grain: a row, label: first_name}
  - name: built_not_published
"""


def _dir(tmp_path, text):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "_models.yml").write_text(text, encoding="utf-8")
    return tmp_path / "m"


def test_marts_come_in_their_order_with_key_sort_and_label(tmp_path):
    found = published(_dir(tmp_path, YML))
    assert list(found) == ["first", "second"]
    assert found["second"].sort_clause == ("sort_desc", "amount_gbp")
    assert found["first"].label == "first_name" and found["first"].sort_clause is None


@pytest.mark.parametrize(
    "bad, message",
    [
        ("published: {key: k, grain: g}", "must be {order"),
        ("published: {order: 1, key: k}", "has no grain"),
        ("published: {order: 1, key: k, grain: g, colour: red}", "unknown keys"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_file_and_model(tmp_path, bad, message):
    text = f"version: 2\nmodels:\n  - name: x\n    config:\n      meta:\n        {bad}\n"
    with pytest.raises(ConfigError, match=rf"_models.yml: x: .*{message}"):
        published(_dir(tmp_path, text))


def test_two_marts_at_one_order_are_refused(tmp_path):
    text = YML.replace("order: 2", "order: 1")
    with pytest.raises(ConfigError, match="order 1 is another mart's too"):
        published(_dir(tmp_path, text))


def test_the_project_publishes_its_headline_first_each_with_a_key():
    assert MARTS[0] == "whole_place_totals"
    assert set(PRIMARY_KEYS) == set(MARTS) and all(PRIMARY_KEYS.values())
