"""The default library store: one SQLite file with FTS5 full-text indexes.

The file is opened in WAL mode, so any number of readers run alongside one writer;
writers from other threads or processes wait (``busy_timeout``) instead of failing.
Each thread gets its own connection. A source and everything extracted from it is
written in one ``BEGIN IMMEDIATE`` transaction, so a library never holds half a source.

The schema is the ordered list ``_MIGRATIONS``: a new library runs all of them, an
older library runs the ones it lacks, and ``meta.schema_version`` records how far a
file has come.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable

from factdesk.model import Figure, Period, Sentence, Source, Statement
from factdesk.store.base import AddResult, AmbiguousSourceId, SentenceHit, StoreError, query_tiers

APPLICATION = "factdesk"
BUSY_TIMEOUT_MS = 60_000
MIN_PREFIX = 4

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    url TEXT, title TEXT, publisher TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT, retrieved TEXT, outlet_kind TEXT, origin TEXT,
    pages TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,
    version_of TEXT REFERENCES sources(id)
);
CREATE TABLE sentences (
    rowid INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (source_id, idx)
);
CREATE VIRTUAL TABLE sentences_fts USING fts5(
    body, content='', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE figures (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source_id TEXT NOT NULL REFERENCES sources(id),
    sentence_index INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    surface TEXT NOT NULL, value REAL NOT NULL, quote TEXT NOT NULL,
    quote_start INTEGER NOT NULL, quote_end INTEGER NOT NULL,
    value_high REAL, approx TEXT NOT NULL, unit TEXT NOT NULL,
    subject TEXT NOT NULL, scope TEXT NOT NULL, kind TEXT NOT NULL,
    as_of TEXT, period_start TEXT, period_end TEXT, year TEXT,
    attribution TEXT NOT NULL, speaker_kind TEXT NOT NULL,
    hedges TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX figures_source ON figures(source_id);
CREATE INDEX figures_kind ON figures(kind);
CREATE TABLE statements (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    sentence_index INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, speaker TEXT NOT NULL, speaker_kind TEXT NOT NULL
);
CREATE INDEX statements_source ON statements(source_id);
"""

# v2: look sources up by URL (new versions) and search figures by what they count.
_V2 = """
CREATE INDEX sources_url ON sources(url);
CREATE VIRTUAL TABLE figures_fts USING fts5(
    subject, scope, quote, content='', tokenize='porter unicode61 remove_diacritics 2'
);
"""


def _fill_figures_fts(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT rowid, subject, scope, quote FROM figures").fetchall()
    conn.executemany(
        "INSERT INTO figures_fts(rowid, subject, scope, quote) VALUES (?, ?, ?, ?)",
        [(r[0], index_text(r[1]), index_text(r[2]), index_text(r[3])) for r in rows],
    )


# v3: optional sentence vectors (float32 BLOBs, see factdesk.embed), keyed by the sentence's rowid.
_V3 = """
CREATE TABLE sentence_vectors (
    sentence INTEGER PRIMARY KEY REFERENCES sentences(rowid),
    vector BLOB NOT NULL
);
"""

_MIGRATIONS: list[tuple[str, Any]] = [(_V1, None), (_V2, _fill_figures_fts), (_V3, None)]
SCHEMA_VERSION = len(_MIGRATIONS)

_THOUSANDS = re.compile(r"(?<=\d)[,\u2009\u202f](?=\d{3}(?!\d))")
_QUERY_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W_]+")
STOP_WORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have
    how i if in into is it its many much of on or so than that the their there these they
    this those to was were what when where which who whom why will with would you your
    about after before over under between during per each every all any some more most
    no not only other such""".split()
)


def index_text(text: str) -> str:
    """The copy of a text that FTS indexes: numbers lose their thousands separators."""
    return _THOUSANDS.sub("", text)


def _quoted(tokens: list[str]) -> list[str]:
    # Tokens are letters and digits only; quoting makes each a literal phrase for FTS5,
    # so words like NEAR, AND, NOT never act as operators.
    return [f'"{t}"' for t in tokens]


def fts_queries(query: str) -> list[str]:
    """FTS5 queries over the content words of ``query``, strict to loose (see query_tiers)."""
    tokens = list(dict.fromkeys(t.lower() for t in _QUERY_TOKEN.findall(index_text(query))))
    content = [t for t in tokens if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]
    return query_tiers(_quoted(content), " AND ".join, " OR ".join)


def _source_row(source: Source, version_of: str | None) -> tuple:
    return (
        source.id, source.url, source.title, source.publisher, json.dumps(source.authors),
        source.published, source.retrieved, source.outlet_kind, source.origin,
        json.dumps(source.pages), source.text, version_of,
    )


def _figure_row(rowid: int, f: Figure) -> tuple:
    period = f.period or Period()
    return (
        rowid, f.id, f.source_id, f.sentence_index, f.start, f.end, f.surface, f.value,
        f.quote, f.quote_start, f.quote_end, f.value_high, f.approx, f.unit, f.subject,
        f.scope, f.kind, f.as_of, period.start, period.end, f.year, f.attribution,
        f.speaker_kind, json.dumps(f.hedges),
    )


_SOURCE_COLUMNS = "id, url, title, publisher, authors, published, retrieved, outlet_kind, origin, pages, text"
_FIGURE_COLUMNS = (
    'id, source_id, sentence_index, start, "end", surface, value, quote, quote_start, quote_end, '
    "value_high, approx, unit, subject, scope, kind, as_of, period_start, period_end, year, "
    "attribution, speaker_kind, hedges"
)
_FIGURE_SELECT = ", ".join(f"figures.{c.strip()}" for c in _FIGURE_COLUMNS.split(","))


def _source_from(row: sqlite3.Row) -> Source:
    return Source(
        id=row["id"], url=row["url"], title=row["title"], publisher=row["publisher"],
        authors=json.loads(row["authors"]), published=row["published"],
        retrieved=row["retrieved"], outlet_kind=row["outlet_kind"], origin=row["origin"],
        pages=json.loads(row["pages"]), text=row["text"],
    )


def _figure_from(row: sqlite3.Row) -> Figure:
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
        speaker_kind=row["speaker_kind"], hedges=json.loads(row["hedges"]),
    )


class SQLiteStore:
    """A factdesk library in one SQLite file (see the module docstring)."""

    schema_version = SCHEMA_VERSION

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not a library file")
        if not self.path.parent.is_dir():
            raise StoreError(f"cannot open library {self.path}: folder {self.path.parent} does not exist")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._vectors: tuple[tuple[int, int], list[tuple[str, int]], Any] | None = None  # stamp, keys, matrix
        self._prepare()

    # -- connections and schema -------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"library {self.path} is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.DatabaseError as e:
                raise StoreError(f"{self.path} is not a factdesk library ({e})") from None
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _prepare(self) -> None:
        """Create the schema of a new library, migrate an older one, refuse anything else."""
        conn = self._conn()
        try:
            if self._version(conn) == SCHEMA_VERSION:
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = self._version(conn)  # again: another process may have migrated meanwhile
                for script, fill in _MIGRATIONS[version:]:
                    for statement in _statements(script):
                        conn.execute(statement)
                    if fill:
                        fill(conn)
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('application', ?), ('schema_version', ?)",
                    (APPLICATION, str(SCHEMA_VERSION)),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as e:
            self.close()
            raise StoreError(f"cannot open library {self.path}: {e}") from None
        except StoreError:
            self.close()
            raise

    def _version(self, conn: sqlite3.Connection) -> int:
        """The file's schema version: 0 for an empty file; refuses foreign or newer files."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return 0
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else {}
        if meta.get("application") != APPLICATION or not meta.get("schema_version", "").isdigit():
            raise StoreError(f"{self.path} is not a factdesk library (it holds other tables)")
        version = int(meta["schema_version"])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer factdesk (schema {version}; "
                f"this version reads up to {SCHEMA_VERSION}); upgrade factdesk"
            )
        return version

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            self._closed = True

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM sources WHERE id = ?", (source.id,)).fetchone():
                conn.execute("ROLLBACK")
                return AddResult(source.id, added=False)
            previous = None
            if source.url:
                row = conn.execute(
                    "SELECT id FROM sources WHERE url = ? ORDER BY rowid DESC LIMIT 1", (source.url,)
                ).fetchone()
                previous = row["id"] if row else None
            conn.execute(
                f"INSERT INTO sources({_SOURCE_COLUMNS}, version_of) VALUES ({', '.join('?' * 12)})",
                _source_row(source, previous),
            )
            # The write lock is held, so the next rowids are ours to assign.
            first = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM sentences").fetchone()[0]
            conn.executemany(
                'INSERT INTO sentences(rowid, source_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)',
                [(first + i, s.source_id, s.index, s.start, s.end, s.text) for i, s in enumerate(sentences)],
            )
            conn.executemany(
                "INSERT INTO sentences_fts(rowid, body) VALUES (?, ?)",
                [(first + i, index_text(s.text)) for i, s in enumerate(sentences)],
            )
            first = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM figures").fetchone()[0]
            conn.executemany(
                f"INSERT INTO figures(rowid, {_FIGURE_COLUMNS}) VALUES ({', '.join('?' * 24)})",
                (_figure_row(first + i, f) for i, f in enumerate(figures)),
            )
            conn.executemany(
                "INSERT INTO figures_fts(rowid, subject, scope, quote) VALUES (?, ?, ?, ?)",
                [
                    (first + i, index_text(f.subject), index_text(f.scope), index_text(f.quote))
                    for i, f in enumerate(figures)
                ],
            )
            conn.executemany(
                'INSERT INTO statements(id, source_id, sentence_index, start, "end", text, speaker, speaker_kind) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (s.id, s.source_id, s.sentence_index, s.start, s.end, s.text, s.speaker, s.speaker_kind)
                    for s in statements
                ],
            )
            conn.execute("COMMIT")
        except BaseException as e:
            conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise StoreError(f"could not store source {source.id} in {self.path}: {e}") from None
            raise
        return AddResult(source.id, added=True, new_version_of=previous)

    # -- reading ------------------------------------------------------------------

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"cannot read library {self.path}: {e}") from None

    def has_source(self, source_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM sources WHERE id = ?", (source_id,)))

    def sources(self) -> list[Source]:
        rows = self._rows(
            f"SELECT {_SOURCE_COLUMNS} FROM sources ORDER BY published IS NULL, published, id"
        )
        return [_source_from(r) for r in rows]

    def source(self, source_id: str) -> Source | None:
        rows = self._rows(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE id = ?", (source_id,))
        if not rows and len(source_id) >= MIN_PREFIX:
            prefix = source_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._rows(
                f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6",
                (prefix + "%",),
            )
            if len(rows) > 1:
                shown = ", ".join(r["id"] for r in rows[:5])
                raise AmbiguousSourceId(
                    f"source id prefix {source_id!r} is ambiguous: it matches {shown}"
                    f"{' and more' if len(rows) > 5 else ''}; give more characters"
                )
        return _source_from(rows[0]) if rows else None

    def sources_by_url(self, url: str) -> list[Source]:
        rows = self._rows(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE url = ? ORDER BY rowid", (url,))
        return [_source_from(r) for r in rows]

    def sentences(self, source_id: str) -> list[Sentence]:
        rows = self._rows(
            'SELECT source_id, idx, start, "end", text FROM sentences WHERE source_id = ? ORDER BY idx',
            (source_id,),
        )
        return [Sentence(*r) for r in rows]

    def sentence(self, source_id: str, index: int) -> Sentence | None:
        rows = self._rows(
            'SELECT source_id, idx, start, "end", text FROM sentences WHERE source_id = ? AND idx = ?',
            (source_id, index),
        )
        return Sentence(*rows[0]) if rows else None

    def sentences_at(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Sentence]:
        rows = self._rows(
            'SELECT s.source_id, s.idx, s.start, s."end", s.text FROM sentences s JOIN '
            "(SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS i FROM json_each(?)) k "
            "ON s.source_id = k.sid AND s.idx = k.i",
            (json.dumps([list(k) for k in keys]),),
        )
        return {(r[0], r[1]): Sentence(*r) for r in rows}

    def titles(self, source_ids: Iterable[str]) -> dict[str, str]:
        rows = self._rows("SELECT id, title FROM sources WHERE id IN (SELECT value FROM json_each(?))",
                          (json.dumps(list(source_ids)),))
        return {r[0]: r[1] or "" for r in rows}

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
        where, params = ["1"], []
        if sentences is not None:
            where.append("(figures.source_id, figures.sentence_index) IN "
                         "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))")
            params.append(json.dumps([list(k) for k in sentences]))
        if source_id is not None:
            where.append("figures.source_id = ?")
            params.append(source_id)
        if source_ids is not None:
            where.append("figures.source_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(source_ids)))
        if kind is not None:
            where.append("figures.kind = ?")
            params.append(kind)
        if about is None:
            sql = f"SELECT {_FIGURE_SELECT} FROM figures WHERE {' AND '.join(where)} ORDER BY source_id, start"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            return [_figure_from(r) for r in self._rows(sql, params)]
        for match in fts_queries(about):
            # The best-matching figures first (bm25), then shown in source order.
            sql = (
                f"SELECT {_FIGURE_SELECT} FROM figures_fts JOIN figures ON figures.rowid = figures_fts.rowid "
                f"WHERE figures_fts MATCH ? AND {' AND '.join(where)} ORDER BY bm25(figures_fts), figures.rowid"
            )
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            rows = self._rows(sql, [match, *params])
            if rows:
                return sorted((_figure_from(r) for r in rows), key=lambda f: (f.source_id, f.start))
        return []

    def statements(self, *, source_ids: Iterable[str] | None = None) -> list[Statement]:
        sql = 'SELECT source_id, sentence_index, start, "end", text, speaker, speaker_kind, id FROM statements'
        params: list[Any] = []
        if source_ids is not None:
            sql += " WHERE source_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(source_ids)))
        return [Statement(*r) for r in self._rows(sql + " ORDER BY source_id, start", params)]

    def search(self, query: str, limit: int = 50) -> list[SentenceHit]:
        hits: list[SentenceHit] = []
        for match in fts_queries(query):
            rows = self._rows(
                # Rank inside FTS first; only the best rows are joined to their sentences.
                "SELECT s.source_id, s.idx, best.score FROM ("
                "SELECT rowid, bm25(sentences_fts) AS score FROM sentences_fts "
                "WHERE sentences_fts MATCH ? ORDER BY score, rowid LIMIT ?) AS best "
                "JOIN sentences s ON s.rowid = best.rowid ORDER BY best.score, best.rowid",
                (match, limit),
            )
            hits = [SentenceHit(r[0], r[1], -r[2]) for r in rows]
            if len(hits) >= limit // 2:
                break
        return hits

    def count(self) -> dict[str, int]:
        counts = {}
        for table in ("sources", "sentences", "figures", "statements"):
            counts[table] = self._rows(f"SELECT COUNT(*) FROM {table}")[0][0]
        return counts

    # -- sentence vectors (optional; see factdesk.embed) --------------------------------

    def vector_model(self) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = 'vector_model'")
        return rows[0][0] if rows else None

    def add_vectors(self, source_id: str, rows: list[tuple[int, bytes]], *, model: str) -> None:
        """Store float32 vectors of a source's sentences, given as (sentence index, bytes);
        sentences that already have one keep it. All vectors of a library come from one model."""
        if not rows:
            return
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('vector_model', 'vector_bytes')"))
            if meta.get("vector_model", model) != model:
                raise StoreError(f"library {self.path} holds vectors of model {meta['vector_model']}, not {model}")
            size = int(meta.get("vector_bytes", 0)) or len(rows[0][1])
            if any(len(vector) != size for _, vector in rows):
                raise StoreError(f"vectors of source {source_id} are not all {size} bytes long, as this library's are")
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('vector_model', ?), ('vector_bytes', ?)",
                (model, str(size)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO sentence_vectors(sentence, vector) "
                "SELECT rowid, ? FROM sentences WHERE source_id = ? AND idx = ?",
                [(vector, source_id, index) for index, vector in rows],
            )
            conn.execute("COMMIT")
        except BaseException as e:
            conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise StoreError(f"could not store vectors of source {source_id} in {self.path}: {e}") from None
            raise

    def unembedded_sources(self) -> list[str]:
        """Ids of sources with sentences that have no vector yet."""
        rows = self._rows(
            "SELECT DISTINCT s.source_id FROM sentences s LEFT JOIN sentence_vectors v ON v.sentence = s.rowid "
            "WHERE v.sentence IS NULL ORDER BY s.source_id"
        )
        return [r[0] for r in rows]

    def similar_sentences(self, query: Any, limit: int = 50) -> list[SentenceHit]:
        """The sentences whose vectors are nearest ``query`` (a unit vector), by cosine.
        The vectors are read once per process and again only after vectors were added."""
        return nearest(*self._vector_matrix(), query, limit)

    def _vector_matrix(self) -> tuple[list[tuple[str, int]], Any]:
        stamp = tuple(self._rows("SELECT COUNT(*), COALESCE(MAX(sentence), 0) FROM sentence_vectors")[0])
        with self._lock:
            if self._vectors is not None and self._vectors[0] == stamp:
                return self._vectors[1], self._vectors[2]
        rows = self._rows(
            "SELECT s.source_id, s.idx, v.vector FROM sentence_vectors v JOIN sentences s ON s.rowid = v.sentence "
            "ORDER BY v.sentence"
        )
        keys, matrix = vector_matrix([(r[0], r[1], r[2]) for r in rows])
        with self._lock:
            self._vectors = (stamp, keys, matrix)
        return keys, matrix


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


def _statements(script: str) -> list[str]:
    """The statements of a migration script (they hold no semicolons inside)."""
    return [s.strip() for s in script.split(";") if s.strip()]
