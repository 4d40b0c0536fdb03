"""The default library store: one SQLite file with FTS5 full-text indexes.

The file is opened in WAL mode, so any number of readers run alongside one writer;
writers from other threads or processes wait (``busy_timeout``) instead of failing.
Each thread gets its own connection. A source and everything extracted from it is
written in one ``BEGIN IMMEDIATE`` transaction, so a library never holds half a source.

The reading queries are ``SQLStore``'s; this module holds what is SQLite's own: the
connections, the transactions, FTS5 indexing and ranking, and the schema.

The schema is the ordered list ``_MIGRATIONS``: a new library runs all of them, an
older library runs the ones it lacks, and ``meta.schema_version`` records how far a
file has come.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from factdesk.model import Figure, Sentence, Source, Statement
from factdesk.store.base import AddResult, StoreError, query_tiers
from factdesk.store.sql import (
    APPLICATION,
    FIGURE_COLUMNS,
    SOURCE_COLUMNS,
    STATEMENT_COLUMNS,
    SQLStore,
    content_words,
    figure_values,
    index_text,
    source_values,
    statement_values,
)

BUSY_TIMEOUT_MS = 60_000

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


def fts_queries(query: str) -> list[str]:
    """FTS5 queries over the content words of ``query``, strict to loose (see query_tiers)."""
    # Tokens are letters and digits only; quoting makes each a literal phrase for FTS5,
    # so words like NEAR, AND, NOT never act as operators.
    return query_tiers([f'"{t}"' for t in content_words(query)], " AND ".join, " OR ".join)


class SQLiteStore(SQLStore):
    """A factdesk library in one SQLite file (see the module docstring)."""

    schema_version = SCHEMA_VERSION
    P = "?"
    SEQ = "rowid"
    match_queries = staticmethod(fts_queries)
    FIGURES_MATCHING = (
        "SELECT {columns} FROM figures_fts JOIN figures ON figures.rowid = figures_fts.rowid "
        "WHERE figures_fts MATCH ? AND {where} ORDER BY bm25(figures_fts), figures.rowid{limit}"
    )
    # Rank inside FTS first; only the best rows are joined to their sentences.
    SENTENCES_MATCHING = (
        "SELECT s.source_id, s.idx, -best.score AS score FROM ("
        "SELECT rowid, bm25(sentences_fts) AS score FROM sentences_fts "
        "WHERE sentences_fts MATCH ? ORDER BY score, rowid LIMIT ?) AS best "
        "JOIN sentences s ON s.rowid = best.rowid ORDER BY best.score, best.rowid"
    )

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.name = str(self.path)
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not a library file")
        if not self.path.parent.is_dir():
            raise StoreError(f"cannot open library {self.path}: folder {self.path.parent} does not exist")
        super().__init__()

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
        return self._schema_version(meta, f"{self.path} is not a factdesk library (it holds other tables)")

    # -- writing ------------------------------------------------------------------

    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the write lock from its start and commits when the block
        ends; a database error rolls it back and becomes a StoreError about storing ``what``."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as e:
            conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise StoreError(f"could not store {what} in {self.path}: {e}") from None
            raise

    def _add(
        self, source: Source, sentences: list[Sentence], figures: list[Figure], statements: list[Statement]
    ) -> AddResult:
        with self._writing(f"source {source.id}") as conn:
            if conn.execute("SELECT 1 FROM sources WHERE id = ?", (source.id,)).fetchone():
                return AddResult(source.id, added=False)
            previous = None
            if source.url:
                row = conn.execute(
                    "SELECT id FROM sources WHERE url = ? ORDER BY rowid DESC LIMIT 1", (source.url,)
                ).fetchone()
                previous = row["id"] if row else None
            conn.execute(
                f"INSERT INTO sources({SOURCE_COLUMNS}, version_of) VALUES ({', '.join('?' * 12)})",
                source_values(source, previous),
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
                f"INSERT INTO figures(rowid, {FIGURE_COLUMNS}) VALUES ({', '.join('?' * 24)})",
                ((first + i, *figure_values(f)) for i, f in enumerate(figures)),
            )
            conn.executemany(
                "INSERT INTO figures_fts(rowid, subject, scope, quote) VALUES (?, ?, ?, ?)",
                [
                    (first + i, index_text(f.subject), index_text(f.scope), index_text(f.quote))
                    for i, f in enumerate(figures)
                ],
            )
            conn.executemany(
                f"INSERT INTO statements({STATEMENT_COLUMNS}) VALUES ({', '.join('?' * 8)})",
                [statement_values(s) for s in statements],
            )
        return AddResult(source.id, added=True, new_version_of=previous)

    # -- reading ------------------------------------------------------------------

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"cannot read library {self.path}: {e}") from None

    def _in(self, column: str, values: Iterable[str]) -> tuple[str, list[Any]]:
        return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(list(values))]

    def _keys(self, keys: Iterable[tuple[str, int]]) -> tuple[str, list[Any]]:
        return (
            "(SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS i FROM json_each(?)) AS k",
            [json.dumps([list(k) for k in keys])],
        )

    def _load_json(self, value: str) -> Any:
        return json.loads(value)

    # -- sentence vectors (optional; see factdesk.embed) --------------------------------

    def add_vectors(self, source_id: str, rows: list[tuple[int, bytes]], *, model: str) -> None:
        """Store float32 vectors of a source's sentences, given as (sentence index, bytes);
        sentences that already have one keep it. All vectors of a library come from one model."""
        if not rows:
            return
        with self._writing(f"vectors of source {source_id}") as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('vector_model', 'vector_bytes')"))
            size = self._vector_size(meta, source_id, rows, model)
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('vector_model', ?), ('vector_bytes', ?)",
                (model, str(size)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO sentence_vectors(sentence, vector) "
                "SELECT rowid, ? FROM sentences WHERE source_id = ? AND idx = ?",
                [(vector, source_id, index) for index, vector in rows],
            )


def _statements(script: str) -> list[str]:
    """The statements of a migration script (they hold no semicolons inside)."""
    return [s.strip() for s in script.split(";") if s.strip()]
