"""One whole run of the pipeline's steps in this process (what the Airflow tasks call, in the
`wholeplace` DAG's order), announcing each step on stdout, for the crash-safety suite to kill:

    python -m tests.reliability.crash_runner

Settings come from the environment (WHOLEPLACE_WAREHOUSE_DIR, WHOLEPLACE_SNAPSHOT_DIR).
"""

from __future__ import annotations

import json
import sys


def step(name: str) -> None:
    print(f"STEP {name}", flush=True)


def main() -> int:
    from warehouse import pipeline

    for source in pipeline.plan():
        step(f"fetch {source}")
        fetched = pipeline.fetch(source)
        step(f"load {source}")
        pipeline.load(source, fetched)
        step(f"validate {source}")
        pipeline.validate_raw(source)
    step("dbt")
    built = pipeline.build_models()
    step("gx")
    gate = pipeline.validate_marts(built)
    step("publish")
    summary = pipeline.publish(gate, built)
    print("DONE " + json.dumps({"release": summary["release"], "new": summary.get("new_release")}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
