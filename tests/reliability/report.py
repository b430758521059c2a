"""tests/reliability/REPORT.md from what the reliability suites recorded (see conftest.py)."""

from __future__ import annotations

import subprocess
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

START = "<!-- section:{name} -->"
END = "<!-- /section:{name} -->"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


def malformed_section(rows: list[dict]) -> str:
    outcomes = Counter(r["outcome"] for r in rows)
    expect = Counter(r["expect"] for r in rows)
    files, loaded, rejected = len(rows), outcomes["loaded"], outcomes["rejected"]
    located = sum(1 for r in rows if r["outcome"] == "rejected" and r["located"])
    sources = len({r["source"] for r in rows})
    kinds = len({r["mutation"] for r in rows})
    balance = "" if files == loaded + rejected else " (NOT EQUAL)"
    figures = [
        ("cases tried", f"{files} ({sources} sources, {kinds} kinds of defect)"),
        (
            "expected: the clean file's rows / refused / either",
            f"{expect['same']} / {expect['reject']} / {expect['handled']}",
        ),
        ("files loaded", loaded),
        ("files refused, the message naming source and file", rejected),
        ("of which also naming the row or column", located),
        ("unhandled exceptions", outcomes["crashed"]),
        ("files in = loaded + refused", f"{files} = {loaded} + {rejected}{balance}"),
        ("rows loaded from the loaded files", f"{sum(r['rows_loaded'] for r in rows):,}"),
    ]
    lines = [
        "## Malformed inputs",
        "",
        "Every bundled snapshot with one defect made by a mutation (`tests/reliability/corpus.py`); "
        f"run at commit {_commit()} on {datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in figures),
    ]
    counted = [r["data_rows"] for r in rows if r.get("data_rows")]
    if counted:
        rows_in, kept = sum(c[0] for c in counted), sum(c[1] for c in counted)
        why = Counter()
        for c in counted:
            why.update(c[2])
        skipped = sum(why.values())
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in why.most_common())
        lines.append(
            f"| data rows of the {len(counted)} loaded sheet files: in = loaded + skipped with a reason | "
            f"{rows_in:,} = {kept:,} + {skipped:,}{'' if rows_in == kept + skipped else ' (NOT EQUAL)'} |"
        )
        lines.append(f"| why rows were skipped | {reasons or 'none'} |")
    spend = [r for r in rows if r.get("rows_in") is not None]
    if spend:
        rows_in = sum(r["rows_in"] for r in spend)
        loaded_rows = sum(r["rows_loaded"] for r in spend)
        quarantined = sum(r["rows_quarantined"] for r in spend)
        refused_rows = sum(r["rows_in"] for r in spend if r["outcome"] == "rejected")
        lines.append(
            f"| spending files (row-level quarantine): rows in = loaded + quarantined + in refused files | "
            f"{rows_in:,} = {loaded_rows:,} + {quarantined:,} + {refused_rows:,}"
            f"{'' if rows_in == loaded_rows + quarantined + refused_rows else ' (NOT EQUAL)'} |"
        )
    lines += ["", "| defect | cases | loaded | refused | unhandled |", "|---|---|---|---|---|"]
    per = defaultdict(Counter)
    for r in rows:
        per[r["mutation"]][r["outcome"]] += 1
    for mutation in sorted(per):
        c = per[mutation]
        lines.append(f"| {mutation} | {sum(c.values())} | {c['loaded']} | {c['rejected']} | {c['crashed']} |")
    return "\n".join(lines) + "\n"


def wap_section(rows: list[dict]) -> str:
    by = Counter(r["blocked_by"] for r in rows)
    stages = Counter(r["stage"].split(":")[0] for r in rows)
    lines = [
        "## Write-audit-publish",
        "",
        "Bad batches written into a built and published warehouse "
        "(`tests/reliability/test_write_audit_publish.py`); each must be stopped before publication.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| bad batches injected | {len(rows)} "
        f"(gate {stages['gate']}, raw suites {stages['raw']}, dbt {stages['dbt']}) |",
        f"| blocked before publication | {len(rows)} (by GX {by['GX']}, by dbt tests {by['dbt']}) |",
        f"| published release's file hashes compared after each | {len(rows)} times, all unchanged |",
        "",
        "| batch | stage | stopped with |",
        "|---|---|---|",
    ]
    for r in rows:
        first = r["message"].replace("|", "\\|")[:160]
        lines.append(f"| {r['id']} | {r['stage']} | {first} |")
    return "\n".join(lines) + "\n"


def idempotency_section(rows: list[dict]) -> str:
    (r,) = rows
    return (
        "## Idempotency\n\n"
        f"{r['reruns']} reruns of dbt build, the gate and publish over the same raw tables: all {r['marts']} marts' "
        f"content hashes identical each time, and the release stays {r['release']} (no new release).\n"
    )


def restatement_section(rows: list[dict]) -> str:
    (r,) = rows
    return (
        "## Restatements\n\n"
        f"A revised population file for an already-loaded period (a test-only revision) became a new vintage: the raw "
        f"table and the marts use it, the replaced rows (file {r['replaced']}...) stay in raw_vintages, and release "
        f"{r['release']} (after {r['previous']}) lists the restatement in its changelog with {r['changed']} rows "
        "of whole_place_budget changed.\n"
    )


def crash_section(rows: list[dict]) -> str:
    aimed = Counter(r["stage"] for r in rows)
    hit = Counter(r["killed_in"] for r in rows)
    finished = sum(1 for r in rows if r["finished"])
    lines = [
        "## Crash safety",
        "",
        "`kill -9` of a whole run (its process group, dbt included) at seeded random moments of each stage "
        "(`make test-crash`), then the checks and an unattended rerun.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| crashes injected | {len(rows) - finished} ({finished} runs finished before their kill time) |",
        f"| aimed at stage | {', '.join(f'{k} {v}' for k, v in sorted(aimed.items()))} |",
        f"| killed during step | {', '.join(f'{k} {v}' for k, v in sorted(hit.items()))} |",
        f"| warehouse opened after the crash | {len(rows)} of {len(rows)} |",
        f"| `latest` a complete release after the crash | {len(rows)} of {len(rows)} |",
        f"| next run recovered unattended, publishing its input | {len(rows)} of {len(rows)} |",
    ]
    return "\n".join(lines) + "\n"


def overlap_section(rows: list[dict]) -> str:
    lines = [
        "## Overlap",
        "",
        "Runs that overlap (`tests/reliability/test_overlap.py`): interleaved step by step as Airflow's "
        "DAGs can, and two runs started at once as processes with readers querying the warehouse and "
        "reading `latest` throughout. Each must lose no update and publish only marts its own gate passed.",
        "",
        "| overlap | steps in the order they ran | runs superseded | reads (errors) | releases | updates lost |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['order']} | {r['superseded']} | {r['reads']} ({r['reader_errors']}) "
            f"| {r['releases']} | {r['lost']} |"
        )
    return "\n".join(lines) + "\n"


# the attacker's and clumsy operator's cases of issue 17, each with the test that tries it
HARDENING_CASES = {
    "credential in the mirror URL": "tests/reliability/test_secrets.py",
    "a council's area code changed": "tests/unit/ingest/test_completeness.py",
    "a file cut short at a line break": "tests/unit/ingest/test_completeness.py",
    "a restatement that really drops rows, acknowledged": "tests/unit/ingest/test_completeness.py",
    "a council with no rows at all, in the marts": "tests/reliability/test_write_audit_publish.py",
    "a server dripping a byte at a time": "tests/unit/ingest/test_http.py",
    "a mirror on the cloud metadata address": "tests/reliability/test_http_addresses.py",
    "a task that hangs": "tests/integration/test_dag_integrity.py",
    "a figure too large for its column": "tests/unit/ingest/test_load.py",
    "a file edited inside the latest release": "tests/unit/warehouse/publication/test_publish.py",
    "the warehouse file deleted": "tests/unit/ingest/test_rebuild.py",
    "the warehouse file damaged": "tests/unit/ingest/test_rebuild.py",
    "Ctrl-C (SIGINT) during make run": "tests/integration/test_interrupt.py",
    "SIGTERM during make run": "tests/integration/test_interrupt.py",
}


def record_hardening(recorder, case: str, outcome: str) -> None:
    """One of HARDENING_CASES tried: what happened, with its figures."""
    assert case in HARDENING_CASES, case
    recorder.expected["hardening"] = len(HARDENING_CASES)
    recorder.add("hardening", case=case, outcome=outcome)


def hardening_section(rows: list[dict]) -> str:
    got = {r["case"]: r["outcome"] for r in rows}
    lines = [
        "## Nothing published silently wrong, nothing leaked, nothing hangs",
        "",
        f"The cases of issue 17, each tried by a test; run at commit {_commit()} on {datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| case | what happened | test |",
        "|---|---|---|",
    ]
    for case, test in HARDENING_CASES.items():
        lines.append(f"| {case} | {got.get(case, 'not run').replace('|', '/')} | `{test}` |")
    return "\n".join(lines) + "\n"


SECTIONS = {
    "hardening": hardening_section,
    "crash": crash_section,
    "malformed": malformed_section,
    "wap": wap_section,
    "idempotency": idempotency_section,
    "restatement": restatement_section,
    "overlap": overlap_section,
}
TITLE = """# Reliability report

Generated by `make test` (tests/reliability/); each section is rewritten when its suite runs in full.
"""


def write_report(recorder, path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    changed = False
    for name, render in SECTIONS.items():
        if not recorder.complete(name):
            continue
        begin, end = START.format(name=name), END.format(name=name)
        block = f"{begin}\n{render(recorder.rows[name])}{end}\n"
        if begin in text and end in text:
            text = text[: text.index(begin)] + block + text[text.index(end) + len(end) + 1 :]
        else:
            text = text.rstrip("\n") + "\n\n" + block
        changed = True
    if changed:
        path.write_text(text, encoding="utf-8")
