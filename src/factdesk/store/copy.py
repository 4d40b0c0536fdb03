"""Copy a library from one store to another (e.g. an SQLite file to PostgreSQL).

The copy is idempotent: a source the target already holds is skipped, so an interrupted
copy is finished by running it again. Each source is written in its own transaction (a
target never holds half a source); the source store is read in batches. Versions of one
URL are copied oldest first, so the target records the same version chains.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable

from factdesk.model import Source
from factdesk.store.base import Store

BATCH_SIZE = 500

CopyProgress = Callable[[int, int], None]  # (sources done, sources in all)


@dataclass(slots=True)
class CopyResult:
    copied: int = 0
    skipped: int = 0  # already in the target

    @property
    def total(self) -> int:
        return self.copied + self.skipped


def copy_order(store: Store) -> list[Source]:
    """The sources of ``store`` by date, except that versions of one URL keep their order."""
    sources = store.sources()
    per_url: dict[str, int] = defaultdict(int)
    for s in sources:
        if s.url:
            per_url[s.url] += 1
    versions = {url: deque(store.sources_by_url(url)) for url, n in per_url.items() if n > 1}
    return [versions[s.url].popleft() if s.url in versions else s for s in sources]


def copy_library(
    source: Store,
    target: Store,
    *,
    batch_size: int = BATCH_SIZE,
    progress: CopyProgress | None = None,
) -> CopyResult:
    """Copy every source of ``source``, with its sentences, figures and statements, into
    ``target``; sources already there are skipped."""
    result = CopyResult()
    pending = copy_order(source)
    total = len(pending)
    if progress:
        progress(0, total)
    for first in range(0, total, batch_size):
        batch = [s for s in pending[first : first + batch_size] if not target.has_source(s.id)]
        result.skipped += min(batch_size, total - first) - len(batch)
        ids = [s.id for s in batch]
        figures, statements = defaultdict(list), defaultdict(list)
        for f in source.figures(source_ids=ids) if ids else []:
            figures[f.source_id].append(f)
        for st in source.statements(source_ids=ids) if ids else []:
            statements[st.source_id].append(st)
        for s in batch:
            added = target.add(s, source.sentences(s.id), figures[s.id], statements[s.id]).added
            # Another writer may have stored it since the check above.
            result.copied += added
            result.skipped += not added
        pending[first : first + batch_size] = [None] * min(batch_size, total - first)  # let texts go
        if progress:
            progress(min(first + batch_size, total), total)
    return result
