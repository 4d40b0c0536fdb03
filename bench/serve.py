"""Load on `factdesk serve`: many clients at once against a real server on a large library.

    python bench/serve.py [--sources 10000] [--clients 50] [--seconds 30] [--workers 1]

The library of N synthetic sources is built once and cached under bench/.cache/ (see
synth.py); the server works on a copy, since the load adds sources. `factdesk serve` runs
as its own process on a free 127.0.0.1 port; the clients are threads of this process, each
with its own HTTP connection, sending a mix of the desk's calls back to back:
  ask 40%, check 15%, figures?about= 20%, one source 20%, upload of a new source 5%.
Prints requests/s, p50/p95 latency overall and per call, and the errors (any status other
than 200/201, or a failed connection), then one JSON line for the record.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

MIX = [("ask", 40), ("check", 15), ("figures", 20), ("source", 20), ("upload", 5)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "factdesk.cli", "serve", "--db", str(db), "--port", str(port),
         "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: the server stopped: {server.stderr.read().strip()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("bench: the server did not answer within 60 s")


class Load:
    """The requests one client sends, drawn from the mix with its own random stream."""

    def __init__(self, questions: list[str], claims: list[str], terms: list[str], source_ids: list[str]):
        self.questions, self.claims, self.terms, self.source_ids = questions, claims, terms, source_ids
        self.kinds = [k for k, weight in MIX for _ in range(weight)]
        self.uploads = iter(range(10**9))
        self.lock = threading.Lock()

    def request(self, client: httpx.Client, rng: random.Random) -> tuple[str, int]:
        kind = rng.choice(self.kinds)
        if kind == "ask":
            r = client.post("/api/ask", json={"question": rng.choice(self.questions)})
        elif kind == "check":
            r = client.post("/api/check", json={"claim": rng.choice(self.claims)})
        elif kind == "figures":
            r = client.get("/api/figures", params={"about": rng.choice(self.terms), "limit": 100})
        elif kind == "source":
            r = client.get(f"/api/sources/{rng.choice(self.source_ids)}")
        else:
            with self.lock:
                n = next(self.uploads)
            source = synth.make_source(10_000_000 + n, seed=rng.randrange(1 << 30))
            note = f"title: {source.title}\npublished: {source.published}\n\n{source.text}\n"
            r = client.post("/api/sources", files={"file": (f"bench-{n}.txt", note.encode())})
        return kind, r.status_code


def run(base: str, load: Load, clients: int, seconds: float):
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    record = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client_loop(i: int) -> None:
        rng = random.Random(i)
        with httpx.Client(base_url=base, timeout=120) as client:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    kind, status = load.request(client, rng)
                    failure = None if status in (200, 201) else f"{kind} HTTP {status}"
                except httpx.HTTPError as err:
                    failure = type(err).__name__
                took = time.perf_counter() - began
                with record:
                    if failure:
                        errors[failure] += 1
                    else:
                        latencies[kind].append(took)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1, help="server processes (`factdesk serve --workers`)")
    args = parser.parse_args()

    cached = synth.cached_library(args.sources)
    with tempfile.TemporaryDirectory(prefix="factdesk-bench-serve-") as folder:
        db = Path(folder) / "library.db"
        shutil.copyfile(cached, db)
        with sqlite3.connect(db) as conn:
            source_ids = [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY random() LIMIT 2000")]
        questions = synth.questions(40)
        claims = [f"{n:,} {noun} were reported in {place} in {year}." for n, noun, place, year in
                  zip(range(1200, 99_000, 2_400), synth.NOUNS, synth.PLACES, range(2015, 2025))]
        terms = synth.NOUNS[:30]
        port = free_port()
        server = start_server(db, port, args.workers)
        try:
            latencies, errors, wall = run(f"http://127.0.0.1:{port}", Load(questions, claims, terms, source_ids),
                                          args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(10)

    every = [x for values in latencies.values() for x in values]
    done = len(every) + sum(errors.values())
    print(f"factdesk serve: {args.sources} sources, {args.workers} worker(s), {args.clients} clients, {wall:.1f} s")
    print(f"  {done} requests, {done / wall:.1f} requests/s, errors {sum(errors.values())}"
          f"{' ' + json.dumps(errors) if errors else ''}")
    print(f"  all       p50 {percentile(every, 50) * 1000:7.0f} ms   p95 {percentile(every, 95) * 1000:7.0f} ms")
    for kind, _ in MIX:
        values = latencies.get(kind, [])
        print(f"  {kind:<9} p50 {percentile(values, 50) * 1000:7.0f} ms   p95 {percentile(values, 95) * 1000:7.0f} ms"
              f"   n={len(values)}")
    print(json.dumps({
        "bench": "serve", "sources": args.sources, "workers": args.workers, "clients": args.clients, "seconds": round(wall, 1),
        "requests": done, "rps": round(done / wall, 1), "errors": sum(errors.values()),
        "p50_ms": round(percentile(every, 50) * 1000), "p95_ms": round(percentile(every, 95) * 1000),
        "by_call": {k: {"n": len(v), "p50_ms": round(percentile(v, 50) * 1000),
                        "p95_ms": round(percentile(v, 95) * 1000)} for k, v in latencies.items()},
    }))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
