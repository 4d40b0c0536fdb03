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
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

from factdesk.model import Figure, Period, Sentence, Source, Statement
from factdesk.store.base import AddResult, AmbiguousSourceId, SentenceHit, StoreError, query_tiers
from factdesk.store.sqlite import APPLICATION, MIN_PREFIX, STOP_WORDS, _QUERY_TOKEN, index_text, nearest, vector_matrix

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
_SOURCE_COLUMNS = "id, url, title, publisher, authors, published, retrieved, outlet_kind, origin, pages, text"
_FIGURE_COLUMNS = (
    'id, source_id, sentence_index, start, "end", surface, value, quote, quote_start, quote_end, '
    "value_high, approx, unit, subject, scope, kind, as_of, period_start, period_end, year, "
    "attribution, speaker_kind, hedges"
)
_STATEMENT_COLUMNS = 'source_id, sentence_index, start, "end", text, speaker, speaker_kind, id'


def search_text(text: str) -> str:
    """The copy of a text that is indexed and queried: no thousands separators, no
    accents, and only letters and digits between single spaces."""
    decomposed = unicodedata.normalize("NFKD", index_text(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", plain).strip()


def tsqueries(query: str) -> list[str]:
    """``to_tsquery`` texts over the content words of ``query``, strict to loose (see
    query_tiers); the word choice is the SQLite store's."""
    tokens = list(dict.fromkeys(t.lower() for t in _QUERY_TOKEN.findall(index_text(query))))
    content = [t for t in tokens if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]
    # Each token is letters and digits only, so nothing in it can act as a tsquery operator.
    terms = [" <-> ".join(search_text(t).split()) for t in content]
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


def _source_from(row: dict) -> Source:
    return Source(
        id=row["id"], url=row["url"], title=row["title"], publisher=row["publisher"],
        authors=row["authors"], published=row["published"], retrieved=row["retrieved"],
        outlet_kind=row["outlet_kind"], origin=row["origin"], pages=row["pages"], text=row["text"],
    )


def _figure_row(f: Figure) -> tuple:
    period = f.period or Period()
    return (
        f.id, f.source_id, f.sentence_index, f.start, f.end, f.surface, f.value,
        f.quote, f.quote_start, f.quote_end, f.value_high, f.approx, f.unit, f.subject,
        f.scope, f.kind, f.as_of, period.start, period.end, f.year, f.attribution,
        f.speaker_kind, json.dumps(f.hedges),
        search_text(f.subject), search_text(f.scope), search_text(f.quote),
    )


def _figure_from(row: dict) -> Figure:
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
        speaker_kind=row["speaker_kind"], hedges=row["hedges"],
    )


class PostgresStore:
    """A factdesk library in a PostgreSQL database (see the module docstring)."""

    schema_version = SCHEMA_VERSION

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = display_name(url)
        if psycopg is None:
            raise StoreError(
                f"cannot open library {self.name}: PostgreSQL support is not installed; "
                "pip install 'factdesk[postgres]'"
            )
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False
        self._vectors: tuple[tuple[int, int], list[tuple[str, int]], Any] | None = None  # stamp, keys, matrix
        self._prepare()

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
        if meta.get("application") != APPLICATION or not meta.get("schema_version", "").isdigit():
            raise StoreError(
                f"{self.name} is not a factdesk library (it holds other tables named "
                f"{', '.join(sorted(ours))})"
            )
        version = int(meta["schema_version"])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.name} was written by a newer factdesk (schema {version}; "
                f"this version reads up to {SCHEMA_VERSION}); upgrade factdesk"
            )
        return version

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            self._closed = True

    def __enter__(self) -> PostgresStore:
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
                    f"INSERT INTO sources({_SOURCE_COLUMNS}, version_of) "
                    f"VALUES ({', '.join(['%s'] * 12)}) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (
                        source.id, source.url, source.title, source.publisher, json.dumps(source.authors),
                        source.published, source.retrieved, source.outlet_kind, source.origin,
                        json.dumps(source.pages), source.text, previous,
                    ),
                ).fetchone()
                if inserted is None:  # already stored, perhaps by another writer a moment ago
                    raise psycopg.Rollback(tx)
                cur.executemany(
                    'INSERT INTO sentences(source_id, idx, start, "end", text, tsv) '
                    "VALUES (%s, %s, %s, %s, %s, to_tsvector('english', %s))",
                    [(s.source_id, s.index, s.start, s.end, s.text, search_text(s.text)) for s in sentences],
                )
                cur.executemany(
                    f"INSERT INTO figures({_FIGURE_COLUMNS}, tsv) VALUES ({', '.join(['%s'] * 23)}, {_FIGURE_TSV})",
                    [_figure_row(f) for f in figures],
                )
                cur.executemany(
                    f"INSERT INTO statements({_STATEMENT_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})",
                    [
                        (s.source_id, s.sentence_index, s.start, s.end, s.text, s.speaker, s.speaker_kind, s.id)
                        for s in statements
                    ],
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

    def has_source(self, source_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM sources WHERE id = %s", (source_id,)))

    def sources(self) -> list[Source]:
        rows = self._rows(
            f"SELECT {_SOURCE_COLUMNS} FROM sources ORDER BY published IS NULL, published, id"
        )
        return [_source_from(r) for r in rows]

    def source(self, source_id: str) -> Source | None:
        rows = self._rows(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE id = %s", (source_id,))
        if not rows and len(source_id) >= MIN_PREFIX:
            prefix = source_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._rows(
                f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE id LIKE %s ORDER BY id LIMIT 6",
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
        rows = self._rows(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE url = %s ORDER BY seq", (url,))
        return [_source_from(r) for r in rows]

    def sentences(self, source_id: str) -> list[Sentence]:
        rows = self._rows(
            'SELECT source_id, idx, start, "end", text FROM sentences WHERE source_id = %s ORDER BY idx',
            (source_id,),
        )
        return [Sentence(r["source_id"], r["idx"], r["start"], r["end"], r["text"]) for r in rows]

    def sentence(self, source_id: str, index: int) -> Sentence | None:
        rows = self._rows(
            'SELECT source_id, idx, start, "end", text FROM sentences WHERE source_id = %s AND idx = %s',
            (source_id, index),
        )
        return Sentence(rows[0]["source_id"], index, rows[0]["start"], rows[0]["end"], rows[0]["text"]) if rows else None

    def sentences_at(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Sentence]:
        keys = list(keys)
        rows = self._rows(
            'SELECT s.source_id, s.idx, s.start, s."end", s.text FROM sentences s '
            "JOIN unnest(%s::text[], %s::int[]) AS k(sid, i) ON s.source_id = k.sid AND s.idx = k.i",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
        return {(r["source_id"], r["idx"]): Sentence(r["source_id"], r["idx"], r["start"], r["end"], r["text"])
                for r in rows}

    def titles(self, source_ids: Iterable[str]) -> dict[str, str]:
        rows = self._rows("SELECT id, title FROM sources WHERE id = ANY(%s)", (list(source_ids),))
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
            keys = list(sentences)
            where.append("(source_id, sentence_index) IN (SELECT * FROM unnest(%s::text[], %s::int[]))")
            params += [[k[0] for k in keys], [k[1] for k in keys]]
        if source_id is not None:
            where.append("source_id = %s")
            params.append(source_id)
        if source_ids is not None:
            where.append("source_id = ANY(%s)")
            params.append(list(source_ids))
        if kind is not None:
            where.append("kind = %s")
            params.append(kind)
        clause = " AND ".join(where)
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        if about is None:
            rows = self._rows(f"SELECT {_FIGURE_COLUMNS} FROM figures WHERE {clause} ORDER BY source_id, start{tail}", params)
            return [_figure_from(r) for r in rows]
        for match in tsqueries(about):
            # The best-matching figures first, then shown in source order.
            rows = self._rows(
                f"SELECT {_FIGURE_COLUMNS} FROM figures, to_tsquery('english', %s) AS q "
                f"WHERE tsv @@ q AND {clause} ORDER BY ts_rank_cd(tsv, q) DESC, seq{tail}",
                [match, *params],
            )
            if rows:
                return sorted((_figure_from(r) for r in rows), key=lambda f: (f.source_id, f.start))
        return []

    def statements(self, *, source_ids: Iterable[str] | None = None) -> list[Statement]:
        sql = f"SELECT {_STATEMENT_COLUMNS} FROM statements"
        params: list[Any] = []
        if source_ids is not None:
            sql += " WHERE source_id = ANY(%s)"
            params.append(list(source_ids))
        rows = self._rows(sql + " ORDER BY source_id, start", params)
        return [Statement(*r.values()) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[SentenceHit]:
        hits: list[SentenceHit] = []
        for match in tsqueries(query):
            rows = self._rows(
                "SELECT source_id, idx, ts_rank_cd(tsv, q, 1) AS score "
                "FROM sentences, to_tsquery('english', %s) AS q "
                "WHERE tsv @@ q ORDER BY score DESC, seq LIMIT %s",
                (match, limit),
            )
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
                if meta["vector_model"] != model:
                    raise StoreError(f"library {self.name} holds vectors of model {meta['vector_model']}, not {model}")
                size = int(meta["vector_bytes"])
                if any(len(vector) != size for _, vector in rows):
                    raise StoreError(f"vectors of source {source_id} are not all {size} bytes long, as this library's are")
                cur.executemany(
                    "INSERT INTO sentence_vectors(sentence, vector) "
                    "SELECT seq, %s FROM sentences WHERE source_id = %s AND idx = %s ON CONFLICT (sentence) DO NOTHING",
                    [(vector, source_id, index) for index, vector in rows],
                )
        except psycopg.Error as e:
            raise StoreError(f"could not store vectors of source {source_id} in {self.name}: {_one_line(e)}") from None

    def unembedded_sources(self) -> list[str]:
        """Ids of sources with sentences that have no vector yet."""
        rows = self._rows(
            "SELECT DISTINCT s.source_id FROM sentences s LEFT JOIN sentence_vectors v ON v.sentence = s.seq "
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
            "SELECT s.source_id, s.idx, v.vector FROM sentence_vectors v JOIN sentences s ON s.seq = v.sentence "
            "ORDER BY v.sentence"
        )
        keys, matrix = vector_matrix([(r["source_id"], r["idx"], bytes(r["vector"])) for r in rows])
        with self._lock:
            self._vectors = (stamp, keys, matrix)
        return keys, matrix
