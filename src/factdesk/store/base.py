"""The one interface every library store implements (SQLite now; a server database later).

Nothing outside ``factdesk.store`` knows which store it is talking to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from factdesk.model import Figure, Sentence, Source, Statement


def query_tiers(terms: list[str], all_of, any_of) -> list[str]:
    """Full-text queries from strict to loose, in a store's own syntax: every term; then any
    of the combinations lacking one term (a sentence that misses one asked word); then any
    term. The middle tier finds near misses without the cost of ranking every sentence that
    holds one common word, which a plain OR has in a large library."""
    if not terms:
        return []
    if len(terms) == 1:
        return [terms[0]]
    tiers = [all_of(terms)]
    if len(terms) >= 3:
        tiers.append(any_of([f"({all_of(terms[:i] + terms[i + 1:])})" for i in range(len(terms))]))
    tiers.append(any_of(terms))
    return tiers


class StoreError(Exception):
    """A library that cannot be opened or written; the message is one line for the user."""


class AmbiguousSourceId(StoreError):
    """A source id prefix that matches more than one source: the caller's input, not the store, is at fault."""


@dataclass(slots=True)
class SentenceHit:
    source_id: str
    index: int
    score: float  # higher is better


@dataclass(slots=True)
class AddResult:
    source_id: str
    added: bool  # False when the same content was already stored (a duplicate)
    new_version_of: str | None = None  # id of an earlier source with the same URL and other text


class Store(Protocol):
    schema_version: int

    def add(
        self,
        source: Source,
        sentences: list[Sentence],
        figures: list[Figure],
        statements: list[Statement],
    ) -> AddResult:
        """Store one source and everything extracted from it in one transaction.

        A source whose id is already stored changes nothing and returns added=False.
        """

    def has_source(self, source_id: str) -> bool: ...

    def sources(self, *, limit: int | None = None, offset: int = 0, with_text: bool = True) -> list[Source]:
        """Sources ordered by published date then id, a page of them with ``limit``/``offset``;
        ``with_text=False`` leaves their texts out (a listing needs only the metadata)."""

    def source(self, source_id: str) -> Source | None:
        """One source by id or by a unique id prefix."""

    def sources_by_url(self, url: str) -> list[Source]: ...

    def sentences(self, source_id: str) -> list[Sentence]: ...

    def sentence(self, source_id: str, index: int) -> Sentence | None: ...

    def sentences_at(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Sentence]:
        """Many sentences by (source id, index) in one read; missing keys are left out."""

    def titles(self, source_ids: Iterable[str]) -> dict[str, str]:
        """Titles of sources by id, without reading their texts ('' for none)."""

    def figures(
        self,
        *,
        source_id: str | None = None,
        kind: str | None = None,
        about: str | None = None,
        source_ids: Iterable[str] | None = None,
        sentences: Iterable[tuple[str, int]] | None = None,
        limit: int | None = None,
    ) -> list[Figure]:
        """Figures, filtered; ``about`` is a full-text match over the figure's subject,
        scope and sentence; ``sentences`` keeps those in the given (source id, index)
        sentences. Ordered by source then offset."""

    def statements(self, *, source_ids: Iterable[str] | None = None) -> list[Statement]: ...

    def search(self, query: str, limit: int = 50) -> list[SentenceHit]:
        """Ranked full-text search over sentences (BM25). ``query`` is plain words;
        the store builds its own query (AND first, then OR without stop words)."""

    def count(self) -> dict[str, int]:
        """Numbers of sources, sentences, figures and statements."""

    def close(self) -> None: ...


class VectorStore(Store, Protocol):
    """Optional: a store that also keeps one vector per sentence (see ``factdesk.embed``).

    Callers test for it with ``getattr(store, "vector_model", None)``; a store without these
    methods simply has no semantic search. Vectors are little-endian float32, L2-normalised.
    """

    def vector_model(self) -> str | None:
        """The model that made the library's vectors, or None while it has none."""

    def add_vectors(self, source_id: str, rows: list[tuple[int, bytes]], *, model: str) -> None:
        """Store vectors of a source's sentences as (sentence index, bytes); a sentence that
        already has one keeps it. Refuses a model other than the library's, or another size."""

    def unembedded_sources(self) -> list[str]:
        """Ids of sources with sentences that have no vector yet (what a backfill encodes)."""

    def similar_sentences(self, query, limit: int = 50) -> list[SentenceHit]:
        """The ``limit`` sentences nearest the unit vector ``query`` (numpy), score = cosine."""
