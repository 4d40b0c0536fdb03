"""Split a source's text into sentences with exact character offsets.

Punkt (nupunkt) decides boundaries at sentence-ending punctuation. Around it sit
deterministic layout rules, because news pages mark many boundaries with line
breaks instead of periods: paragraphs, headings, list items, datelines, bylines
and page furniture ("ADVERTISING", a video length "02:25", a photo credit) each
end their unit. After Punkt, two repairs: a split right after a title
abbreviation that nupunkt does not know ("Lt. Gen. Smith") is undone, and a short
attribution after a closing quote ("... so.” Trump said.") is put back with its
quote.

Every sentence is tight (no surrounding whitespace) and ``text[start:end]`` is
exactly its text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

import nupunkt
from nupunkt.layout import LIST_MARKER, is_heading_line

from factdesk.model import Sentence

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")

# Abbreviations that (almost) never end a sentence because a name or number follows.
_TITLES = frozenset(
    """Mr Mrs Ms Messrs Dr Prof Rep Reps Sen Sens Gov Lt Gen Col Maj Capt Cpt Sgt Cpl Pvt
    Adm Cmdr Cdr Brig Insp Det Supt Rev Hon Pres Atty Amb Sec Treas Gens St Ste Mt Ft vs
    approx Approx esp incl viz cf""".split()
)
# Abbreviations that only hold on to the next token when it is a number ("No. 5", "Sept. 28").
_BEFORE_NUMBER = frozenset(
    """No Nos Nr Vol Art Fig Figs Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    p pp para""".split()
)
_LAST_WORD = re.compile(r"(?:^|[\s(\[“\"‘'])([A-Za-z]+)\.$")

# A short attribution that follows a quotation: "Trump said.", "said the mayor.", "he added."
_SPEECH_VERBS = r"(?:said|says|told|added|asked|wrote|noted|stated|explained|argued|insisted|replied|warned|continued|recalled)"
_ATTRIBUTION = re.compile(
    rf"^(?:[\w.’'\[\]()#-]+(?:\s+[\w.’'\[\]()#-]+){{0,4}}\s+{_SPEECH_VERBS}|{_SPEECH_VERBS}(?:\s+\S+){{0,6}})[.!?]?$"
)
_CLOSING_QUOTE_END = re.compile(r"[.!?][”\"’']\s*$")

# Lines that stand alone however they are punctuated.
_DATE_WORD = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"^(?:(?:Published|Updated|Posted|Last updated)\b|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s"
    rf"|{_DATE_WORD}\s+\d{{1,2}}\b|\d{{1,2}}\s+{_DATE_WORD}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
)
# "By Ann Lee and Bo de Vries": every word after "By" is part of a name.
_BYLINE = re.compile(
    r"^(?:By|BY|Written by|Reporting by)\s+[A-Z][\w.’'-]*(?:,?\s+(?:[A-Z][\w.’'-]*|and|de|da|del|der|la|le|van|von))*$"
)
_FURNITURE = re.compile(
    r"^(?:[A-Z][A-Z &'’-]{1,40}|\(?\d{1,2}:\d{2}(?::\d{2})?\)?"
    r"|.*(?:Getty Images|AP Photo|/ AP\b|/ Reuters|/ AFP|\(Reuters\)|Photo(?:graph)?:|Photo by|Credit:|Image:).*)$"
)
_STANDALONE_MAX_WORDS = 16


@lru_cache(maxsize=1)
def _tokenizer() -> nupunkt.PunktSentenceTokenizer:
    return nupunkt.load_default_model()


def segment(text: str, source_id: str) -> list[Sentence]:
    """The sentences of ``text``, in order, indexed from 0."""
    tokenizer = _tokenizer()
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        block = text[block_start:block_end]
        pieces = [(block_start + s, block_start + e) for s, e in tokenizer.span_tokenize(block)]
        spans.extend(_repair(text, pieces))
    sentences = []
    for start, end in spans:
        start, end = _tight(text, start, end)
        if start < end:
            sentences.append(Sentence(source_id, len(sentences), start, end, text[start:end]))
    return sentences


def _tight(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Units no sentence may cross: paragraphs, split further at layout line breaks."""
    pos = 0
    for gap in _BLANK_LINE.finditer(text):
        yield from _line_blocks(text, pos, gap.start())
        pos = gap.end()
    yield from _line_blocks(text, pos, len(text))


def _is_standalone(line: str) -> bool:
    """Datelines, bylines and page furniture: lines that are a unit of their own."""
    if len(line.split()) > _STANDALONE_MAX_WORDS or line.endswith((",", ";")):
        return False
    return bool(_DATELINE.match(line) or _BYLINE.match(line) or _FURNITURE.match(line))


def _line_blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split one paragraph at single newlines that end a heading, list item or standalone line."""
    if "\n" not in text[start:end]:
        if text[start:end].strip():
            yield (start, end)
        return
    lines: list[tuple[int, int]] = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        lines.append((pos, stop))
        pos = stop + 1
    texts = [text[s:e].strip() for s, e in lines]
    # Hard-wrapped prose (PDF text) has short unpunctuated lines that are not headings;
    # it shows by lines that often run on into a lowercase word.
    runs_on = sum(1 for t in texts[1:] if t[:1].islower())
    wrapped = len(texts) >= 3 and runs_on * 3 >= len(texts) - 1
    block_start = start
    for i, (line_start, line_end) in enumerate(lines[:-1]):
        line, following = texts[i], texts[i + 1]
        cut = (
            _is_standalone(line)
            or _is_standalone(following)
            or bool(LIST_MARKER.match(text[lines[i + 1][0] : lines[i + 1][1]]))
            or (
                not wrapped
                and is_heading_line(line)
                and not line.endswith("-")
                and not (following[:1].islower())
            )
        )
        if cut:
            if text[block_start:line_end].strip():
                yield (block_start, line_end)
            block_start = line_end + 1
    if text[block_start:end].strip():
        yield (block_start, end)


def _repair(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo Punkt splits after title abbreviations and before a quote's attribution."""
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged and _joins(text, merged[-1], (start, end)):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _joins(text: str, previous: tuple[int, int], current: tuple[int, int]) -> bool:
    before = text[previous[0] : previous[1]].rstrip()
    after = text[current[0] : current[1]].strip()
    if not after:
        return False
    word = _LAST_WORD.search(before)
    if word:
        abbreviation = word.group(1)
        if abbreviation in _TITLES and (after[0].isupper() or after[0].isdigit()):
            return True
        if abbreviation in _BEFORE_NUMBER and after[0].isdigit():
            return True
    return bool(_CLOSING_QUOTE_END.search(before) and _ATTRIBUTION.match(after) and after[0] != "“")

