"""Library: the one Python API that the CLI, the web app and the tests all call.

It runs the pipeline's stages over the store: ingest -> segment -> extract -> store at
ingest time, and frame -> retrieve -> relate -> judge -> compose when asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from factdesk.model import Figure, Report, Sentence, Source, Statement
from factdesk.store import open_store
from factdesk.store.base import AmbiguousSourceId, Store, StoreError


class LibraryError(Exception):
    """A request the library cannot serve; the message is one line for the user."""


@dataclass(slots=True)
class IngestOutcome:
    origin: str
    status: str  # ingested | duplicate | new_version | failed
    source_id: str | None = None
    title: str | None = None
    message: str = ""


@dataclass(slots=True)
class IngestSummary:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def line(self) -> str:
        added = self.count("ingested", "new_version")
        return (
            f"ingested {added} source{'s' if added != 1 else ''} "
            f"({self.count('duplicate')} duplicates, {self.failed} failed) in {self.seconds:.1f} s"
        )


Progress = Callable[[int, int, str], None]  # (done targets, total targets, current origin)


class Library:
    """A library of sources in one store (a SQLite file by default)."""

    def __init__(self, location: str | None = None, *, store: Store | None = None, embedder=None):
        self.store = store if store is not None else open_store(location)
        # With an embedder (factdesk.embed), each ingested sentence gets a vector (as it does
        # in a library that already has vectors), and questions asked here are encoded by it.
        self.embedder = embedder
        if embedder is not None:
            from factdesk.embed import use_embedder

            use_embedder(embedder)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- ingest -------------------------------------------------------------------
    def ingest(
        self,
        targets: Iterable[str],
        *,
        allow_private: bool = False,
        progress: Progress | None = None,
        on_outcome: Callable[[IngestOutcome], None] | None = None,
    ) -> IngestSummary:
        """Read, segment, extract and store every target; one failure never stops the batch."""
        from factdesk import ingest as ingest_stage  # readers load trafilatura and pdfminer: only when ingesting

        began = time.perf_counter()
        summary = IngestSummary()
        expanded = ingest_stage.expand_targets(list(targets))
        for done, target in enumerate(expanded):
            if progress:
                progress(done, len(expanded), target)
            for loaded in ingest_stage.read(target, allow_private=allow_private):
                outcome = self._store_loaded(loaded)
                summary.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
        if progress:
            progress(len(expanded), len(expanded), "")
        summary.seconds = time.perf_counter() - began
        return summary

    def ingest_bytes(self, name: str, data: bytes, *, max_bytes: int = 20_000_000) -> list[IngestOutcome]:
        """Read and store uploaded content named ``name`` (its extension picks the reader, else
        its content); origins read ``upload:NAME`` (with ``:LINE`` for JSON Lines)."""
        import tempfile
        from pathlib import Path

        from factdesk import ingest as ingest_stage

        outcomes: list[IngestOutcome] = []
        with tempfile.TemporaryDirectory(prefix="factdesk-upload-") as folder:
            path = Path(folder) / Path(name).name
            path.write_bytes(data)
            for loaded in ingest_stage.read(str(path), max_bytes=max_bytes):
                origin = "upload:" + path.name + loaded.origin[len(str(path)):]
                if loaded.source is not None:
                    loaded.source.origin = origin
                loaded.origin = origin
                outcomes.append(self._store_loaded(loaded))
        return outcomes

    def add_source(self, source: Source) -> IngestOutcome:
        """Segment, extract and store one already-read source."""
        from factdesk.ingest import Loaded

        return self._store_loaded(Loaded(source.origin or source.url or source.id, source, None))

    def _store_loaded(self, loaded) -> IngestOutcome:
        if loaded.source is None:
            return IngestOutcome(loaded.origin, "failed", message=loaded.error or "unreadable")
        source = loaded.source
        if self.store.has_source(source.id):
            return IngestOutcome(loaded.origin, "duplicate", source.id, source.title)
        try:
            sentences, figures, statements = analyse_text(source)
            result = self.store.add(source, sentences, figures, statements)
            if result.added:
                from factdesk.embed import embed_new_source

                embed_new_source(self.store, self.embedder, source.id, sentences)
        except StoreError as err:
            return IngestOutcome(loaded.origin, "failed", source.id, source.title, str(err))
        except Exception as err:  # an extraction bug must not lose the batch; name it
            return IngestOutcome(
                loaded.origin, "failed", source.id, source.title, f"{type(err).__name__}: {err}"
            )
        if not result.added:
            return IngestOutcome(loaded.origin, "duplicate", source.id, source.title)
        status = "new_version" if result.new_version_of else "ingested"
        message = f"new version of {result.new_version_of}" if result.new_version_of else ""
        return IngestOutcome(loaded.origin, status, source.id, source.title, message)

    # ---- reading --------------------------------------------------------------------
    def sources(self, *, limit: int | None = None, offset: int = 0, with_text: bool = True) -> list[Source]:
        """The library's sources, oldest first; a page of them with ``limit``/``offset``."""
        return self.store.sources(limit=limit, offset=offset, with_text=with_text)

    def source(self, source_id: str) -> Source:
        try:
            found = self.store.source(source_id)
        except AmbiguousSourceId as err:
            raise LibraryError(str(err)) from None
        if found is None:
            raise LibraryError(f"no source with id {source_id!r} in this library")
        return found

    def sentences(self, source_id: str) -> list[Sentence]:
        return self.store.sentences(self.source(source_id).id)

    def figures(
        self,
        *,
        about: str | None = None,
        source: str | None = None,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[Figure]:
        """Figures, filtered; ``limit`` keeps the best matches for ``about`` (else the first in
        source order)."""
        source_id = self.source(source).id if source else None
        return self.store.figures(source_id=source_id, kind=kind, about=about, limit=limit)

    def statements(self, source_ids: Iterable[str] | None = None) -> list[Statement]:
        return self.store.statements(source_ids=source_ids)

    def stats(self) -> dict[str, int]:
        return self.store.count()

    # ---- analysis -------------------------------------------------------------------
    def ask(self, question: str, *, writer: str = "deterministic", gathered=None) -> Report:
        """A cited report answering ``question``; ``gathered`` (a GatherResult) adds what
        gathering found and skipped to the report."""
        from factdesk.analyze import answer_question

        return _with_gathered(_write(answer_question(self.store, question), writer), gathered)

    def check(self, claim: str, *, writer: str = "deterministic", gathered=None) -> Report:
        from factdesk.analyze import check_claim

        return _with_gathered(_write(check_claim(self.store, claim), writer), gathered)

    def copy_to(self, location: str, *, batch_size: int = 500, progress=None):
        """Copy every source of this library into the library at ``location`` (a SQLite file
        or a postgresql:// URL); sources already there are skipped, so it can be re-run."""
        from factdesk.store import open_store
        from factdesk.store.copy import copy_library

        with open_store(location) as target:
            return copy_library(self.store, target, batch_size=batch_size, progress=progress)

    def embed(self, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Add sentence vectors to every source that lacks them (idempotent), with this
        library's embedder, else its vectors' model, else the configured one (factdesk.embed);
        returns how many sentences were encoded."""
        from factdesk.embed import backfill, load_embedder, missing_message

        if getattr(self.store, "add_vectors", None) is None:
            raise LibraryError("this library's store cannot keep sentence vectors")
        if not self.store.unembedded_sources():
            return 0  # nothing to do: not worth loading a model
        embedder = self.embedder or load_embedder(self.store.vector_model())
        if embedder is None:
            raise LibraryError(missing_message(self.store.vector_model()))
        return backfill(self.store, embedder, progress)

    def gather(self, text: str, **options):
        """Search for sources on a question (or a claim, ``mode="claim"``), fetch them politely
        and add them to this library; see factdesk.gather.gather for the options."""
        from factdesk.gather import gather

        return gather(self, text, **options)


def _with_gathered(report: Report, gathered) -> Report:
    if gathered is None:
        return report
    from factdesk.gather import attach

    return attach(report, gathered)


WRITERS = ("deterministic", "llm")


def _write(report: Report, writer: str) -> Report:
    """The report in the chosen writer's prose; the llm writer falls back to the deterministic one."""
    if writer not in WRITERS:
        raise LibraryError(f"unknown writer {writer!r} (choose one of: {', '.join(WRITERS)})")
    if writer == "llm":
        from factdesk.writer import write_report

        return write_report(report)
    return report


def analyse_text(source: Source) -> tuple[list[Sentence], list[Figure], list[Statement]]:
    """The ingest-time stages over one source: segment, then extract."""
    from factdesk.extract import extract  # loaded on first use: asking never needs it
    from factdesk.segment import segment

    sentences = segment(source.text, source.id)
    figures, statements = extract(source, sentences)
    return sentences, figures, statements


def extract_text(text: str, published: str | None = None) -> tuple[Source, list[Figure], list[Statement]]:
    """Figures and statements of a piece of text, without storing it (offsets into ``text``)."""
    source = Source(text=text, published=published, origin="<text>")
    _, figures, statements = analyse_text(source)
    return source, figures, statements
