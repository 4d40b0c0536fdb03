"""Ingest throughput and memory, SQLite and (with --db) PostgreSQL side by side.

    python bench/ingest.py --sources 1000 [--db postgresql://... --reset]

For each store, a child process (whose peak resident memory is read from the OS) stores
N generated sources twice over:
  pipeline    Library.add_source: segment, extract and store, one source at a time;
  store only  Store.add of N other sources extracted beforehand (not timed), i.e. the
              cost of the store itself.
SQLite writes a fresh temporary file. A PostgreSQL library must be empty, or given with
--reset, which drops factdesk's tables there first. Prints sources/s, peak memory, the
PostgreSQL/SQLite ratios, and one JSON line for the record.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

from factdesk.store import is_postgres, open_store  # noqa: E402


def child(location: str, count: int) -> None:
    """(In the child.) Both measurements on the library at ``location``; prints JSON."""
    from factdesk.library import Library, analyse_text

    sources = [synth.make_source(n, seed=23) for n in range(count)]
    with Library(location) as lib:
        began, began_cpu = time.perf_counter(), time.process_time()
        for source in sources:
            lib.add_source(source)
        pipeline, pipeline_cpu = time.perf_counter() - began, time.process_time() - began_cpu

        extracted = [(s, *analyse_text(s)) for s in (synth.make_source(n, seed=23) for n in range(count, 2 * count))]
        began, began_cpu = time.perf_counter(), time.process_time()
        for source, sentences, figures, statements in extracted:
            lib.store.add(source, sentences, figures, statements)
        store_only, store_cpu = time.perf_counter() - began, time.process_time() - began_cpu
        stored = lib.store.count()["sources"]
    print(json.dumps({"pipeline_s": pipeline, "pipeline_cpu_s": pipeline_cpu, "store_s": store_only,
                      "store_cpu_s": store_cpu, "stored": stored}))


def reset(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS statements, figures, sentences, sources, meta")


def measure(location: str, count: int) -> dict:
    import subprocess

    child_process = subprocess.Popen(
        [sys.executable, __file__, "--sources", str(count), "--child", location],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = child_process.stdout.read(), child_process.stderr.read()
    _, status, usage = os.wait4(child_process.pid, 0)
    if status:
        raise SystemExit(f"bench: ingest into {location} failed: {err.strip().splitlines()[-1:]}")
    got = json.loads(out)
    if got["stored"] != 2 * count:
        raise SystemExit(f"bench: {location} holds {got['stored']} sources, expected {2 * count}")
    return {
        "store": "postgresql" if is_postgres(location) else "sqlite",
        "pipeline_per_s": round(count / got["pipeline_s"], 1),
        "pipeline_client_cpu_ms_per_source": round(got["pipeline_cpu_s"] / count * 1000, 2),
        "store_only_per_s": round(count / got["store_s"], 1),
        "store_only_client_cpu_ms_per_source": round(got["store_cpu_s"] / count * 1000, 2),
        "peak_mib": round(usage.ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000, metavar="N")
    parser.add_argument("--db", metavar="URL", help="also measure this PostgreSQL library (postgresql://...)")
    parser.add_argument("--reset", action="store_true", help="drop factdesk's tables in --db first")
    parser.add_argument("--child", metavar="LOCATION", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sources)
        return
    if args.db and not is_postgres(args.db):
        raise SystemExit("bench: --db must be a postgresql:// URL (SQLite is always measured)")

    results = []
    with tempfile.TemporaryDirectory(prefix="factdesk-bench-") as folder:
        results.append(measure(str(Path(folder) / "ingest.db"), args.sources))
    if args.db:
        if args.reset:
            reset(args.db)
        with open_store(args.db) as store:
            if store.count()["sources"]:
                raise SystemExit(f"bench: {store.name} is not empty; give --reset to drop its factdesk tables")
        results.append(measure(args.db, args.sources))

    print(f"ingest of {args.sources:,} generated sources (then {args.sources:,} more, store only):")
    for r in results:
        print(f"  {r['store']:<10}  pipeline {r['pipeline_per_s']:7.1f} sources/s   "
              f"store only {r['store_only_per_s']:7.1f} sources/s   peak {r['peak_mib']:.0f} MiB")
    record = {"bench": "ingest", "sources": args.sources, "results": results,
              "load_average_1min": round(os.getloadavg()[0], 1)}
    if len(results) == 2:
        sqlite, postgres = results
        record["postgresql_over_sqlite"] = {
            key: round(postgres[key] / sqlite[key], 2)
            for key in ("pipeline_per_s", "store_only_per_s", "peak_mib")
        }
        ratios = record["postgresql_over_sqlite"]
        print(f"  PostgreSQL/SQLite: pipeline x{ratios['pipeline_per_s']}, store only "
              f"x{ratios['store_only_per_s']}, peak memory x{ratios['peak_mib']}")
    print(f"  machine load average while measuring: {record['load_average_1min']}")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
