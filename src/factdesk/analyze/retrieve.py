"""Retrieve: the figures and statements of the library that bear on a frame, scored.

BM25 over sentences (the store's full-text index, which stems and matches numbers without
separators) finds the passages; figures in those passages and figures whose subject matches
are scored by how much of the asked quantity they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from factdesk.embed import figures_in, lift_similar, similar_sentences
from factdesk.model import Figure, Frame, Source, Statement
from factdesk.store.base import Store
from factdesk.terms import stem, stems

SENTENCE_HITS = 300
MIN_RELEVANCE = 0.2
RELATIVE_FLOOR = 0.45
TIME_BONUS = 0.15
COMMON_SHARE = 0.4  # a word in more of the passages found than this is weighed down
# Nouns that count without naming what is counted: the rest of the question says what.
GENERIC_NOUNS = frozenset("people persons person individuals residents citizens adults cases times total amount".split())
GENERIC_STEMS = frozenset(stem(w) for w in GENERIC_NOUNS)
CLAIM_VERBS = re.compile(r"\b(?:claimed|claims|claiming|asserted|alleged|boasted|insisted|falsely\s+\w+)\b", re.I)


@dataclass(slots=True)
class Scored:
    figure: Figure
    relevance: float  # 0..1: how much of the asked quantity this figure names
    subject_match: float  # share of the asked subject's words in the figure's subject/scope/sentence
    head_match: bool  # the asked subject's head noun appears with the figure
    before: str = ""  # the sentence before the figure's, where its actor or subject is often named
    paraphrase: bool = False  # found by meaning alone (optional embeddings): it says the asked thing in other words


@dataclass(slots=True)
class Evidence:
    frame: Frame
    figures: list[Scored]
    statements: list[Statement]
    sources: dict[str, Source]
    missing_terms: list[str] = field(default_factory=list)  # frame words no retrieved passage holds


def head_noun(subject: str) -> str | None:
    """The counted noun: the last content word before a qualifier (with, of, on, who ...)."""
    import re

    from factdesk.terms import content_words

    core = re.split(r"\b(?:with|of|on|in|who|that|which|from|at|for|into|under|convicted|charged|living)\b", subject, maxsplit=1)[0]
    words = content_words(core) or content_words(subject)
    while len(words) > 1 and words[-1].endswith("ed"):
        words = words[:-1]  # "jobs created": the noun, not the participle after it
    if words and words[-1] in GENERIC_NOUNS:
        return None  # "how many people ...": the counted group is named by the rest of the question
    return words[-1] if words else None


def _overlap(wanted: dict[str, float], have: set[str]) -> float:
    """Weighted share of the wanted words that ``have`` holds."""
    total = sum(wanted.values())
    return sum(w for t, w in wanted.items() if t in have) / total if total else 0.0


def wanted_words(frame: Frame) -> dict[str, float]:
    """The frame's words with weights. A question's counted noun phrase counts double.
    A claim is about the quantity it asserts: its subject counts double, the rest of its
    framing (who is blamed, rhetoric) half, and the actor it names not at all."""
    subject = stems(frame.subject) - GENERIC_STEMS
    actor = stems(frame.actor or "")
    if frame.mode == "claim":
        weights = {}
        for t in frame.terms:
            st = stem(t)
            if st not in actor:
                weights[st] = 2.0 if st in subject else 0.5
        return weights
    return {stem(t): (2.0 if stem(t) in subject else 1.0) for t in frame.terms}


def informative(wanted: dict[str, float], passages: list[set[str]]) -> dict[str, float]:
    """Down-weigh words that most passages found share (a place name in every passage tells
    little about which figure answers). Rare words keep their weight rather than gaining:
    sources often name the asked thing in other words, and a word they lack must not
    outweigh the words they share."""
    if len(passages) < 4:
        return wanted
    n = len(passages)
    out = {}
    for word, weight in wanted.items():
        share = sum(word in p for p in passages) / n
        out[word] = weight * (1.0 if share <= COMMON_SHARE else 1.0 - 0.75 * (share - COMMON_SHARE) / (1 - COMMON_SHARE))
    return out


def quoted_assertion(fig: Figure) -> bool:
    """The number sits inside quotation marks and no agency or researcher is the speaker:
    a claim being reported (a politician's post, a slogan), not evidence for or against one."""
    if fig.speaker_kind in ("government", "researcher"):
        return False
    before = fig.quote[: max(fig.start - fig.quote_start, 0)]
    if CLAIM_VERBS.search(before):
        return True  # "he claimed that 425,000 ...": reported speech of a claim
    curly_open = before.count("“") - before.count("”")
    return curly_open > 0 or before.count('"') % 2 == 1


def local_words(fig: Figure, width: int = 12) -> str:
    """The words of the figure's sentence within ``width`` words of the number."""
    a, b = fig.start - fig.quote_start, fig.end - fig.quote_start
    before = fig.quote[: max(a, 0)].split()[-width:]
    after = fig.quote[max(b, 0) :].split()[:width]
    return " ".join(before + [fig.surface] + after)


def score_figure(fig: Figure, wanted: dict[str, float], head: str | None, before: str = "", title: str = "") -> Scored:
    """How much of the asked quantity a figure names: its own subject first, then its
    neighbourhood in the sentence, then the sentence with its context (the sentence
    before it and the source's title, where an elided subject is usually named)."""
    own = stems(f"{fig.subject} {fig.scope}")
    near = own | stems(local_words(fig))
    whole = near | stems(fig.quote) | stems(before) | stems(title)
    match_own, match_near, match_whole = _overlap(wanted, own), _overlap(wanted, near), _overlap(wanted, whole)
    if head is None:  # nothing to require: spread the head's share over the word matches
        head_ok = True
        relevance = (0.3 * match_own + 0.3 * match_near + 0.25 * match_whole) / 0.85
    else:
        head_ok = stem(head) in whole
        relevance = 0.3 * match_own + 0.3 * match_near + 0.25 * match_whole + (0.15 if head_ok else 0.0)
    return Scored(fig, round(relevance, 4), round(max(match_near, 0.8 * match_whole), 4), head_ok, before)


def claimed_value(frame: Frame, fig: Figure) -> bool:
    """The figure states the number a claim asserts (up to 2%): always worth weighing."""
    return (frame.mode == "claim" and frame.value is not None and fig.value != 0
            and abs(fig.value - frame.value) <= 0.02 * abs(frame.value) and fig.unit == (frame.unit or fig.unit))


def corroborate(scored: list[Scored]) -> None:
    """A figure repeating a strong figure's value (up to rounding) in another source is
    almost always the same quantity reported again: lift it next to the strong one."""
    if not scored:
        return
    best = max(s.relevance for s in scored)
    strong_by_kind: dict[tuple[str, str], list[Scored]] = {}
    for t in scored:
        if t.relevance >= 0.6 * best:
            strong_by_kind.setdefault((t.figure.kind, t.figure.unit), []).append(t)
    for s in scored:
        if s.relevance >= 0.6 * best:
            continue
        for t in strong_by_kind.get((s.figure.kind, s.figure.unit), ()):
            a, b = s.figure, t.figure
            if a.source_id != b.source_id and b.value and abs(a.value - b.value) <= 0.01 * abs(b.value):
                s.relevance = max(s.relevance, round(0.9 * t.relevance, 4))
                s.head_match = s.head_match or t.head_match
                s.subject_match = max(s.subject_match, t.subject_match)
                break


def retrieve(store: Store, frame: Frame, *, limit: int = 60) -> Evidence:
    query = " ".join(frame.terms) or frame.text
    hits = store.search(query, limit=SENTENCE_HITS)
    if frame.mode == "claim" and frame.value is not None:
        # A checker looks the number up too: sentences holding the claimed value.
        hits += store.search(f"{frame.value:.12g}", limit=SENTENCE_HITS // 3)
    hit_keys = sorted({(h.source_id, h.index) for h in hits})

    candidates: dict[str, Figure] = {}
    if hit_keys:
        candidates = {fig.id: fig for fig in store.figures(sentences=hit_keys)}
    if frame.subject:
        for fig in store.figures(about=frame.subject, limit=500):
            candidates.setdefault(fig.id, fig)
    # Optional embeddings (factdesk.embed): sentences that say what is asked in other words.
    similar = similar_sentences(store, frame.text, SENTENCE_HITS // 3)
    paraphrased = {f.id: f for f in figures_in(store, similar) if f.id not in candidates}
    candidates.update(paraphrased)

    # One read each for the passages found, the sentences before the candidates, their titles.
    before_keys = {(f.source_id, f.sentence_index - 1) for f in candidates.values() if f.sentence_index}
    sentences = store.sentences_at(set(hit_keys[:SENTENCE_HITS]) | before_keys)
    passages = [stems(sentences[k].text) for k in hit_keys[:SENTENCE_HITS] if k in sentences]
    found = set().union(*passages) if passages else set()
    wanted = informative(wanted_words(frame), passages)
    head = head_noun(frame.subject) if frame.subject else None
    titles = store.titles({f.source_id for f in candidates.values()})

    def before(fig: Figure) -> str:
        sentence = sentences.get((fig.source_id, fig.sentence_index - 1))
        return sentence.text if sentence else ""

    scored = [score_figure(f, wanted, head, before(f), titles.get(f.source_id, "")) for f in candidates.values()]
    if frame.time:
        for s in scored:  # the time asked about is part of what is asked
            t = s.figure.time
            if t and (t.startswith(frame.time) or frame.time.startswith(t)):
                s.relevance = round(s.relevance + TIME_BONUS, 4)
    lift_similar(scored, similar, only=paraphrased)
    for s in scored:
        s.paraphrase = s.figure.id in paraphrased
    corroborate(scored)
    best = max((s.relevance for s in scored), default=0.0)
    # Relative to the best match: vocabularies differ between topics, the ranking does not.
    floor = max(MIN_RELEVANCE, RELATIVE_FLOOR * best)
    scored = [s for s in scored if s.relevance >= floor or claimed_value(frame, s.figure)]
    scored.sort(key=lambda s: (-s.relevance, s.figure.source_id, s.figure.start))
    scored = scored[:limit] + [s for s in scored[limit:] if claimed_value(frame, s.figure)]

    used_sources = {s.figure.source_id for s in scored}
    # Who says what: statements on the asked words, and those beside a figure found (a
    # speaker's comment on a number rarely repeats the number's words).
    near_figures = {(s.figure.source_id, s.figure.sentence_index + d) for s in scored for d in (-2, -1, 0, 1, 2)}
    statements = [
        st for st in store.statements(source_ids=sorted(used_sources))
        if _overlap(wanted, stems(st.text)) >= 0.25 or (st.source_id, st.sentence_index) in near_figures
    ]
    sources = {sid: store.source(sid) for sid in used_sources | {st.source_id for st in statements}}

    missing = [t for t in frame.terms if stem(t) not in found]
    return Evidence(frame, scored, statements, {k: v for k, v in sources.items() if v}, missing)
