"""Synthetic spending-over-£500 files for benchmarks only (never loaded into a published release).

Modelled on the real files (../shared/data/spend500, else the bundled snapshot): each declared
layout's files are written with that layout's own header, encoding (Bradford's in Windows-1252,
with its curly quotes and dashes) and date format, and
rows drawn from the real files' rows (services, expense types, suppliers and amounts as the
councils published them: the real value distributions), with payment dates spread over the month
and unique references. Deterministic: the same scale gives byte-identical files.

One region-year (1x) is seven councils, the West Midlands' count, each publishing twelve monthly
files in one of the four real councils' layouts in turn (Calderdale-style councils also publish
purchase-card files), each month as many rows as that council's real files average. 10x is ten
years of that region; 100x is ten such regions over ten years. Files are written with DuckDB's
COPY, so generating 100x takes minutes, not hours.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.sources import spend500
from ingest.sources.spend500 import reader

log = logging.getLogger(__name__)

GENERATOR_VERSION = 2
PROJECT = Path(__file__).resolve().parents[1]
REAL_DIRS = (PROJECT.parent / "shared" / "data" / "spend500", PROJECT / "ingest" / "snapshots" / "spend500" / "2019-20")
# the seven councils of one synthetic region, each in a real council's layout (cards come with calderdale)
COUNCIL_LAYOUTS = ("bradford", "calderdale", "manchester", "salford", "bradford", "calderdale", "manchester")
CARD_LAYOUT = {"calderdale": "calderdale_card"}
FINAL_YEAR = 2019  # the last financial year generated starts in April 2019 (the real files' year)


@dataclass(frozen=True)
class Pool:
    layout: spend500.Layout
    header: list[str]  # the published header, in order
    rows: int  # rows in the pool
    monthly_rows: int  # the real files' average rows per file


def real_dir() -> Path:
    for folder in REAL_DIRS:
        if folder.is_dir() and any(folder.glob("*.csv")):
            return folder
    raise FileNotFoundError(f"no real spending files in any of {[str(d) for d in REAL_DIRS]}")


def load_pools(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, Pool]:
    """One table per layout (pool_<layout>) of the real files' rows as published text, from the
    files with the layout's most used header (a council's header changes during a year)."""
    by_layout: dict[str, list[tuple[Path, list[str]]]] = {}
    for path in sorted(folder.glob("*.csv")):
        layout, header, _ = spend500.match_layout(path)
        by_layout.setdefault(layout.name, []).append((path, header.names))
    pools = {}
    with tempfile.TemporaryDirectory(prefix="spend500-pool-") as tmp:
        for name, files in sorted(by_layout.items()):
            layout = spend500.layouts()[name]
            headers = [h for _, h in files]
            header = max(headers, key=lambda h: (headers.count(h), headers.index(h)))
            same = [p for p, h in files if h == header]
            readable = []
            for path in same:
                if layout.encoding == "utf-8":
                    readable.append(str(path))
                else:  # read through a UTF-8 copy; written back in the layout's encoding (_write_month)
                    target = Path(tmp) / path.name
                    target.write_text(path.read_bytes().decode(spend500.ENCODINGS[layout.encoding]), encoding="utf-8")
                    readable.append(str(target))
            types = "{" + ", ".join(f"{reader.literal(c)}: 'VARCHAR'" for c in header) + "}"
            files_sql = "[" + ", ".join(reader.literal(r) for r in readable) + "]"
            con.execute(
                f"create or replace table pool_{name} as select *, row_number() over () - 1 as _i "
                f"from read_csv({files_sql}, header = true, auto_detect = false, columns = {types}, "
                "delim = ',', quote = '\"', escape = '\"')"
            )
            ((rows,),) = con.execute(f"select count(*) from pool_{name}").fetchall()
            pools[name] = Pool(layout, header, rows, round(rows / len(same)))
    return pools


def units(scale: int) -> list[tuple[int, int, int, str]]:
    """(region, council slot, financial year start, layout) for every council-year at this scale."""
    if scale < 1 or (scale > 10 and scale % 10):
        raise ValueError(f"scale must be 1 to 10, or a multiple of 10; got {scale}")
    years = min(scale, 10)
    regions = math.ceil(scale / 10)
    out = []
    for region in range(1, regions + 1):
        for year in range(FINAL_YEAR - years + 1, FINAL_YEAR + 1):
            for slot, layout in enumerate(COUNCIL_LAYOUTS, start=1):
                out.append((region, slot, year, layout))
                if layout in CARD_LAYOUT:
                    out.append((region, slot, year, CARD_LAYOUT[layout]))
    return out


def _write_month(con, pool: Pool, path: Path, first_day: str, salt: str) -> None:
    mapped = pool.layout.resolve(pool.header) or {}
    date_col, ref_col = mapped["payment_date"], mapped["reference"]
    n = pool.monthly_rows
    columns = []
    for c in pool.header:
        if c == date_col:
            expr = (
                f"strftime(date '{first_day}' + cast(hash(k, '{salt}d') % 28 as integer), "
                f"{reader.literal(pool.layout.date_formats[0])})"
            )
        elif c == ref_col:
            expr = f"'SYN{salt}-' || k"
        else:
            expr = f"p.{reader.ident(c)}"
        columns.append(f"{expr} as {reader.ident(c)}")
    con.execute(
        f"""
        copy (
            select {", ".join(columns)}
            from (select range as k, hash(range, '{salt}') % {pool.rows} as pick from range({n})) g
            join pool_{pool.layout.name} p on p._i = g.pick
            order by k
        ) to {reader.literal(str(path))} (header, delimiter ',', quote '"')
        """
    )
    if pool.layout.encoding != "utf-8":  # DuckDB writes UTF-8: re-encode as the council publishes
        path.write_bytes(path.read_text(encoding="utf-8").encode(spend500.ENCODINGS[pool.layout.encoding]))


def generate(scale: int, out_dir: Path, source: Path | None = None) -> dict:
    """Write the files for ``scale`` into ``out_dir`` (reused when already complete). Returns the
    summary also written to ``out_dir/.complete``."""
    marker = out_dir / ".complete"
    if marker.exists():
        summary = json.loads(marker.read_text())
        if summary.get("generator_version") == GENERATOR_VERSION and summary.get("scale") == scale:
            return summary
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    folder = source or real_dir()
    with duckdb.connect() as con:
        pools = load_pools(con, folder)
        todo = units(scale)
        rows = files = 0
        for n, (region, slot, year, layout) in enumerate(todo, start=1):
            pool = pools[layout]
            for month in range(12):
                y, m = (year, 4 + month) if month < 9 else (year + 1, month - 8)
                name = f"{layout}-r{region:02d}c{slot}_{y}-{m:02d}.csv"
                _write_month(con, pool, out_dir / name, f"{y}-{m:02d}-01", f"{region}.{slot}.{y}.{m}.{layout}")
                rows += pool.monthly_rows
                files += 1
            if n % 50 == 0:
                log.info("synthetic %dx: %d of %d council-years written", scale, n, len(todo))
    summary = {
        "generator_version": GENERATOR_VERSION,
        "scale": scale,
        "files": files,
        "rows": rows,
        "bytes": sum(p.stat().st_size for p in out_dir.glob("*.csv")),
        "modelled_on": str(folder),
        "layouts": {k: {"rows_per_file": p.monthly_rows, "pool_rows": p.rows} for k, p in pools.items()},
    }
    marker.write_text(json.dumps(summary, indent=2))
    return summary


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", type=int)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    print(json.dumps(generate(args.scale, args.out_dir), indent=2))


if __name__ == "__main__":
    main()
