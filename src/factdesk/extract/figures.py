"""Assemble traced Figures from the numbers in each sentence.

For every number that is a figure: its offsets in the source, its kind, its time (the time
expression nearest it in the sentence, else one carried forward from earlier in the paragraph,
else the document's own reference time, else the publication date for a stock), what it
counts, who says so, and the caveats around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factdesk.model import Figure, Period, Sentence, Source

from .attribution import find_hedges, find_speaker, speaker_kind
from .kind import classify
from .numbers import find_numbers
from .subject import subject_and_scope
from .timex import TimeRef, find_times, parse_published

# Words that make a following time a bound, not the figure's time ("the largest since 2009").
_BOUND_BEFORE = re.compile(r"(?:since|back\s+to|before|after|prior\s+to|largest|biggest|smallest|record)\s+(?:the\s+)?(?:end\s+of\s+)?$", re.I)


@dataclass(slots=True)
class _Context:
    """What earlier sentences leave behind for later ones."""

    paragraph: int = -1
    time: TimeRef | None = None
    speaker: str = ""


def _paragraph_numbers(source: Source, sentences: list[Sentence]) -> list[int]:
    """The paragraph of each sentence: a blank line between two sentences starts a new one."""
    numbers, paragraph, previous_end = [], 0, None
    for sentence in sentences:
        if previous_end is not None and re.search(r"\n\s*\n", source.text[previous_end:sentence.start + 1]):
            paragraph += 1
        numbers.append(paragraph)
        previous_end = sentence.end
    return numbers


def _usable(refs: list[TimeRef], text: str) -> list[TimeRef]:
    return [r for r in refs if not _BOUND_BEFORE.search(text[: r.start])]


def _nearest(refs: list[TimeRef], start: int, end: int, kind_hint: str | None) -> TimeRef | None:
    """The time expression nearest the number; for a stock an as-of date is preferred."""
    if kind_hint == "stock":
        stock_refs = [r for r in refs if r.kind in ("as_of", "present")]
        refs = stock_refs or refs

    def distance(r: TimeRef) -> int:
        return start - r.end if r.end <= start else max(0, r.start - end)

    return min(refs, key=distance) if refs else None


def _document_time(source: Source, sentences: list[Sentence], published: str | None) -> dict[str, TimeRef]:
    """The first as-of date and the first stated period of the document, used when a sentence has none."""
    found: dict[str, TimeRef] = {}
    for sentence in sentences:
        for ref in _usable(find_times(sentence.text, published), sentence.text):
            if ref.kind == "as_of":
                found.setdefault("stock", ref)
            if ref.kind == "period":
                found.setdefault("flow", ref)
    return found


def _apply_time(figure: Figure, ref: TimeRef | None) -> None:
    if ref is None:
        return
    if figure.kind == "stock":
        figure.as_of = ref.value
    elif figure.kind in ("flow", "change"):
        figure.period = Period(ref.begin, ref.value)
    else:
        figure.year = ref.value


def extract_figures(source: Source, sentences: list[Sentence]) -> list[Figure]:
    """Every figure in the sentences, traced to its exact characters in ``source.text``."""
    published = source.published
    pub = parse_published(published)
    paragraphs = _paragraph_numbers(source, sentences)
    document_time = _document_time(source, sentences, published)
    context = _Context()
    figures: list[Figure] = []
    for position, sentence in enumerate(sentences):
        if paragraphs[position] != context.paragraph:
            context = _Context(paragraph=paragraphs[position])
        text = sentence.text
        refs = _usable(find_times(text, published), text)
        spans = [s for s in find_numbers(text) if s.is_figure]
        speaker = find_speaker(text) or context.speaker
        following = sentences[position + 1].text if position + 1 < len(sentences) else ""
        hedges = find_hedges(text, following) if spans else []
        previous_kind: str | None = None
        for span in spans:
            ref = _nearest(refs, span.start, span.end, None)
            kind = classify(text, span.start, span.end, span.unit, span.signed, ref.kind if ref else None)
            # A bare item in a list ("manufacturing 115,000") shares the kind of the item before it.
            if previous_kind and _is_list_item(text, span.start, span.end) and kind in ("stock", "other") and span.unit != "percent":
                kind = previous_kind
            previous_kind = kind
            if kind == "stock":
                ref = _nearest(refs, span.start, span.end, "stock")
            if ref is None and kind in ("stock", "flow", "change", "share", "rate"):
                ref = context.time or document_time.get("stock" if kind == "stock" else "flow")
            subject, scope = subject_and_scope(text, span.start, span.end)
            figure = Figure(
                source_id=source.id,
                sentence_index=sentence.index,
                start=sentence.start + span.start,
                end=sentence.start + span.end,
                surface=span.surface,
                value=span.value,
                quote=text,
                quote_start=sentence.start,
                quote_end=sentence.end,
                value_high=span.value_high,
                approx=span.approx,
                unit=span.unit,
                subject=subject,
                scope=scope,
                kind=kind,
                attribution=speaker,
                speaker_kind=speaker_kind(speaker),
                hedges=hedges,
            )
            _apply_time(figure, ref)
            if figure.time is None and kind == "stock" and pub:
                figure.as_of = f"{pub.year:04d}-{pub.month:02d}"
            figures.append(figure)
        if refs:
            context.time = refs[-1]
        if speaker:
            context.speaker = speaker
    return figures


def _is_list_item(text: str, start: int, end: int) -> bool:
    """A number that stands alone after a label in a list: "retail 129,000," or "Homicide: 193"."""
    before = text[:start]
    after = text[end:end + 3]
    return bool(re.search(r"(?:^|[,;:(]\s*|\band\s+)(?:[A-Za-z][\w'-]*\s+){0,4}[A-Za-z][\w'-]*:?\s*\(?$", before)) and (
        after == "" or after[0] in ",;.)" or after.startswith(" and")
    )
