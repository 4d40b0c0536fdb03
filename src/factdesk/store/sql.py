"""What the SQL stores share: the reading queries, written once, and the conversions
between model objects and table rows.

A store subclasses ``SQLStore`` and supplies only what its database does its own way: the
parameter placeholder, how a list of ids or of (source id, sentence index) keys is passed
to a query, the full-text queries, and the column that keeps insertion order. Its cursors
yield rows that are read by column name (``sqlite3.Row``, psycopg's ``dict_row``).
"""

from __future__ import annotations

import json
import re
import threading
from abc import ABC, abstractmethod
from typing import Any, Callable, Iterable, Mapping, Self

from factdesk.model import Figure, Period, Sentence, Source, Statement
from factdesk.store.base import AddResult, AmbiguousSourceId, SentenceHit, StoreError

APPLICATION = "factdesk"
MIN_PREFIX = 4

_THOUSANDS = re.compile(r"(?<=\d)[,\u2009\u202f](?=\d{3}(?!\d))")
_QUERY_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W_]+")
STOP_WORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have
    how i if in into is it its many much of on or so than that the their there these they
    this those to was were what when where which who whom why will with would you your
    about after before over under between during per each every all any some more most
    no not only other such""".split()
)

SOURCE_COLUMNS = "id, url, title, publisher, authors, published, retrieved, outlet_kind, origin, pages, text"
FIGURE_COLUMNS = (
    'id, source_id, sentence_index, start, "end", surface, value, quote, quote_start, quote_end, '
    "value_high, approx, unit, subject, scope, kind, as_of, period_start, period_end, year, "
    "attribution, speaker_kind, hedges"
)
STATEMENT_COLUMNS = 'source_id, sentence_index, start, "end", text, speaker, speaker_kind, id'
_FIGURE_SELECT = ", ".join(f"figures.{c.strip()}" for c in FIGURE_COLUMNS.split(","))
_SENTENCE_SELECT = 's.source_id, s.idx, s.start, s."end", s.text'

Row = Mapping[str, Any]


def index_text(text: str) -> str:
    """The copy of a text that full-text search indexes: numbers lose their thousands separators."""
    return _THOUSANDS.sub("", text)


def content_words(query: str) -> list[str]:
    """The distinct words of a question worth searching for: lowercased, no stop words,
    no one-letter words (one digit is kept), numbers without thousands separators."""
    tokens = list(dict.fromkeys(t.lower() for t in _QUERY_TOKEN.findall(index_text(query))))
    return [t for t in tokens if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]


# --- model objects to rows and back -------------------------------------------------------


def source_values(source: Source, version_of: str | None) -> tuple:
    """The values of SOURCE_COLUMNS, then version_of."""
    return (
        source.id, source.url, source.title, source.publisher, json.dumps(source.authors),
        source.published, source.retrieved, source.outlet_kind, source.origin,
        json.dumps(source.pages), source.text, version_of,
    )


def figure_values(f: Figure) -> tuple:
    """The values of FIGURE_COLUMNS."""
    period = f.period or Period()
    return (
        f.id, f.source_id, f.sentence_index, f.start, f.end, f.surface, f.value,
        f.quote, f.quote_start, f.quote_end, f.value_high, f.approx, f.unit, f.subject,
        f.scope, f.kind, f.as_of, period.start, period.end, f.year, f.attribution,
        f.speaker_kind, json.dumps(f.hedges),
    )


def statement_values(s: Statement) -> tuple:
    """The values of STATEMENT_COLUMNS."""
    return (s.source_id, s.sentence_index, s.start, s.end, s.text, s.speaker, s.speaker_kind, s.id)


def _sentence_from(row: Row) -> Sentence:
    return Sentence(row["source_id"], row["idx"], row["start"], row["end"], row["text"])


def _statement_from(row: Row) -> Statement:
    return Statement(
        row["source_id"], row["sentence_index"], row["start"], row["end"], row["text"],
        row["speaker"], row["speaker_kind"], row["id"],
    )


# --- the vectors of sentences ---------------------------------------------------------------


def vector_matrix(rows: list[tuple[str, int, bytes]]) -> tuple[list[tuple[str, int]], Any]:
    """(source id, sentence index) keys and the (n, d) float32 matrix of stored vectors."""
    import numpy as np

    keys = [(r[0], r[1]) for r in rows]
    matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), -1) if rows else None
    return keys, matrix


def nearest(keys: list[tuple[str, int]], matrix: Any, query: Any, limit: int) -> list[SentenceHit]:
    """The ``limit`` rows of ``matrix`` nearest the unit vector ``query`` by cosine, best first."""
    import numpy as np

    if not keys or limit < 1:
        return []
    scores = matrix @ np.asarray(query, dtype=np.float32)
    top = np.argpartition(-scores, limit - 1)[:limit] if limit < len(keys) else np.arange(len(keys))
    ranked = sorted(top.tolist(), key=lambda i: (-scores[i], keys[i]))
    return [SentenceHit(*keys[i], float(scores[i])) for i in ranked]


class SQLStore(ABC):
    """The reading half of ``factdesk.store.base.Store`` over the shared tables
    (see the module docstring for what a subclass supplies)."""

    schema_version: int
    name: str  # the library as shown in messages
    P: str  # the parameter placeholder: "?" or "%s"
    SEQ: str  # the column that numbers rows in the order they were added
    # Full-text queries for plain words, strict to loose (see base.query_tiers).
    match_queries: Callable[[str], list[str]]
    # Figures matching one full-text query (its parameter first), best first; formatted with
    # the figure columns, the other conditions and the LIMIT clause.
    FIGURES_MATCHING: str
    # Sentences matching one full-text query, best first: source_id, idx and score (higher
    # is better); parameters are the query and the limit.
    SENTENCES_MATCHING: str

    def __init__(self) -> None:
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False
        self._vectors: tuple[tuple[int, int], list[tuple[str, int]], Any] | None = None  # stamp, keys, matrix
        self._prepare()

    @abstractmethod
    def _prepare(self) -> None:
        """Create the schema of a new library, migrate an older one, refuse anything else."""

    @abstractmethod
    def _add(
        self, source: Source, sentences: list[Sentence], figures: list[Figure], statements: list[Statement]
    ) -> AddResult:
        """``add`` once every item is known to belong to ``source``."""

    @abstractmethod
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """The rows of one query; a database error becomes a one-line StoreError."""

    @abstractmethod
    def _in(self, column: str, values: Iterable[str]) -> tuple[str, list[Any]]:
        """A condition that ``column`` is one of ``values``, and its parameters."""

    @abstractmethod
    def _keys(self, keys: Iterable[tuple[str, int]]) -> tuple[str, list[Any]]:
        """A relation ``k(sid, i)`` of (source id, sentence index) keys, and its parameters."""

    @abstractmethod
    def _load_json(self, value: Any) -> Any:
        """A JSON column's value as Python data."""

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _schema_version(self, meta: dict[str, str], foreign: str) -> int:
        """The schema version that the ``meta`` table records; refuses a database that is not
        a factdesk library (``foreign`` says so in the store's words) and newer schemas."""
        if meta.get("application") != APPLICATION or not meta.get("schema_version", "").isdigit():
            raise StoreError(foreign)
        version = int(meta["schema_version"])
        if version > self.schema_version:
            raise StoreError(
                f"{self.name} was written by a newer factdesk (schema {version}; "
                f"this version reads up to {self.schema_version}); upgrade factdesk"
            )
        return version

    # -- writing ------------------------------------------------------------------

    def add(
        self,
        source: Source,
        sentences: list[Sentence],
        figures: list[Figure],
        statements: list[Statement],
    ) -> AddResult:
        for item in (*sentences, *figures, *statements):
            if item.source_id != source.id:
                raise StoreError(
                    f"{type(item).__name__} belongs to source {item.source_id}, not {source.id}"
                )
        return self._add(source, sentences, figures, statements)

    # -- reading ------------------------------------------------------------------

    def _source_from(self, row: Row) -> Source:
        return Source(
            id=row["id"], url=row["url"], title=row["title"], publisher=row["publisher"],
            authors=self._load_json(row["authors"]), published=row["published"],
            retrieved=row["retrieved"], outlet_kind=row["outlet_kind"], origin=row["origin"],
            pages=self._load_json(row["pages"]), text=row["text"],
        )

    def _figure_from(self, row: Row) -> Figure:
        period = None
        if row["period_start"] is not None or row["period_end"] is not None:
            period = Period(row["period_start"], row["period_end"])
        return Figure(
            id=row["id"], source_id=row["source_id"], sentence_index=row["sentence_index"],
            start=row["start"], end=row["end"], surface=row["surface"], value=row["value"],
            quote=row["quote"], quote_start=row["quote_start"], quote_end=row["quote_end"],
            value_high=row["value_high"], approx=row["approx"], unit=row["unit"],
            subject=row["subject"], scope=row["scope"], kind=row["kind"], as_of=row["as_of"],
            period=period, year=row["year"], attribution=row["attribution"],
            speaker_kind=row["speaker_kind"], hedges=self._load_json(row["hedges"]),
        )

    def has_source(self, source_id: str) -> bool:
        return bool(self._rows(f"SELECT 1 FROM sources WHERE id = {self.P}", (source_id,)))

    def sources(self, *, limit: int | None = None, offset: int = 0, with_text: bool = True) -> list[Source]:
        columns = SOURCE_COLUMNS if with_text else SOURCE_COLUMNS.replace(", text", ", '' AS text")
        sql = f"SELECT {columns} FROM sources ORDER BY published IS NULL, published, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [self._source_from(r) for r in self._rows(sql)]

    def source(self, source_id: str) -> Source | None:
        rows = self._rows(f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id = {self.P}", (source_id,))
        if not rows and len(source_id) >= MIN_PREFIX:
            prefix = source_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._rows(
                f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id LIKE {self.P} ESCAPE '\\' ORDER BY id LIMIT 6",
                (prefix + "%",),
            )
            if len(rows) > 1:
                shown = ", ".join(r["id"] for r in rows[:5])
                raise AmbiguousSourceId(
                    f"source id prefix {source_id!r} is ambiguous: it matches {shown}"
                    f"{' and more' if len(rows) > 5 else ''}; give more characters"
                )
        return self._source_from(rows[0]) if rows else None

    def sources_by_url(self, url: str) -> list[Source]:
        rows = self._rows(f"SELECT {SOURCE_COLUMNS} FROM sources WHERE url = {self.P} ORDER BY {self.SEQ}", (url,))
        return [self._source_from(r) for r in rows]

    def sentences(self, source_id: str) -> list[Sentence]:
        rows = self._rows(
            f"SELECT {_SENTENCE_SELECT} FROM sentences s WHERE s.source_id = {self.P} ORDER BY s.idx",
            (source_id,),
        )
        return [_sentence_from(r) for r in rows]

    def sentence(self, source_id: str, index: int) -> Sentence | None:
        rows = self._rows(
            f"SELECT {_SENTENCE_SELECT} FROM sentences s WHERE s.source_id = {self.P} AND s.idx = {self.P}",
            (source_id, index),
        )
        return _sentence_from(rows[0]) if rows else None

    def sentences_at(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Sentence]:
        relation, params = self._keys(keys)
        rows = self._rows(
            f"SELECT {_SENTENCE_SELECT} FROM sentences s JOIN {relation} ON s.source_id = k.sid AND s.idx = k.i",
            params,
        )
        return {(r["source_id"], r["idx"]): _sentence_from(r) for r in rows}

    def titles(self, source_ids: Iterable[str]) -> dict[str, str]:
        condition, params = self._in("id", source_ids)
        rows = self._rows(f"SELECT id, title FROM sources WHERE {condition}", params)
        return {r["id"]: r["title"] or "" for r in rows}

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
        where, params = ["TRUE"], []
        if sentences is not None:
            relation, keys = self._keys(sentences)
            where.append(f"(figures.source_id, figures.sentence_index) IN (SELECT k.sid, k.i FROM {relation})")
            params += keys
        if source_id is not None:
            where.append(f"figures.source_id = {self.P}")
            params.append(source_id)
        if source_ids is not None:
            condition, ids = self._in("figures.source_id", source_ids)
            where.append(condition)
            params += ids
        if kind is not None:
            where.append(f"figures.kind = {self.P}")
            params.append(kind)
        clause = " AND ".join(where)
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        if about is None:
            sql = f"SELECT {_FIGURE_SELECT} FROM figures WHERE {clause} ORDER BY source_id, start{tail}"
            return [self._figure_from(r) for r in self._rows(sql, params)]
        for match in self.match_queries(about):
            # The best-matching figures first, then shown in source order.
            sql = self.FIGURES_MATCHING.format(columns=_FIGURE_SELECT, where=clause, limit=tail)
            rows = self._rows(sql, [match, *params])
            if rows:
                return sorted((self._figure_from(r) for r in rows), key=lambda f: (f.source_id, f.start))
        return []

    def statements(self, *, source_ids: Iterable[str] | None = None) -> list[Statement]:
        sql = f"SELECT {STATEMENT_COLUMNS} FROM statements"
        params: list[Any] = []
        if source_ids is not None:
            condition, params = self._in("source_id", source_ids)
            sql += f" WHERE {condition}"
        return [_statement_from(r) for r in self._rows(sql + " ORDER BY source_id, start", params)]

    def search(self, query: str, limit: int = 50) -> list[SentenceHit]:
        hits: list[SentenceHit] = []
        for match in self.match_queries(query):
            rows = self._rows(self.SENTENCES_MATCHING, (match, limit))
            hits = [SentenceHit(r["source_id"], r["idx"], float(r["score"])) for r in rows]
            if len(hits) >= limit // 2:
                break
        return hits

    def count(self) -> dict[str, int]:
        return {
            table: self._rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
            for table in ("sources", "sentences", "figures", "statements")
        }

    # -- sentence vectors (optional; see factdesk.embed) --------------------------------

    def vector_model(self) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = 'vector_model'")
        return rows[0]["value"] if rows else None

    def _vector_size(self, meta: dict[str, str], source_id: str, rows: list[tuple[int, bytes]], model: str) -> int:
        """The size in bytes of every vector of the library, whose ``meta`` (vector_model,
        vector_bytes) is given; refuses vectors of another model or another size."""
        if meta.get("vector_model", model) != model:
            raise StoreError(f"library {self.name} holds vectors of model {meta['vector_model']}, not {model}")
        size = int(meta.get("vector_bytes", 0)) or len(rows[0][1])
        if any(len(vector) != size for _, vector in rows):
            raise StoreError(f"vectors of source {source_id} are not all {size} bytes long, as this library's are")
        return size

    def unembedded_sources(self) -> list[str]:
        """Ids of sources with sentences that have no vector yet."""
        rows = self._rows(
            f"SELECT DISTINCT s.source_id FROM sentences s LEFT JOIN sentence_vectors v ON v.sentence = s.{self.SEQ} "
            "WHERE v.sentence IS NULL ORDER BY s.source_id"
        )
        return [r["source_id"] for r in rows]

    def similar_sentences(self, query: Any, limit: int = 50) -> list[SentenceHit]:
        """The sentences whose vectors are nearest ``query`` (a unit vector), by cosine.
        The vectors are read once per process and again only after vectors were added."""
        return nearest(*self._vector_matrix(), query, limit)

    def _vector_matrix(self) -> tuple[list[tuple[str, int]], Any]:
        row = self._rows("SELECT COUNT(*) AS n, COALESCE(MAX(sentence), 0) AS last FROM sentence_vectors")[0]
        stamp = (row["n"], row["last"])
        with self._lock:
            if self._vectors is not None and self._vectors[0] == stamp:
                return self._vectors[1], self._vectors[2]
        rows = self._rows(
            f"SELECT s.source_id, s.idx, v.vector FROM sentence_vectors v JOIN sentences s ON s.{self.SEQ} = v.sentence "
            "ORDER BY v.sentence"
        )
        keys, matrix = vector_matrix([(r["source_id"], r["idx"], bytes(r["vector"])) for r in rows])
        with self._lock:
            self._vectors = (stamp, keys, matrix)
        return keys, matrix
