"""Assemble traced Figures from the numbers in each sentence.

For every number that is a figure: its offsets in the source, its kind, its time (the time
expression nearest it in the sentence, else one carried forward from earlier in the paragraph,
else the document's own reference time, else the publication date for a stock), what it
counts, who says so, and the caveats around it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from factdesk.model import Figure, Period, Sentence, Source

from .attribution import find_hedges, find_speaker, speaker_kind
from .kind import classify
from .numbers import find_numbers
from .subject import subject_and_scope
from .timex import TimeRef, find_times, parse_published

# Words that make a following time a bound or an event date, not the figure's time:
# "the largest since 2009", "going back to 1979", "on September 25", "released Aug. 21".
_BOUND_BEFORE = re.compile(
    r"(?:\bsince|\bback\s+to|\bbefore|\bafter|\bprior\s+to|\blargest|\bbiggest|\bsmallest|\brecord|\bon|"
    r"\breleased|\bpublished|\bposted|\bannounced|\bdated|\bsent|\bsigned|\bwritten)\s+(?:the\s+)?(?:end\s+of\s+)?$",
    re.I,
)
# Breaks between the parts of a sentence that can each carry their own time.
_SEGMENT_BREAK = re.compile(r"\s[—–]\s|;|:\s")
# A time after the number is its own when a preposition links them: "150,000 of them in September".
_LINKED_AFTER = re.compile(r"\b(?:in|during|for|through|over|by|at\s+the\s+end\s+of|until|since|from|between|of)\s+(?:the\s+)?$", re.I)


@dataclass(slots=True)
class _Context:
    """What earlier sentences of a paragraph leave behind for later ones."""

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


def _segment(text: str, start: int, end: int) -> tuple[int, int]:
    """The part of the sentence around a number, between dashes, semicolons, colons or brackets."""
    before = [m.end() for m in _SEGMENT_BREAK.finditer(text, 0, start)]
    after = _SEGMENT_BREAK.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _nearest(refs: list[TimeRef], text: str, start: int, end: int, stock: bool) -> TimeRef | None:
    """The time of the number: a time linked to it by a preposition right after it, else the
    nearest one before it in the same part of the sentence, else the first after it. "Now" and "currently" count for a stock, or
    when the part has no other time; an as-of date comes first for a stock."""
    seg_start, seg_end = _segment(text, start, end)
    # A part of the sentence with no time of its own takes one stated before it, never after.
    refs = [r for r in refs if r.start >= seg_start and r.end <= seg_end] or [r for r in refs if r.end <= seg_start]
    if stock:
        refs = [r for r in refs if r.kind in ("as_of", "present")] or refs
    else:
        refs = [r for r in refs if r.kind != "present"]
    if not refs:
        return None
    for r in refs:
        between = text[end:r.start]
        if r.start >= end and not re.search(r"[,;]", between) and (
            _LINKED_AFTER.search(between) or (r.kind in ("as_of", "period") and len(between) < 25)
        ):
            return r

    before = [r for r in refs if r.end <= start]
    return before[-1] if before else refs[0]


def _document_times(sentences: list[Sentence], published: str | None) -> tuple[TimeRef | None, TimeRef | None]:
    """The document's latest as-of date, and the period it states most often (else its first
    month or year).

    Used when a sentence and its paragraph give none: a headline's stock is usually the one the
    article dates, and an article about one period keeps coming back to it. Whole dates are
    left out of the second: they date bylines and events, not what is counted.
    """
    latest_as_of: TimeRef | None = None
    periods: list[TimeRef] = []
    first_point: TimeRef | None = None
    for sentence in sentences:
        for ref in _usable(find_times(sentence.text, published), sentence.text):
            if ref.kind == "as_of" and (latest_as_of is None or ref.value > latest_as_of.value):
                latest_as_of = ref
            elif ref.kind == "period":
                periods.append(ref)
            elif ref.kind == "point" and first_point is None and len(ref.value) < 10:
                first_point = ref
    if periods:
        counts = Counter(r.value for r in periods)
        return latest_as_of, max(periods, key=lambda r: counts[r.value])
    return latest_as_of, first_point


def _apply_time(figure: Figure, ref: TimeRef | None) -> None:
    figure.as_of, figure.period, figure.year = None, None, None
    if ref is None:
        return
    if figure.kind == "stock":
        figure.as_of = ref.value
    elif figure.kind in ("flow", "change"):
        figure.period = Period(ref.begin, ref.value)
    else:
        figure.year = ref.value


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, 0.005 * abs(b))


def extract_figures(source: Source, sentences: list[Sentence]) -> list[Figure]:
    """Every figure in the sentences, traced to its exact characters in ``source.text``."""
    published = source.published
    pub = parse_published(published)
    paragraphs = _paragraph_numbers(source, sentences)
    doc_as_of, doc_time = _document_times(sentences, published)
    context = _Context()
    figures: list[Figure] = []
    decided: list[tuple[Figure, TimeRef | None]] = []  # figures whose kind and time the text fixed
    weak: list[Figure] = []  # figures that fell back to defaults, to be settled by a later mention
    for position, sentence in enumerate(sentences):
        if paragraphs[position] != context.paragraph:
            context = _Context(paragraph=paragraphs[position])
        text = sentence.text
        refs = _usable(find_times(text, published), text)
        spans = [s for s in find_numbers(text) if s.is_figure]
        speaker = find_speaker(text) or context.speaker
        following = sentences[position + 1].text if position + 1 < len(sentences) else ""
        hedges = find_hedges(text, following) if spans else []
        previous: Figure | None = None
        for span in spans:
            ref = _nearest(refs, text, span.start, span.end, stock=False)
            own_time = ref is not None and ref.kind != "present"
            present = _nearest(refs, text, span.start, span.end, stock=True)
            time_for_kind = ref or (present if present is not None and present.kind == "present" else context.time)
            kind, strong = classify(text, span.start, span.end, span.unit, span.signed,
                                    time_for_kind.kind if time_for_kind else None)
            # "lost 129,000, manufacturing 115,000 and construction 45,000": items of one list.
            if not strong and previous is not None and _in_list(text, span.start, span.end):
                kind, strong = previous.kind, True
            if kind == "stock":
                ref = _nearest(refs, text, span.start, span.end, stock=True) or ref
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
            # "the 36,007", "those 13,099", a bare list item: the same quantity as before.
            earlier = _referent(figures, text, span.start, span.end, span.value)
            if earlier is not None and not own_time:
                figure.kind, figure.as_of, figure.period, figure.year = earlier.kind, earlier.as_of, earlier.period, earlier.year
                figure.subject, figure.scope = earlier.subject, figure.scope or earlier.scope
                figures.append(figure)
                decided.append((figure, None))
                previous = figure
                continue
            if ref is None and kind != "other":
                ref = context.time or (doc_as_of if kind == "stock" else doc_time)
            # A bare year the document states more finely ("2024" of "the year through March 2024").
            elif ref is not None and kind != "stock" and doc_time is not None and len(ref.value) == 4 \
                    and doc_time.value.startswith(ref.value) and len(doc_time.value) > 4:
                ref = doc_time
            _apply_time(figure, ref)
            if figure.time is None and kind == "stock" and pub:
                figure.as_of = f"{pub.year:04d}-{pub.month:02d}"
            figures.append(figure)
            previous = figure
            if strong and own_time:
                decided.append((figure, ref))
            elif not strong or not own_time:
                weak.append(figure)
        _share_with_siblings([f for f in figures if f.sentence_index == sentence.index], weak, decided)
        if refs:
            context.time = refs[-1]
        if speaker:
            context.speaker = speaker
    _settle_by_value(weak, decided)
    return figures


def _share_with_siblings(siblings: list[Figure], weak: list[Figure], decided: list[tuple[Figure, TimeRef | None]]) -> None:
    """"Together the 36,007 had nearly 88,000 convictions": a figure with no cue of its own is
    about the same time, and of the same kind, as a decided figure of its sentence."""
    decided_here = [f for f, _ in decided if any(f is s for s in siblings)]
    anchor = decided_here[0] if decided_here else None
    if anchor is None:
        return
    for figure in siblings:
        if any(figure is w for w in weak) and figure.kind == "stock" and figure.unit == anchor.unit:
            figure.kind = anchor.kind
            figure.as_of, figure.period, figure.year = anchor.as_of, anchor.period, anchor.year


def _referent(figures: list[Figure], text: str, start: int, end: int, value: float) -> Figure | None:
    """The earlier figure a number refers back to, if it does."""
    if not figures:
        return None
    if re.search(r"\b(?:the|those|these|all|of\s+the)\s+$", text[:start], re.I) and value >= 100:
        return next((f for f in reversed(figures) if _close(f.value, value)), None)
    if _is_list_item(text, start, end) and figures[-1].unit == "count":
        return figures[-1] if figures[-1].kind != "other" else None
    return None


def _settle_by_value(weak: list[Figure], decided: list[tuple[Figure, TimeRef | None]]) -> None:
    """A figure whose kind or time was only a default takes them from a decided mention of the
    same (large, so unlikely to repeat by chance) number in the same source."""
    for figure in weak:
        if figure.value < 1000:
            continue
        match = next((f for f, ref in decided if ref is not None and f is not figure and _close(f.value, figure.value)
                      and f.unit == figure.unit), None)
        if match is not None:
            figure.kind = match.kind
            figure.as_of, figure.period, figure.year = match.as_of, match.period, match.year


def _is_list_item(text: str, start: int, end: int) -> bool:
    """A sentence that is only a label and a number: "Homicide: 193"."""
    return bool(re.fullmatch(r"\s*[A-Za-z][\w '’,-]{0,40}:\s*", text[:start])) and not text[end:].strip(" .;,\n")


def _in_list(text: str, start: int, end: int) -> bool:
    """A number that stands alone after a short label inside a list: ", manufacturing 115,000,"."""
    return bool(re.search(r"(?:,|\band)\s+(?:[A-Za-z][\w'’-]*\s+){1,4}$", text[:start])) and bool(
        re.match(r"\s*(?:,|\band\b|\.|;|$)", text[end:])
    )
