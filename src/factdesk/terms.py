"""Words as analysis compares them: tokens, stop words, stems.

Shared by the stages that match a question's words against figures and sentences.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

STOP_WORDS = frozenset(
    """a about above after again against all almost also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each either
    else ever every few for from further had has have having he her here hers him his how i if in
    into is it its itself just like many may me might more most much must my no nor not now of
    off on once only or other our ours out over own per same she should so some such than that
    the their theirs them then there these they this those through to too under until up upon us
    very was we were what when where which while who whom whose why will with would you your
    yours yet year years each annually annual number numbers figure figures total many much
    say says said according""".split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")
_stemmer = snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens; hyphenated words are split into their parts."""
    out: list[str] = []
    for token in _WORD.findall(text or ""):
        token = token.lower().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        out.extend(part for part in token.split("-") if part)
    return out


# Irregular verb forms and their nouns share one stem, which suffix stripping cannot give:
# a question about people who "died" must meet a count of "deaths". General English only.
_SAME_WORD = {
    "death": "die", "dead": "die",
    "loss": "lose", "lost": "lose", "losses": "lose",
    "grew": "grow", "grown": "grow", "growth": "grow",
    "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "spent": "spend", "paid": "pay", "payment": "pay", "payments": "pay",
    "sold": "sell", "sale": "sell", "sales": "sell", "bought": "buy", "purchase": "buy", "purchases": "buy",
    "held": "hold", "left": "leave", "made": "make", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "won": "win", "brought": "bring", "caught": "catch",
    "birth": "born", "births": "born", "seizure": "seiz", "seizures": "seiz",
    "admission": "admit", "admissions": "admit",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower()
    stemmed = _stemmer.stemWord(word)
    return _SAME_WORD.get(word) or _SAME_WORD.get(stemmed) or stemmed


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stop words, no bare numbers."""
    return [w for w in words(text) if w not in STOP_WORDS and not w[0].isdigit() and len(w) > 1]


@lru_cache(maxsize=16384)
def stems(text: str) -> frozenset[str]:
    """The stems of a text's content words (cached: retrieval meets the same sentence, the
    sentence before it and the title once per figure)."""
    return frozenset(stem(w) for w in content_words(text))
