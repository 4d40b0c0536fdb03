"""A question or claim to the searches a desk researcher would run.

One search is rarely enough: the plain topic finds news, the topic with its period finds
the figure for the right time, words like "statistics" and a government-domain filter find
the agency tables that news stories cite, and each side's own wording finds the pages that
make or dispute the point. Queries are built from the Frame, never from topic lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factdesk.analyze.frame import frame_claim, frame_question
from factdesk.model import Frame

# Words that place a question in time rather than say what it is about.
_TIME_GRAMMAR = {"since", "last", "ago", "past", "recent", "recently", "current", "currently", "until", "today"}
_YEAR_OR_MONTH = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?)?"
    r"(?:fiscal\s+(?:year\s+)?|fy\s?|calendar\s+(?:year\s+)?)?(?:19|20)\d\d\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    aim: str  # topic | period | statistics | agency | asked | checked (the two sides)


def build_queries(text: str, mode: str = "question") -> list[Query]:
    """Several searches for one question or claim, most general first, without repeats."""
    frame = frame_claim(text) if mode == "claim" else frame_question(text)
    topic = _topic(frame)
    when = _when(frame)
    candidates = [
        Query(topic, "topic"),
        Query(f"{topic} {when}", "period") if when else None,
        Query(f"{topic} statistics data {when}".strip(), "statistics"),
        Query(f"{topic} site:.gov", "agency"),
        # Each side in its own words: the question or claim as people put it, and the
        # pages that test it.
        Query(" ".join(text.split()), "asked"),
        Query(f"{topic} fact check", "checked"),
    ]
    queries: list[Query] = []
    seen: set[str] = set()
    for query in candidates:
        if query and query.text and query.text.lower() not in seen:
            seen.add(query.text.lower())
            queries.append(query)
    return queries


def _topic(frame: Frame) -> str:
    """What the question is about, as search words: its content words without time grammar."""
    words = [w for w in frame.terms if w not in _TIME_GRAMMAR]
    if not words:  # a question of function words only: search its subject as written
        return frame.subject or " ".join(frame.text.split())
    return " ".join(words)


def _when(frame: Frame) -> str:
    """The period asked, as written ("fiscal 2024", "March 2023"), else its period words."""
    named = [p for p in frame.period_words if _YEAR_OR_MONTH.fullmatch(p.strip())]
    if named:
        return max(named, key=len).strip()
    if frame.time:
        return frame.time[:4]
    periodic = [p for p in frame.period_words if re.search(r"\b(?:year|month|annual|yearly|monthly)", p, re.I)]
    return "annual" if periodic else ""
