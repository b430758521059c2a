"""One whole run of the pipeline's steps in this process (what the Airflow tasks call, in the
`wholeplace` DAG's order), announcing each step on stdout, for the crash-safety suite to kill and
the overlap suite to run side by side:

    python -m tests.reliability.run_steps [source_id ...]     (default: every source)

Settings come from the environment (WHOLEPLACE_WAREHOUSE_DIR, WHOLEPLACE_SNAPSHOT_DIR).
"""

from __future__ import annotations

import json
import sys


def step(name: str) -> None:
    print(f"STEP {name}", flush=True)


def main(sources: list[str]) -> int:
    from warehouse import pipeline

    for source in pipeline.plan(sources or None):
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
    done = {k: summary.get(k) for k in ("release", "new_release", "superseded_by_build")}
    print("DONE " + json.dumps({**done, "gated_build": gate.get("build_id")}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
