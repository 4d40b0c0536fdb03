"""Ask latency and memory on a library of N generated sources.

    python bench/ask.py --sources 10000 [--db postgresql://...] [--repeat 3] [--cold 8]

The library of N synthetic sources is built once and cached as an SQLite file under
bench/.cache/; with --db postgresql://... it is first copied there (idempotently). It
then measures, each in a child process whose peak resident memory is read from the OS:
  warm   Library.ask over ~20 generated questions, after one warm-up pass, --repeat times;
  whole  `factdesk ask QUESTION` as a whole process (start-up included), --cold questions.
Prints p50/p95 latencies and peak memory, and one JSON line for the record.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

from factdesk.store import is_postgres, open_store  # noqa: E402
from factdesk.store.copy import copy_library  # noqa: E402

FACTDESK = [sys.executable, "-m", "factdesk.cli"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(cmd: list[str]) -> tuple[str, float, float, float]:
    """Run ``cmd``: its stdout, wall seconds, CPU seconds (user + system) and peak
    resident memory (MiB), the last two from its rusage."""
    began = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    if status:
        last = err.strip().splitlines()[-1] if err.strip() else f"exit status {status}"
        raise SystemExit(f"bench: {' '.join(cmd[2:5])} failed: {last}")
    return out, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def warm_child(location: str, repeat: int) -> None:
    """(In the child.) Ask every question once to warm up, then ``repeat`` times timed."""
    from factdesk.library import Library

    asked = synth.questions()
    with Library(location) as lib:
        for q in asked:
            lib.ask(q)
        latencies = []  # (wall, CPU of this process) seconds; CPU shows the cost on a busy machine
        for _ in range(repeat):
            for q in asked:
                began, began_cpu = time.perf_counter(), time.process_time()
                lib.ask(q)
                latencies.append((time.perf_counter() - began, time.process_time() - began_cpu))
    print(json.dumps(latencies))


def prepare(count: int, db: str | None) -> str:
    """The location to benchmark: the cached SQLite library, or ``db`` filled from it."""
    cached = synth.cached_library(count, log=lambda line: print(line, file=sys.stderr))
    if db is None:
        return str(cached)
    with open_store(str(cached)) as source, open_store(db) as target:
        if target.count()["sources"] != count:
            began = time.perf_counter()
            result = copy_library(source, target, progress=lambda done, total: (
                print(f"copy {done}/{total}", file=sys.stderr) if done % 10000 == 0 else None))
            print(f"copied {result.copied} sources into the benchmark library in "
                  f"{time.perf_counter() - began:.0f} s", file=sys.stderr)
        if target.count()["sources"] != count:
            raise SystemExit(f"bench: {db} holds other sources too; give an empty library")
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, required=True, metavar="N")
    parser.add_argument("--db", metavar="LOCATION", help="benchmark this library (e.g. postgresql://...) "
                        "instead of the cached SQLite file; it is filled from the cache first")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions (default 3)")
    parser.add_argument("--cold", type=int, default=8, help="whole-process asks (default 8)")
    parser.add_argument("--warm-child", metavar="LOCATION", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_child:
        warm_child(args.warm_child, args.repeat)
        return

    if args.prepare_only:
        print(prepare(args.sources, args.db))
        return
    # Built or copied in a child: a child's peak memory counts its parent's at fork time.
    location = subprocess.run([sys.executable, __file__, "--sources", str(args.sources), "--prepare-only",
                               *(["--db", args.db] if args.db else [])],
                              stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    with open_store(location) as store:
        counts = store.count()
    out, _, _, warm_rss = timed([sys.executable, __file__, "--sources", str(args.sources),
                                 "--warm-child", location, "--repeat", str(args.repeat)])
    warm = [wall * 1000 for wall, _ in json.loads(out)]
    warm_cpu = [cpu * 1000 for _, cpu in json.loads(out)]

    whole, whole_cpu, whole_rss = [], [], 0.0
    for q in synth.questions()[: args.cold]:
        _, seconds, cpu, rss = timed([*FACTDESK, "ask", q, "--db", location, "--format", "json"])
        whole.append(seconds * 1000)
        whole_cpu.append(cpu * 1000)
        whole_rss = max(whole_rss, rss)

    store_kind = "postgresql" if is_postgres(location) else "sqlite"
    result = {
        "bench": "ask", "store": store_kind, "sources": counts["sources"], "sentences": counts["sentences"],
        "figures": counts["figures"], "warm_p50_ms": round(statistics.median(warm), 1),
        "warm_p95_ms": round(percentile(warm, 95), 1), "warm_cpu_p50_ms": round(statistics.median(warm_cpu), 1),
        "warm_cpu_p95_ms": round(percentile(warm_cpu, 95), 1), "warm_asks": len(warm),
        "warm_peak_mib": round(warm_rss, 1), "whole_p50_ms": round(statistics.median(whole), 1),
        "whole_p95_ms": round(percentile(whole, 95), 1), "whole_cpu_p50_ms": round(statistics.median(whole_cpu), 1),
        "whole_asks": len(whole), "load_average_1min": round(os.getloadavg()[0], 1),
        "whole_peak_mib": round(whole_rss, 1),
    }
    print(f"ask on {store_kind}: {counts['sources']:,} sources, {counts['sentences']:,} sentences, "
          f"{counts['figures']:,} figures")
    print(f"  warm (in-process, {len(warm)} asks):  p50 {result['warm_p50_ms']:.0f} ms  "
          f"p95 {result['warm_p95_ms']:.0f} ms  (CPU p50 {result['warm_cpu_p50_ms']:.0f} ms, "
          f"p95 {result['warm_cpu_p95_ms']:.0f} ms)  peak {result['warm_peak_mib']:.0f} MiB")
    print(f"  whole process ({len(whole)} asks):     p50 {result['whole_p50_ms']:.0f} ms  "
          f"p95 {result['whole_p95_ms']:.0f} ms  (CPU p50 {result['whole_cpu_p50_ms']:.0f} ms)  "
          f"peak {result['whole_peak_mib']:.0f} MiB")
    print(f"  machine load average while measuring: {result['load_average_1min']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
