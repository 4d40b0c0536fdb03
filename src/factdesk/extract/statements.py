"""Attributed assertions that are not figures: direct quotations and reported positions.

A quotation is the text between quotation marks (it may run over several sentences); its
speaker comes from the reporting clause around it ("..., Trump said", "A spokesman told X in
a statement: ..."), or from the sentence before when that one introduces it. A reported
position is "X said (that) <clause>" with no quotation marks.
"""

from __future__ import annotations

import re

from factdesk.model import Sentence, Source, Statement

from .attribution import find_speaker, speaker_kind

_QUOTE = re.compile(r"“([^“”]{12,}?)”|\"([^\"\n]{12,}?)\"")
_REPORTED = re.compile(
    r"\b(?:said|says|told\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}|argued|contends?|maintains?|insisted|acknowledged|conceded|warned)\s+"
    r"(?:that\s+)?(?P<clause>(?:[a-z]|(?:The|A|An|It|Its|They|He|She|This|These|Those|There|We|Our)\b)[^“”\"]{15,}?)(?=[.;]\s|[.;]?$)"
)


_INVERTED = re.compile(
    r"^[\s,]*(?:said|says|added|wrote|asked|explained|noted|warned|told\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})\s+"
    r"((?:(?:Dr|Mr|Mrs|Ms|Gov|Sen|Rep|Gen|Lt|Sgt|Prof|Col|Capt)\.\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’.-]+){0,3})"
)


def _unlink(text: str) -> str:
    """Markdown links as their words: "[Trump](#) said" reads "Trump said"."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)


def _sentence_at(sentences: list[Sentence], offset: int) -> Sentence | None:
    for sentence in sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    return None


def find_statements(source: Source, sentences: list[Sentence]) -> list[Statement]:
    """Quotations (at least three words) and reported positions, each with its speaker."""
    statements: list[Statement] = []
    text = source.text
    quoted: list[tuple[int, int]] = []
    for m in _QUOTE.finditer(text):
        group = 1 if m.group(1) is not None else 2
        start, end = m.start(group), m.end(group)
        words = m.group(group).split()
        if len(words) < 3:
            continue
        sentence = _sentence_at(sentences, start)
        if sentence is None:
            continue
        quoted.append((m.start(), m.end()))
        # The reporting clause: the sentence with the quotation marks removed.
        frame = text[sentence.start:m.start()] + " " + text[m.end():max(sentence.end, m.end() + 1)]
        speaker = find_speaker(_unlink(frame).strip())
        if not speaker:
            # "..., said Dr. Maria Lopez, the county's examiner": the verb before the name.
            inverted = _INVERTED.match(_unlink(text[m.end():sentence.end]))
            speaker = inverted.group(1).strip() if inverted else ""
        if not speaker and sentence.index > 0:
            previous = next((s for s in sentences if s.index == sentence.index - 1), None)
            if previous is not None and re.search(r":\s*$", text[previous.start:start].rstrip("“\" ")):
                speaker = find_speaker(_unlink(text[previous.start:start]))
        # A quotation that follows another one in the same paragraph continues the same speaker.
        if not speaker and statements and quoted[:-1] and "\n\n" not in text[quoted[-2][1]:m.start()]:
            speaker = statements[-1].speaker
        statements.append(Statement(source.id, sentence.index, start, end, text[start:end], speaker, speaker_kind(speaker)))
    for sentence in sentences:
        for m in _REPORTED.finditer(sentence.text):
            start, end = sentence.start + m.start("clause"), sentence.start + m.end("clause")
            if any(s < end and start < e for s, e in quoted):
                continue
            speaker = find_speaker(_unlink(sentence.text[: m.start("clause")]))
            if not speaker or re.search(r"\d", m.group("clause")):
                continue
            statements.append(Statement(source.id, sentence.index, start, end, text[start:end], speaker, speaker_kind(speaker)))
    statements.sort(key=lambda s: s.start)
    return statements
