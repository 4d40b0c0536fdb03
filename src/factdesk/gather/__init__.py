"""Gather: find and fetch the sources for a question or claim, as a desk researcher would.

The question becomes several searches (``queries``); every search runs before anything is
fetched, so a failing engine leaves the library untouched. Results are merged by
normalised URL, fetched politely (``polite``: robots.txt, per-host spacing, the safe
fetcher) and cached with their retrieval time (``cache``), parsed by ingest's own
parsers, grouped so that reposted copies of one article count as one origin (``dedupe``),
classified by kind of outlet (``kinds``) and only then stored in the library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from factdesk import ingest as ingest_stage
from factdesk.gather.cache import CacheError, PageCache, default_cache_dir
from factdesk.gather.dedupe import Copy, choose_original, fingerprint, near_duplicate, normalise_url
from factdesk.gather.engines import Engine, SearchError, SearchResult, engine_from_env
from factdesk.gather.kinds import KIND_LABELS, KINDS, classify
from factdesk.gather.page import PageSignals, page_signals
from factdesk.gather.polite import PoliteFetcher
from factdesk.gather.queries import Query, build_queries
from factdesk.ingest.fetch import Fetched, FetchError
from factdesk.library import Library, LibraryError
from factdesk.model import Paragraph, Report, Source

__all__ = ["GatherError", "GatherResult", "Skipped", "Taken", "attach", "gather"]


class GatherError(LibraryError):
    """Gathering could not run (no engine, the engine failed, nothing cached offline)."""


@dataclass(slots=True)
class QueryRun:
    text: str
    aim: str
    results: int


@dataclass(slots=True)
class Taken:
    """One origin stored in the library, with the reposted copies counted as it."""

    url: str
    source_id: str
    status: str  # ingested | duplicate | new_version (as Library.add_source says)
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    retrieved: str | None = None
    kind: str | None = None  # one of kinds.KINDS, None when no rule tells
    found_by: list[str] = field(default_factory=list)  # the aims of the queries that found it
    copies: list[str] = field(default_factory=list)  # URLs of reposted copies (not stored)
    original_elsewhere: str | None = None  # the canonical URL all copies name, when not fetched


@dataclass(slots=True)
class Skipped:
    url: str
    reason: str


@dataclass(slots=True)
class GatherResult:
    question: str
    mode: str
    engine: str
    offline: bool
    cache_dir: str
    queries: list[QueryRun] = field(default_factory=list)
    taken: list[Taken] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    not_tried: int = 0  # results left unfetched once max_results origins were taken
    warnings: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KINDS}
        for page in self.taken:
            if page.kind:
                counts[page.kind] += 1
        return counts

    def notes(self) -> dict:
        """The JSON form, for ``Report.extra["gather"]``."""
        payload = asdict(self)
        payload["kinds"] = self.kinds
        return payload

    def lines(self) -> list[str]:
        """What was taken, what was skipped and why, the kinds found and the warnings."""
        where = f"the cache {self.cache_dir}" if self.offline else self.engine
        results = sum(q.results for q in self.queries)
        out = [f"searched {where} with {len(self.queries)} queries ({results} results)"]
        out.append(f"taken {len(self.taken)} origin{'s' if len(self.taken) != 1 else ''}:")
        for page in self.taken:
            date = f" ({page.published[:10]})" if page.published else ""
            out.append(f"  [{page.kind or 'unknown'}] {page.url}{date} {page.status} as {page.source_id}")
            if page.title:
                out.append(f"      {page.title}")
            for copy in page.copies:
                out.append(f"      same article at {copy} (counted once)")
            if page.original_elsewhere:
                out.append(f"      copies name {page.original_elsewhere} as the original")
        if self.skipped:
            out.append(f"skipped {len(self.skipped)}:")
            out.extend(f"  {s.url}: {s.reason}" for s in self.skipped)
        if self.not_tried:
            out.append(f"not fetched: {self.not_tried} further results (the limit of origins was reached)")
        found = ", ".join(f"{KIND_LABELS[k]} {n}" for k, n in self.kinds.items() if n)
        out.append(f"kinds found: {found or 'none recognised'}")
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


@dataclass(slots=True)
class _Page:
    """A fetched and parsed page waiting to be stored."""

    url: str  # as found in the results
    key: str  # normalised final URL
    source: Source
    signals: PageSignals
    fingerprint: frozenset[int]
    found: int
    found_by: list[str]


def gather(
    library: Library,
    text: str,
    *,
    mode: str = "question",
    engine: str | Engine | None = None,
    max_results: int = 10,
    offline: bool = False,
    allow_private: bool = False,
    cache_dir: str | Path | None = None,
    delay: float = 1.0,
    timeout: float = 15.0,
    max_bytes: int = 20_000_000,
) -> GatherResult:
    """Search for ``text`` (a question, or a claim with ``mode="claim"``), fetch up to
    ``max_results`` distinct origins, store them in ``library`` and say what happened.

    ``engine`` is a name (searxng | brave | bing), an Engine, or None for the configured
    default. ``offline`` replays the cached searches and pages instead of the network.
    ``delay`` is the least time between two requests to one host (robots.txt's
    Crawl-delay can lengthen it). Raises GatherError when no search can be run."""
    if mode not in ("question", "claim"):
        raise GatherError(f"mode must be 'question' or 'claim', not {mode!r}")
    if not text or not text.strip():
        raise GatherError("nothing to search for: the question is empty")
    if max_results < 1:
        raise GatherError(f"max_results must be at least 1, not {max_results}")
    if delay < 0 or timeout <= 0:
        raise GatherError("delay must not be negative and timeout must be positive")
    cache = PageCache(cache_dir or default_cache_dir(getattr(library.store, "path", None)))
    queries = build_queries(text, mode)
    try:
        engine_name, searches = _search(queries, engine, max_results, cache, offline, timeout)
        result = GatherResult(text, mode, engine_name, offline, str(cache.directory))
        result.queries = [QueryRun(q.text, q.aim, len(found)) for q, found in searches]
        fetcher = None if offline else PoliteFetcher(
            allow_private=allow_private, delay=delay, timeout=timeout, max_bytes=max_bytes
        )
        groups = _collect(searches, fetcher, cache, max_results, result)
    except CacheError as error:
        raise GatherError(str(error)) from None
    _store(library, groups, result)
    result.warnings = _warnings(result, queries)
    return result


def attach(report: Report, result: GatherResult) -> Report:
    """Put gather's notes in a report: the JSON under ``gather``, the copies counted once
    and the missing kinds or sides among the limitations."""
    report.extra["gather"] = result.notes()
    numbers = {s.id: s.n for s in report.sources}
    for page in result.taken:
        if page.copies:
            n = numbers.get(page.source_id)
            report.limitations.append(Paragraph(
                f"{_join(page.copies)} repeat{'s' if len(page.copies) == 1 else ''} the article at "
                f"{page.url}; they are counted as one source, not as independent confirmation.",
                cites=[n] if n else [],
            ))
    report.limitations.extend(Paragraph(w) for w in result.warnings)
    return report


# ---- searching ------------------------------------------------------------------------------
def _search(queries: list[Query], engine, count: int, cache: PageCache, offline: bool, timeout: float):
    """Every query's results, all or nothing: the engine's answers, or the cached ones offline."""
    if offline:
        cached = [(q, cache.results(q.text)) for q in queries]
        if not any(hit for _, hit in cached):
            raise GatherError(
                f"offline: nothing cached for this question in {cache.directory} (run it once without --offline)"
            )
        names = {hit[0] for _, hit in cached if hit}
        return "/".join(sorted(names)), [(q, hit[1] if hit else []) for q, hit in cached]
    try:
        if engine is None or isinstance(engine, str):
            engine = engine_from_env(engine, timeout=timeout)
    except SearchError as error:
        raise GatherError(str(error)) from None
    searches: list[tuple[Query, list[SearchResult]]] = []
    for query in queries:
        try:
            searches.append((query, engine.search(query.text, count)))
        except SearchError as error:
            raise GatherError(f"search failed for {query.text!r}: {error}; nothing was fetched or stored") from None
    for query, found in searches:  # cached only once every search has answered
        cache.save_results(engine.name, query.text, found)
    return engine.name, searches


def _candidates(searches) -> tuple[list[tuple[str, SearchResult, list[str]]], list[Skipped]]:
    """Results in rank order across queries (each query's first, then each one's second, ...),
    one per normalised URL, with the aims of every query that found it."""
    by_key: dict[str, tuple[str, SearchResult, list[str]]] = {}
    order: list[str] = []
    skipped: list[Skipped] = []
    depth = max((len(found) for _, found in searches), default=0)
    for rank in range(depth):
        for query, found in searches:
            if rank >= len(found):
                continue
            hit = found[rank]
            key = normalise_url(hit.url)
            if key not in by_key:
                by_key[key] = (hit.url, hit, [query.aim])
                order.append(key)
                continue
            first_url, _, aims = by_key[key]
            if query.aim not in aims:
                aims.append(query.aim)
            if hit.url != first_url and all(s.url != hit.url for s in skipped):
                skipped.append(Skipped(hit.url, f"same page as {first_url}"))
    return [by_key[k] for k in order], skipped


# ---- fetching and grouping --------------------------------------------------------------------
def _collect(searches, fetcher: PoliteFetcher | None, cache: PageCache, limit: int, result: GatherResult):
    """Fetch candidates until ``limit`` distinct origins are found; returns the groups of
    copies of one article (each a list of pages, in the order found)."""
    candidates, result.skipped = _candidates(searches)
    groups: list[list[_Page]] = []
    for found, (url, hit, aims) in enumerate(candidates):
        if len(groups) >= limit:
            result.not_tried = len(candidates) - found
            break
        page = _page(url, hit, aims, found, fetcher, cache, result)
        if page is None:
            continue
        same_url = next((g for g in groups if any(p.key == page.key for p in g)), None)
        if same_url is not None:
            result.skipped.append(Skipped(url, f"redirects to {same_url[0].url}, already taken"))
            continue
        group = next((g for g in groups if any(near_duplicate(p.fingerprint, page.fingerprint) for p in g)), None)
        if group is None:
            groups.append([page])
        else:
            group.append(page)
    return groups


def _page(url, hit, aims, found, fetcher, cache: PageCache, result: GatherResult) -> _Page | None:
    """One candidate fetched (or read from the cache offline) and parsed; None when skipped."""
    if fetcher is None:
        fetched = cache.page(url)
        if fetched is None:
            result.skipped.append(Skipped(url, "not in the cache (it was not fetched when online)"))
            return None
    else:
        try:
            fetched = fetcher.fetch(url)
        except FetchError as error:
            result.skipped.append(Skipped(url, str(error)))
            return None
        cache.save_page(fetched)
    source, error = _parse(fetched)
    if source is None:
        result.skipped.append(Skipped(url, error or "unreadable"))
        return None
    if not source.published and hit.published:
        source.published = hit.published
    signals = page_signals(fetched)
    return _Page(url, normalise_url(fetched.final_url), source, signals, fingerprint(source.text), found, aims)


def _parse(fetched: Fetched) -> tuple[Source | None, str | None]:
    """A fetched page through ingest's own format dispatch and parsers (as ``ingest.read``
    does for a URL), so a page read from the cache becomes exactly the Source it was."""
    loaded = list(ingest_stage.parse_fetched(fetched))
    for item in loaded:
        if item.source is not None:
            return item.source, None
    return None, loaded[0].error if loaded else "no text"


# ---- storing ----------------------------------------------------------------------------------
def _store(library: Library, groups: list[list[_Page]], result: GatherResult) -> None:
    """Store each group's original; its copies are named, not stored."""
    for group in groups:
        copies = [
            Copy(p.key, normalise_url(p.signals.canonical) if p.signals.canonical else None,
                 p.source.published, p.found)
            for p in group
        ]
        chosen, elsewhere = choose_original(copies)
        original = group[copies.index(chosen)]
        others = [p for p in group if p is not original]
        source = original.source
        kind = classify(source.url, source.publisher, original.signals, source.outlet_kind)
        source.outlet_kind = kind or source.outlet_kind
        outcome = library.add_source(source)
        if outcome.status == "failed":
            result.skipped.append(Skipped(original.url, f"could not be stored: {outcome.message}"))
            continue
        result.taken.append(Taken(
            url=source.url or original.url, source_id=source.id, status=outcome.status,
            title=source.title, publisher=source.publisher, published=source.published,
            retrieved=source.retrieved, kind=kind,
            found_by=sorted({aim for p in group for aim in p.found_by}),
            copies=[p.source.url or p.url for p in others], original_elsewhere=elsewhere,
        ))
        result.skipped.extend(
            Skipped(p.url, f"the same article as {source.url or original.url} (near-duplicate text)") for p in others
        )


def _warnings(result: GatherResult, queries: list[Query]) -> list[str]:
    warnings: list[str] = []
    if not result.taken:
        warnings.append("No sources were gathered: the searches found nothing that could be fetched and read.")
        return warnings
    missing = [KIND_LABELS[k] for k, n in result.kinds.items() if not n]
    if missing:
        warnings.append(f"The gathered sources include no {_join(missing, 'or')} sources; "
                        "their figures and positions may be missing from this report.")
    # Each side's own wording should bring in at least one origin.
    for query in (q for q in queries if q.aim in ("asked", "checked")):
        if not any(query.aim in page.found_by for page in result.taken):
            warnings.append(f"No source was taken from the search {query.text!r}, "
                            "so pages framing the question that way may be missing.")
    return warnings


def _join(items: list[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]
