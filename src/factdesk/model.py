"""The plain data that flows between factdesk's stages.

Every stage reads and returns these types and nothing else: ingest makes a Source,
segment makes Sentences, extract makes Figures and Statements, analysis makes a Frame,
Measures and a Report, and rendering reads only the Report. All offsets are character
offsets into ``Source.text`` (Python string indices), so ``source.text[start:end]`` is
always the quoted span.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FigureKind = Literal["stock", "flow", "share", "rate", "change", "other"]
Approx = Literal[
    "exact", "about", "more_than", "at_least", "fewer_than", "up_to", "nearly", "at_most"
]
AnswerStatus = Literal["answered", "related_only", "no_evidence"]
VerdictLabel = Literal["supported", "contradicted", "misleading", "unverifiable", "mixed"]
SpeakerKind = Literal["government", "official", "advocacy", "researcher", "media", "unknown"]

FIGURE_KINDS: tuple[str, ...] = ("stock", "flow", "share", "rate", "change", "other")


def normalise_text(text: str) -> str:
    """The form a source's identity is computed on: NFC, unified whitespace, no edges."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()


def source_id_for(text: str) -> str:
    """A source's id: the first 16 hex digits of SHA-256 over its normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Source:
    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO date (YYYY-MM-DD) or datetime
    retrieved: str | None = None  # ISO datetime of ingest or fetch
    outlet_kind: str | None = None  # government | official | advocacy | researcher | media
    origin: str | None = None  # the path or URL it was read from
    pages: list[int] = field(default_factory=list)  # PDF: start offset of each page (page n = index + 1)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = source_id_for(self.text)

    def page_of(self, offset: int) -> int | None:
        """The 1-based PDF page holding ``offset``, or None for sources without pages."""
        page = None
        for n, start in enumerate(self.pages, 1):
            if start <= offset:
                page = n
        return page


@dataclass(slots=True)
class Sentence:
    source_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Period:
    start: str | None = None  # ISO date, at the precision known (YYYY, YYYY-MM or YYYY-MM-DD)
    end: str | None = None


@dataclass(slots=True)
class Figure:
    source_id: str
    sentence_index: int
    start: int  # offsets of the number's surface (e.g. "more than 13,000") in the source text
    end: int
    surface: str
    value: float
    quote: str  # the sentence holding the figure, verbatim
    quote_start: int = 0
    quote_end: int = 0
    value_high: float | None = None
    approx: str = "exact"
    unit: str = "count"  # count | percent | usd | eur | gbp | kg | ... | the unit word
    subject: str = ""
    scope: str = ""
    kind: str = "other"
    as_of: str | None = None  # for stocks: YYYY, YYYY-MM or YYYY-MM-DD
    period: Period | None = None  # for flows and changes
    year: str | None = None  # a year the figure is about when nothing finer is known
    attribution: str = ""
    speaker_kind: str = ""
    hedges: list[str] = field(default_factory=list)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = f"{self.source_id}:{self.start}"

    @property
    def time(self) -> str | None:
        """The one date this figure is about: as-of for a stock, the period's end otherwise."""
        if self.as_of:
            return self.as_of
        if self.period and (self.period.end or self.period.start):
            return self.period.end or self.period.start
        return self.year


@dataclass(slots=True)
class Statement:
    source_id: str
    sentence_index: int
    start: int
    end: int
    text: str  # the asserted words, verbatim
    speaker: str = ""
    speaker_kind: str = "unknown"
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = f"{self.source_id}:s{self.start}"


@dataclass(slots=True)
class Frame:
    """What a question or claim asks."""

    text: str
    mode: Literal["question", "claim"] = "question"
    subject: str = ""  # what is counted
    scope: str = ""
    terms: list[str] = field(default_factory=list)  # content words used for retrieval
    kind: str | None = None  # the kind of figure asked for or implied
    time: str | None = None  # the time it is about (YYYY, YYYY-MM, YYYY-MM-DD)
    period_words: list[str] = field(default_factory=list)  # "each year", "since 2021", ...
    premises: list[str] = field(default_factory=list)  # premise-carrying words ("released", "under Biden")
    value: float | None = None  # claims: the asserted figure
    value_high: float | None = None
    comparator: str | None = None  # claims: exact | more_than | nearly | at_least | ...
    unit: str | None = None
    actor: str | None = None  # claims: who is credited or blamed
    compared_to: str | None = None  # comparative claims without a number: the other side ("than Trump's")


@dataclass(slots=True)
class Conflict:
    figure_ids: list[str]
    reason: str  # rounding | different as-of dates | different scope | typo | quoting | unexplained
    explanation: str = ""


@dataclass(slots=True)
class Measure:
    """Figures from one or more sources that count the same thing."""

    label: str
    kind: str
    unit: str
    figure_ids: list[str]
    conflicts: list[Conflict] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)  # figure ids ordered by time


@dataclass(slots=True)
class Citation:
    n: int  # the source's number in the report
    figure_id: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(slots=True)
class Paragraph:
    """One sentence-level unit of report prose with the sources it cites."""

    text: str
    cites: list[int] = field(default_factory=list)
    figure_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Section:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(slots=True)
class ReportSource:
    n: int
    id: str
    url: str | None
    title: str | None
    publisher: str | None
    published: str | None
    outlet_kind: str | None = None
    sha256: str = ""
    text: str = ""  # the source's full text, so a rendered report can show every quote in place


@dataclass(slots=True)
class Report:
    question: str
    mode: Literal["question", "claim"]
    status: str  # AnswerStatus
    summary: list[Paragraph]
    sections: list[Section]
    figures: list[Figure]
    conflicts: list[Conflict]
    limitations: list[Paragraph]
    sources: list[ReportSource]
    frame: Frame
    verdict: str | None = None  # VerdictLabel for claims
    verdict_explanation: list[Paragraph] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    engine_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def source_number(self, source_id: str) -> int | None:
        for s in self.sources:
            if s.id == source_id:
                return s.n
        return None


def to_plain(obj: Any) -> Any:
    """Dataclasses to dicts, recursively (for JSON)."""
    return asdict(obj)
