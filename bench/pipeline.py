"""Ingest-time stages on real text: segmentation, number finding and figure extraction.

Reads the labelled dev corpus from ../shared (skipped when absent) or any JSON Lines file of
sources, and prints throughput per stage. Usage: python bench/pipeline.py [SOURCES.jsonl ...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from factdesk.extract import extract
from factdesk.extract.numbers import find_numbers
from factdesk.model import Source
from factdesk.segment import segment

ROOT = Path(__file__).resolve().parents[1]


def load(paths: list[Path]) -> list[Source]:
    sources = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                sources.append(Source(text=row["text"], url=row.get("url"), published=row.get("published")))
    return sources


def timed(label: str, megabytes: float, repeat: int, func) -> None:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - began)
    print(f"{label:<22} {best * 1000:8.1f} ms   {best / megabytes:6.3f} s/MB")


def main() -> int:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT.parent / "shared" / "corpus" / "dev").glob("*/sources.jsonl"))
    if not paths:
        print("no sources: pass JSON Lines files, or put ../shared/corpus beside the project")
        return 1
    sources = load(paths)
    megabytes = sum(len(s.text.encode("utf-8")) for s in sources) / 1e6
    print(f"{len(sources)} sources, {megabytes:.3f} MB")
    segmented = {s.id: segment(s.text, s.id) for s in sources}
    timed("segment", megabytes, 5, lambda: [segment(s.text, s.id) for s in sources])
    timed("find_numbers", megabytes, 5, lambda: [find_numbers(s.text) for s in sources])
    timed("extract (all stages)", megabytes, 3, lambda: [extract(s, segmented[s.id]) for s in sources])
    return 0


if __name__ == "__main__":
    sys.exit(main())
