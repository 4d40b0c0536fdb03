"""A shared library on a PostgreSQL server, for desks that outgrow one SQLite file.

It behaves like the SQLite store (same ids, duplicates, versions by URL, one transaction
per source, AND-then-OR search), so nothing outside ``factdesk.store`` can tell them apart.
Full-text search uses PostgreSQL's own: a ``tsvector`` column per sentence and per figure
under a GIN index, the 'english' configuration (Snowball stemming), ranked by
``ts_rank_cd``. Texts are indexed the way the SQLite store indexes them: numbers lose their
thousands separators, accents are dropped, and anything that is not a letter or digit
separates tokens (so "7.5" is the phrase "7 5", as in FTS5).

Many processes may write at once: a source id that another writer stored first is skipped
by ``ON CONFLICT DO NOTHING`` (reported as a duplicate), and writers of the same URL take
turns on an advisory lock so every new version names the one before it. The schema is the
ordered list ``_MIGRATIONS``, applied under an advisory lock and recorded in ``meta``.
The reading queries are ``SQLStore``'s, shared with the SQLite store.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

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

try:
    import psycopg
    from psycopg.rows import dict_row
except ImportError:  # the optional extra is not installed
    psycopg = None

CONNECT_TIMEOUT_S = 10
_SCHEMA_LOCK = 0x66616374  # advisory lock key held while the schema is created or migrated
_OUR_TABLES = {"meta", "sources", "sentences", "figures", "statements"}

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    seq BIGSERIAL UNIQUE,
    id TEXT COLLATE "C" PRIMARY KEY,
    url TEXT, title TEXT, publisher TEXT,
    authors JSONB NOT NULL DEFAULT '[]',
    published TEXT COLLATE "C", retrieved TEXT, outlet_kind TEXT, origin TEXT,
    pages JSONB NOT NULL DEFAULT '[]',
    text TEXT NOT NULL,
    version_of TEXT COLLATE "C" REFERENCES sources(id)
);
CREATE INDEX sources_url ON sources(url);
CREATE TABLE sentences (
    seq BIGSERIAL PRIMARY KEY,
    source_id TEXT COLLATE "C" NOT NULL REFERENCES sources(id),
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    tsv TSVECTOR NOT NULL,
    UNIQUE (source_id, idx)
);
CREATE INDEX sentences_tsv ON sentences USING GIN (tsv);
CREATE TABLE figures (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    source_id TEXT COLLATE "C" NOT NULL REFERENCES sources(id),
    sentence_index INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    surface TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, quote TEXT NOT NULL,
    quote_start INTEGER NOT NULL, quote_end INTEGER NOT NULL,
    value_high DOUBLE PRECISION, approx TEXT NOT NULL, unit TEXT NOT NULL,
    subject TEXT NOT NULL, scope TEXT NOT NULL, kind TEXT NOT NULL,
    as_of TEXT, period_start TEXT, period_end TEXT, year TEXT,
    attribution TEXT NOT NULL, speaker_kind TEXT NOT NULL,
    hedges JSONB NOT NULL DEFAULT '[]',
    tsv TSVECTOR NOT NULL
);
CREATE INDEX figures_source ON figures(source_id, start);
CREATE INDEX figures_kind ON figures(kind);
CREATE INDEX figures_tsv ON figures USING GIN (tsv);
CREATE TABLE statements (
    seq BIGSERIAL UNIQUE,
    id TEXT COLLATE "C" PRIMARY KEY,
    source_id TEXT COLLATE "C" NOT NULL REFERENCES sources(id),
    sentence_index INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, speaker TEXT NOT NULL, speaker_kind TEXT NOT NULL
);
CREATE INDEX statements_source ON statements(source_id, start)
"""

# v2: optional sentence vectors (float32 bytes, see factdesk.embed), keyed by the sentence's seq.
_V2 = """
CREATE TABLE sentence_vectors (
    sentence BIGINT PRIMARY KEY REFERENCES sentences(seq),
    vector BYTEA NOT NULL
)
"""

_MIGRATIONS: list[str] = [_V1, _V2]
SCHEMA_VERSION = len(_MIGRATIONS)

_SEPARATORS = re.compile(r"[\W_]+")
# Subject weighs most in a figure's ranking, then scope, then the sentence.
_FIGURE_TSV = (
    "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B') "
    "|| to_tsvector('english', %s)"
)


def search_text(text: str) -> str:
    """The copy of a text that is indexed and queried: no thousands separators, no
    accents, and only letters and digits between single spaces."""
    decomposed = unicodedata.normalize("NFKD", index_text(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", plain).strip()


def tsqueries(query: str) -> list[str]:
    """``to_tsquery`` texts over the content words of ``query``, strict to loose (see
    query_tiers); the word choice is the SQLite store's."""
    # Each word is letters and digits only, so nothing in it can act as a tsquery operator.
    terms = [" <-> ".join(search_text(t).split()) for t in content_words(query)]
    terms = [f"({t})" if "<->" in t else t for t in terms if t]
    return query_tiers(terms, " & ".join, " | ".join)


def display_name(url: str) -> str:
    """The location as shown to people: the URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class PostgresStore(SQLStore):
    """A factdesk library in a PostgreSQL database (see the module docstring)."""

    schema_version = SCHEMA_VERSION
    P = "%s"
    SEQ = "seq"
    match_queries = staticmethod(tsqueries)
    FIGURES_MATCHING = (
        "SELECT {columns} FROM figures, to_tsquery('english', %s) AS q "
        "WHERE tsv @@ q AND {where} ORDER BY ts_rank_cd(tsv, q) DESC, seq{limit}"
    )
    SENTENCES_MATCHING = (
        "SELECT source_id, idx, ts_rank_cd(tsv, q, 1) AS score "
        "FROM sentences, to_tsquery('english', %s) AS q "
        "WHERE tsv @@ q ORDER BY score DESC, seq LIMIT %s"
    )

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = display_name(url)
        if psycopg is None:
            raise StoreError(
                f"cannot open library {self.name}: PostgreSQL support is not installed; "
                "pip install 'factdesk[postgres]'"
            )
        super().__init__()

    # -- connections and schema -------------------------------------------------

    def _conn(self):
        if self._closed:
            raise StoreError(f"library {self.name} is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = psycopg.connect(
                    self.url, autocommit=True, row_factory=dict_row,
                    connect_timeout=CONNECT_TIMEOUT_S, application_name=APPLICATION,
                )
                # The SQLite store's durability (WAL, synchronous=NORMAL): a crash may lose the
                # last sources added, never corrupt the library; and one source no longer waits
                # for its own disk flush.
                conn.execute("SET synchronous_commit = off")
            except psycopg.Error as e:
                raise StoreError(f"cannot connect to library {self.name}: {_one_line(e)}") from None
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _prepare(self) -> None:
        """Create the schema of a new library, migrate an older one, refuse anything else."""
        try:
            conn = self._conn()
            if self._version(conn) == SCHEMA_VERSION:
                return
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                version = self._version(conn)  # again: another process may have migrated meanwhile
                for script in _MIGRATIONS[version:]:
                    conn.execute(script)
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('application', %s), ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (APPLICATION, str(SCHEMA_VERSION)),
                )
        except psycopg.Error as e:
            self.close()
            raise StoreError(f"cannot open library {self.name}: {_one_line(e)}") from None
        except StoreError:
            self.close()
            raise

    def _version(self, conn) -> int:
        """The database's schema version: 0 before factdesk's tables exist; refuses
        databases whose tables of these names are not factdesk's, and newer schemas."""
        tables = {
            r["table_name"]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
        }
        ours = tables & _OUR_TABLES
        if not ours:
            return 0
        meta = {}
        if "meta" in tables:
            meta = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
        return self._schema_version(
            meta, f"{self.name} is not a factdesk library (it holds other tables named {', '.join(sorted(ours))})"
        )

    # -- writing ------------------------------------------------------------------

    def _add(
        self, source: Source, sentences: list[Sentence], figures: list[Figure], statements: list[Statement]
    ) -> AddResult:
        conn = self._conn()
        try:
            with conn.transaction() as tx, conn.cursor() as cur:
                previous = None
                if source.url:
                    # Writers of one URL take turns, so each version names the one before it.
                    cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (source.url,))
                    row = cur.execute(
                        "SELECT id FROM sources WHERE url = %s ORDER BY seq DESC LIMIT 1", (source.url,)
                    ).fetchone()
                    previous = row["id"] if row else None
                inserted = cur.execute(
                    f"INSERT INTO sources({SOURCE_COLUMNS}, version_of) "
                    f"VALUES ({', '.join(['%s'] * 12)}) ON CONFLICT (id) DO NOTHING RETURNING id",
                    source_values(source, previous),
                ).fetchone()
                if inserted is None:  # already stored, perhaps by another writer a moment ago
                    raise psycopg.Rollback(tx)
                cur.executemany(
                    'INSERT INTO sentences(source_id, idx, start, "end", text, tsv) '
                    "VALUES (%s, %s, %s, %s, %s, to_tsvector('english', %s))",
                    [(s.source_id, s.index, s.start, s.end, s.text, search_text(s.text)) for s in sentences],
                )
                cur.executemany(
                    f"INSERT INTO figures({FIGURE_COLUMNS}, tsv) VALUES ({', '.join(['%s'] * 23)}, {_FIGURE_TSV})",
                    [
                        (*figure_values(f), search_text(f.subject), search_text(f.scope), search_text(f.quote))
                        for f in figures
                    ],
                )
                cur.executemany(
                    f"INSERT INTO statements({STATEMENT_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})",
                    [statement_values(s) for s in statements],
                )
        except psycopg.Error as e:
            raise StoreError(f"could not store source {source.id} in {self.name}: {_one_line(e)}") from None
        if inserted is None:
            return AddResult(source.id, added=False)
        return AddResult(source.id, added=True, new_version_of=previous)

    # -- reading ------------------------------------------------------------------

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict]:
        try:
            return self._conn().execute(sql, tuple(params)).fetchall()
        except psycopg.Error as e:
            raise StoreError(f"cannot read library {self.name}: {_one_line(e)}") from None

    def _in(self, column: str, values: Iterable[str]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(%s)", [list(values)]

    def _keys(self, keys: Iterable[tuple[str, int]]) -> tuple[str, list[Any]]:
        pairs = list(keys)
        return "unnest(%s::text[], %s::int[]) AS k(sid, i)", [[k[0] for k in pairs], [k[1] for k in pairs]]

    def _load_json(self, value: Any) -> Any:
        return value  # psycopg has decoded JSONB already

    # -- sentence vectors (optional; see factdesk.embed) --------------------------------

    def add_vectors(self, source_id: str, rows: list[tuple[int, bytes]], *, model: str) -> None:
        """Store float32 vectors of a source's sentences, given as (sentence index, bytes);
        sentences that already have one keep it. All vectors of a library come from one model."""
        if not rows:
            return
        conn = self._conn()
        try:
            with conn.transaction(), conn.cursor() as cur:
                # The first writer names the model and size; the others must match them.
                cur.execute(
                    "INSERT INTO meta(key, value) VALUES ('vector_model', %s), ('vector_bytes', %s) "
                    "ON CONFLICT (key) DO NOTHING",
                    (model, str(len(rows[0][1]))),
                )
                meta = {
                    r["key"]: r["value"]
                    for r in cur.execute("SELECT key, value FROM meta WHERE key IN ('vector_model', 'vector_bytes')")
                }
                self._vector_size(meta, source_id, rows, model)
                cur.executemany(
                    "INSERT INTO sentence_vectors(sentence, vector) "
                    "SELECT seq, %s FROM sentences WHERE source_id = %s AND idx = %s ON CONFLICT (sentence) DO NOTHING",
                    [(vector, source_id, index) for index, vector in rows],
                )
        except psycopg.Error as e:
            raise StoreError(f"could not store vectors of source {source_id} in {self.name}: {_one_line(e)}") from None
