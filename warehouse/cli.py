"""`make run`: run the main job through Airflow itself, on the embedded default.

    python -m warehouse.cli run [--dag wholeplace] [--quiet] [--period 2021-22 ...]
    python -m warehouse.cli status        # the latest release and what it holds

`run` prepares a project-local Airflow (SQLite metadata in $AIRFLOW_HOME, default ./.airflow),
creates the one-slot DuckDB pool, and runs ``airflow dags test wholeplace``: every task runs
for real, in this one process, in dependency order. Progress is printed as tasks start and end;
the full Airflow log goes to <warehouse>/logs/. It ends with the release path, the rows per mart
and the checks' outcome, or with what failed (source, file, row) and the release still `latest`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from core import settings as settings_mod
from warehouse.publication.integrity import verify_release
from warehouse.publication.publish import current_latest
from warehouse.runner import run, step

_FY = re.compile(r"^(\d{4})-(\d{2})$")


def financial_year(text: str) -> str:
    """'2021-22' (a UK financial year, April to March), or a clear error."""
    m = _FY.match(text.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise argparse.ArgumentTypeError(
            f"a financial year looks like 2021-22 (April 2021 to March 2022), got {text!r}"
        )
    return text.strip()


def status(as_of: str | None = None, *, as_json: bool = False, fail_on_late: bool = False) -> int:
    """The latest release, then per source: what is loaded, when a new file is due, whether late."""
    from datetime import date

    from core.freshness import statuses

    settings = settings_mod.get()
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        print(f"--as-of takes a date like 2026-11-26, got {as_of!r}", file=sys.stderr)
        return 2
    rows = statuses(settings, day)
    latest = current_latest(settings)
    from dataclasses import asdict

    from warehouse.alerts import alerts_file, read_alerts

    recent = read_alerts(settings)[-5:]
    if as_json:
        out = {
            "release": latest.name if latest else None,
            "release_problems": verify_release(latest).problems if latest else [],
            "sources": [r.as_row() for r in rows],
            "recent_alerts": [asdict(a) for a in recent],
        }
        print(json.dumps(out, indent=2))
    else:
        if latest is None:
            print("no release yet: run `make run`")
        else:
            package = json.loads((latest / "datapackage.json").read_text())
            print(f"latest release: {package['version']} ({latest})")
            if package.get("contains_synthetic_data"):
                print(f"  contains synthetic data from: {', '.join(package['synthetic_sources'])}")
            found = verify_release(latest)
            print(f"  integrity: {found.describe()}" if found.ok else f"  integrity: DAMAGED {found.describe()}")
        print(f"\nsources as of {day or 'today'} (from {settings.landing_dir / 'manifest.jsonl'}):")
        head = ("source", "state", "period", "file", "sha256", "new file", "next due", "last run")
        table = [
            (
                r.source_id,
                r.detail or r.state,
                r.latest_period or "-",
                (r.file_name or "-")[:34],
                (r.sha256 or "-")[:12],
                (r.last_new_file_at or "-")[:10],
                r.next_due or "-",
                r.last_run,
            )
            for r in rows
        ]
        widths = [max(len(str(x[i])) for x in [head, *table]) for i in range(len(head) - 1)]
        for line in [head, *table]:
            print("  " + "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)) + "  " + line[-1])
        late = [r.source_id for r in rows if r.state == "LATE"]
        print(f"\n{len(late)} late: {', '.join(late)}" if late else "\nnothing late")
        if recent:
            print(f"\nrecent alerts ({alerts_file(settings)}):")
            for a in recent:
                print(f"  {a.at[:16]}Z {a.kind}: {a.summary}"[:200])
    return 3 if fail_on_late and any(r.state == "LATE" for r in rows) else 0


def recover() -> int:
    """Move a damaged warehouse file aside and rebuild it from the landing zone (`make run`)."""
    settings = settings_mod.get()
    path = settings.duckdb_path
    if path.exists():
        aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        path.rename(aside)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            wal.rename(aside.with_name(aside.name + ".wal"))
        step(f"moved {path.name} aside to {aside} (delete it once the rebuild is checked)")
    else:
        step(f"no warehouse file at {path}: rebuilding it")
    return run("wholeplace", verbose=True)


def verify(release: str | None) -> int:
    """Check a release's files against the sha256 they were published with (default: latest)."""
    settings = settings_mod.get()
    target = Path(release) if release else current_latest(settings)
    if target is None:
        print("no release yet: run `make run`")
        return 1
    if not target.is_dir() and (settings.releases_dir / str(release)).is_dir():
        target = settings.releases_dir / str(release)  # a version name rather than a path
    found = verify_release(target)
    print(found.describe())
    return 0 if found.ok else 1


def serve(port: int) -> int:
    """Browse the latest release with Datasette (replaces this process)."""
    from warehouse.publication.datasette import serve_command

    settings = settings_mod.get()
    latest = current_latest(settings)
    if latest is None:
        print("no release yet: run `make run` first")
        return 1
    command = serve_command(settings.releases_dir / "latest", port=port)
    print(f"serving release {latest.name}")
    print(f"  tables and SQL:  http://127.0.0.1:{port}/wholeplace")
    print(f"  place profiles:  http://127.0.0.1:{port}/files/site/index.html")
    print(f"  release files:   http://127.0.0.1:{port}/files/datapackage.json")
    print(f"  releases feed:   http://127.0.0.1:{port}/releases/feed.atom")
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.cli", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the main job through Airflow")
    run_p.add_argument("--dag", default="wholeplace")
    run_p.add_argument("--quiet", action="store_true", help="only task starts and the summary")
    run_p.add_argument(
        "--force",
        action="store_true",
        help="run the DAG through Airflow even when nothing is new (warehouse/shortcut.py)",
    )
    run_p.add_argument(
        "--accept-fewer-rows",
        dest="accept_fewer_rows",
        action="append",
        metavar="SOURCE[:PERIOD]",
        help="acknowledge a restatement with fewer rows or areas than the previous vintage (repeatable; "
        "recorded in the release's changelog)",
    )
    run_p.add_argument(
        "--period",
        dest="periods",
        action="append",
        type=financial_year,
        help="backfill: reload only this financial year, e.g. 2021-22 (repeatable)",
    )
    status_p = sub.add_parser("status", help="the latest release, and per source what is loaded and what is late")
    status_p.add_argument("--as-of", help="judge lateness on this date (YYYY-MM-DD) instead of today")
    status_p.add_argument("--json", action="store_true", help="machine-readable output")
    status_p.add_argument("--fail-on-late", action="store_true", help="exit 3 when a source is late (for cron)")
    sub.add_parser("recover", help="move a damaged warehouse file aside and rebuild it from the landing zone")
    verify_p = sub.add_parser("verify", help="check a release's files against their published sha256")
    verify_p.add_argument("release", nargs="?", help="a release folder or version (default: latest)")
    serve_p = sub.add_parser("serve", help="browse the latest release with Datasette")
    serve_p.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    if not os.environ.get("WHOLEPLACE_WAREHOUSE_DIR"):  # a checkout from before data/: its data moves once
        moved = settings_mod.move_legacy_data()
        if moved:
            print(f"moved the runtime data from warehouse/ to data/: {', '.join(moved)}")
    if args.command == "run":
        if args.accept_fewer_rows:  # the Airflow tasks read it from the environment (core.settings)
            known = os.environ.get("WHOLEPLACE_ACCEPT_FEWER_ROWS", "")
            os.environ["WHOLEPLACE_ACCEPT_FEWER_ROWS"] = ",".join(filter(None, [known, *args.accept_fewer_rows]))
        return run(args.dag, verbose=not args.quiet, periods=args.periods, force=args.force)
    if args.command == "serve":
        return serve(args.port)
    if args.command == "verify":
        return verify(args.release)
    if args.command == "recover":
        return recover()
    return status(args.as_of, as_json=args.json, fail_on_late=args.fail_on_late)


def entry() -> int:
    """main() for the command line: Ctrl-C outside a followed run stops quietly, no traceback."""
    from core.errors import ConfigError

    try:
        return main()
    except ConfigError as exc:  # a bad setting: said plainly, before anything runs
        print(f"FAILED before starting: {exc}")
        return 2
    except KeyboardInterrupt:
        print("\nINTERRUPTED before the run started: nothing was published.")
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(entry())
