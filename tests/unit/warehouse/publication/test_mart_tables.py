"""The published marts are written once (their dbt yml's meta.published): the README's and the dbt
overview's tables are renderings of it, kept current by `make docs`."""

from __future__ import annotations

from core.marts import MARTS
from warehouse.publication.mart_tables import END, START, main, render, targets


def test_the_readme_and_the_dbt_overview_list_exactly_the_published_marts():
    assert main(["--check"]) == 0, "run make docs"
    for path, table in targets().items():
        text = path.read_text(encoding="utf-8")
        block = text.split(START, 1)[1].split(END, 1)[0]
        listed = [line.split("`")[1] for line in block.splitlines() if line.startswith("| `")]
        assert listed == list(MARTS), path.name
        assert block.strip() == table


def test_a_stale_table_is_rewritten_between_the_markers_only(tmp_path):
    text = f"before\n{START}\n| `old_mart` | gone |\n{END}\nafter\n"
    new = render(text, "| new |", tmp_path / "x.md")
    assert new == f"before\n{START}\n| new |\n{END}\nafter\n"
