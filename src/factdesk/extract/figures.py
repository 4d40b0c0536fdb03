"""Assemble traced Figures from the numbers in each sentence.

For every number that is a figure: its offsets in the source, its kind, its time (the time
expression nearest it in the sentence, else one carried forward from earlier in the paragraph,
else the document's own reference time, else the publication date for a stock), what it
counts, who says so, and the caveats around it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from factdesk.model import Figure, Period, Sentence, Source

from .attribution import find_hedges, find_speaker, speaker_kind
from .kind import classify
from .numbers import find_numbers
from .subject import counted_noun, subject_and_scope
from .timex import TimeRef, find_times, parse_published

# Words that make a following time a bound or an event date, not the figure's time:
# "the largest since 2009", "going back to 1979", "on September 25", "released Aug. 21".
_BOUND_BEFORE = re.compile(
    r"(?:\bsince|\bback\s+to|\bbefore|\bafter|\bprior\s+to|\blargest|\bbiggest|\bsmallest|\brecord|\bon|\binto|"
    r"\breleased|\bpublished|\bposted|\bannounced|\bdated|\bsent|\bsigned|\bwritten|\bstarted|\bbegan)\s+(?:the\s+)?"
    r"(?:(?:end|close|start|beginning)\s+of\s+(?:the\s+)?)?$",
    re.I,
)
# "up by 17,000 since the close of the last fiscal year", "data going back to 1979 show ...": the
# time opens a period that runs to the present, unless a superlative makes it a record's bound.
# "since it started July 24": the event that opens the period may be named before its date.
_OPEN_START = re.compile(
    r"\b(?:since|back\s+to)\s+(?:(?:it|they|he|she|(?:the|this|that)\s+[\w'’-]+)\s+(?:started|began|opened|ignited|erupted|took\s+office)\s+"
    r"(?:on\s+|in\s+)?)?(?:the\s+)?(?:(?:end|close|start|beginning)\s+of\s+(?:the\s+)?)?$", re.I)
# "the largest haul since 2019": a record's bound, unless a number stands between ("the largest blaze has burned 429,603 acres since").
_RECORD = re.compile(r"\b(?:\w+est|most|least|record|first|only|no)\b[^,;\d]*$", re.I)
_DURATION_UNITS = {"year", "month", "week", "day", "decade", "hour", "minute"}
_PRESENT_TENSE = re.compile(r"^[^,;.:—]{0,60}?\b(?:are|is|remain|remains|live|lives)\b")
# "the 2019 benchmark", "2024's job creation": a year naming one edition of something.
_ADJECTIVE_YEAR_BEFORE = re.compile(r"\b(?:the|a|an|its|their|this|that)\s+$", re.I)
_ADJECTIVE_YEAR_AFTER = re.compile(r"^(?:'s|’s)\s|^\s+(?!(?:fiscal|calendar|year|and|or|to|through|when|as|for|in|of|was|were|is)\b)[a-z]")
_SPEECH_AFTER = re.compile(
    r"^,?\s+(?:[\w.'’-]+\s+){0,4}?(?:said|says|posted|wrote|told|claimed|tweeted|argued|declared|stated|insisted)\b")
# Breaks between the parts of a sentence that can each carry their own time.
_SEGMENT_BREAK = re.compile(r"\s[—–]\s|;|:\s")
# A time that is the other side of a comparison: "14% more than in January 2024", "down 1,412 from
# a year earlier", "a 26% drop from the same period last year".
_CONTRAST_BEFORE = re.compile(
    r"\b(?:from|than|compared\s+(?:with|to)|versus|vs\.?|beat|beats|exceeded|exceeds|topped|tops|surpassed|"
    r"outpaced|trailed|matched)\s+(?:(?:in|at|during|with)\s+)?(?:the\s+)?"
    r"(?:same\s+(?:period|quarter|month|week|time|day)\s+(?:of\s+|in\s+)?)?$", re.I)
_PART_OF_PREVIOUS = re.compile(
    r"\b(?:including|includ(?:es|ed)|of\s+(?:which|whom)|among\s+them)\s+(?:(?:about|nearly|almost|roughly|around|some|"
    r"over|more\s+than|at\s+least|an\s+estimated)\s+)?$", re.I)
_RESTATED = re.compile(r"\s*(?:,\s*or|\(|,\s*or\s+about|,\s*or\s+roughly|,\s*or\s+nearly)\s*")
# Verbs in the present tense right before a stock: "It has 207 schools and employs roughly 5,900 teachers".
_PRESENT_BEFORE = re.compile(
    r"\b(?:has|have|is|are|employs|holds|houses|counts|serves|operates|owns|runs|manages|oversees)\s+"
    r"(?:(?:about|nearly|almost|roughly|around|some|over|more\s+than|at\s+least|approximately|just|only|an\s+estimated)\s+)?$", re.I)
# A time after the number is its own when a preposition links them: "150,000 of them in September".
_LINKED_AFTER = re.compile(r"\b(?:in|during|for|through|over|by|at\s+the\s+end\s+of|until|since|from|between|of)\s+(?:the\s+)?$", re.I)


@dataclass(slots=True)
class _Context:
    """What earlier sentences of a paragraph leave behind for later ones."""

    paragraph: int = -1
    time: TimeRef | None = None
    speaker: str = ""
    unread: list[str] = field(default_factory=list)  # later sentences not yet searched for a speaker

    def last_speaker(self) -> str:
        """The speaker of the latest earlier sentence that names one; sentences without figures are
        searched only when a later one needs their speaker."""
        for text in reversed(self.unread):
            speaker = find_speaker(text)
            if speaker:
                self.speaker = speaker
                break
        self.unread.clear()
        return self.speaker


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


def _nearest(refs: list[TimeRef], text: str, start: int, end: int, stock: bool,
             numbers: list[tuple[int, int]] | None = None) -> TimeRef | None:
    """The time of the number: a time linked to it by a preposition right after it, else the
    nearest one before it in the same part of the sentence, else the first after it. "Now" and "currently" count for a stock, or
    when the part has no other time; an as-of date comes first for a stock."""
    seg_start, seg_end = _segment(text, start, end)
    # The other side of a comparison is the number's own time only when the number is on that side too:
    # "down from 57 the year before", "than the previous year's reduction of 598,000, which ...".
    refs = [r for r in refs if not _is_contrast(text, r) or (r.start >= end and not text[end:r.start].strip())
            or (r.end <= start and not re.search(r"[;:—–]|,(?!\d|\s*(?:which|who|whom|whose)\b)", text[r.end:start]))]
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
            or not between.strip()
        ) and not (numbers and _holds_number(numbers, end, r.start)
                   and not (_coordinated(between) and not any(end <= o.start and o.end <= r.start for o in refs if o is not r))):
            return r

    before = [r for r in refs if r.end <= start]
    if before:
        return before[-1]
    # A time after the number that another number stands closer to is that number's: "to 3.9% from
    # 3.7% in January"; so is a contrast ("41,000, less than the previous year's 63,000").
    after = [r for r in refs if not (numbers and _holds_number(numbers, end, r.start)) and r.relative != "prior"]
    return after[0] if after else None


def _as_of_after(refs: list[TimeRef], text: str, start: int, end: int,
                 numbers: list[tuple[int, int]]) -> TimeRef | None:
    """An as-of date later in the number's part of the sentence, with no other number between:
    "the budget for fiscal 2023 shows 405,786 people on the docket as of June 5, 2021" dates
    the 405,786 to June 5, 2021, not to the fiscal year that names the document."""
    seg_start, seg_end = _segment(text, start, end)
    for r in refs:
        if (r.kind == "as_of" and end <= r.start and r.end <= seg_end and not r.relative
                and not _is_contrast(text, r) and not _holds_number(numbers, end, r.start)):
            return r
    return None


def _coordinated(between: str) -> bool:
    """ "1,150 pounds of meth and 84 pounds of fentanyl in March": numbers joined by "and" share the time after them."""
    return bool(re.search(r"\band\b", between)) and not re.search(r"\b(?:from|than|to|versus|vs|compared)\b", between)


def _is_contrast(text: str, ref: TimeRef) -> bool:
    return bool(_CONTRAST_BEFORE.search(text[: ref.start]))


def _holds_number(numbers: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start <= s and e <= end for s, e in numbers)


def _document_times(sentences: list[Sentence], times: list[list[TimeRef]]) -> tuple[TimeRef | None, TimeRef | None]:
    """The document's latest as-of date, and the period it states most often (else its first
    month or year).

    Used when a sentence and its paragraph give none: a headline's stock is usually the one the
    article dates, and an article about one period keeps coming back to it. Whole dates are
    left out of the second: they date bylines and events, not what is counted.
    """
    latest_as_of: TimeRef | None = None
    periods: list[TimeRef] = []
    first_point: TimeRef | None = None
    for sentence, found in zip(sentences, times):
        for ref in _usable(found, sentence.text):
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


def _time_kind(ref: TimeRef) -> str:
    """The kind of a figure's own time, telling a whole year or month ("in 2019", "last year",
    "in September 2023") apart from a day: a count over a whole one happened during it."""
    return "span" if ref.kind == "point" and len(ref.value) in (4, 7) else ref.kind


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
    times = [find_times(sentence.text, pub) for sentence in sentences]  # each sentence's times, read once
    doc_as_of, doc_time = _document_times(sentences, times)
    context = _Context()
    figures: list[Figure] = []
    antecedent = ("", "")  # the last noun a number counted: what an elided or anaphoric one counts
    decided: list[tuple[Figure, TimeRef | None]] = []  # figures whose kind and time the text fixed
    weak: list[Figure] = []  # figures that fell back to defaults, to be settled by a later mention
    in_context: list[Figure] = []  # figures of a decided kind dated by their paragraph
    defaulted: list[Figure] = []  # figures dated by nothing nearer than the whole document
    own_dated: list[tuple[Figure, TimeRef]] = []  # weak figures whose sentence dates them
    for position, sentence in enumerate(sentences):
        if paragraphs[position] != context.paragraph:
            context = _Context(paragraph=paragraphs[position])
        text = sentence.text
        found = times[position]
        refs = _anchor_relative(_usable(found, text), found, text, context.time or doc_time)
        spans = [s for s in find_numbers(text) if s.is_figure]
        numbers = [(s.start, s.end) for s in spans]
        if not spans:
            context.unread.append(text)
        speaker = (find_speaker(text) or context.last_speaker()) if spans else ""
        following = sentences[position + 1].text if position + 1 < len(sentences) else ""
        hedges = find_hedges(text, following) if spans else []
        previous: Figure | None = None
        for span in spans:
            ref = _as_of_after(refs, text, span.start, span.end, numbers) or \
                _nearest(refs, text, span.start, span.end, stock=False, numbers=numbers)
            own_time = ref is not None and ref.kind != "present"
            present = _nearest(refs, text, span.start, span.end, stock=True, numbers=numbers)
            time_for_kind = ref or (present if present is not None and present.kind == "present" else context.time)
            kind, strong = classify(text, span.start, span.end, span.unit, span.signed,
                                    _time_kind(ref) if ref is not None else time_for_kind.kind if time_for_kind else None)
            # "lost 129,000, manufacturing 115,000 and construction 45,000": items of one list.
            if not strong and previous is not None and _in_list(text, span.start, span.end):
                kind, strong = previous.kind, True
            # "4 million ballots were cast, including 280,000 by mail": a part of the figure before it.
            if previous is not None and previous.unit == span.unit and previous.kind != "other" \
                    and _PART_OF_PREVIOUS.search(text[:span.start]):
                kind, strong = previous.kind, True
            # "rise by $3.4 billion, or 4.1%": the same change restated in another unit.
            if previous is not None and previous.kind == "change" and previous.sentence_index == sentence.index \
                    and _RESTATED.fullmatch(text, previous.end - sentence.start, span.start):
                kind, strong = "change", True
            if kind == "stock" or (kind in ("share", "rate") and not own_time):
                ref = _nearest(refs, text, span.start, span.end, stock=True, numbers=numbers) or ref
            if ref is None and kind != "other":
                ref = _open_period(found, text, span.start, span.end, doc_as_of, pub)
                own_time = ref is not None
            if ref is not None and kind != "other":
                ref = _edition_year(ref, found, text, doc_time)
            # A duration never counts the noun of an earlier number.
            subject, scope = subject_and_scope(text, span.start, span.end,
                                               antecedent if span.unit not in _DURATION_UNITS else ("", ""))
            if span.unit == "count" and counted_noun(text, span.start, span.end):
                antecedent = (subject, scope)
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
            if ref is None and kind == "stock" and context.time is None and pub and (
                    _PRESENT_TENSE.match(text[span.end:]) or _PRESENT_BEFORE.search(text[:span.start])):
                # "More than 13,000 ... are not in custody": a stock stated in the present tense is
                # as of the day it is published.
                ref = TimeRef(span.start, span.end, "present", f"{pub.year:04d}-{pub.month:02d}")
                defaulted.append(figure)
            elif ref is None and kind != "other":
                if context.time is None:
                    defaulted.append(figure)
                ref = context.time or _document_time(kind, doc_as_of, doc_time)
            elif ref is None and span.unit == "count":
                ref = context.time
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
            else:
                weak.append(figure)
                if own_time:
                    own_dated.append((figure, ref))
                if strong and ref is not None and ref is context.time:
                    in_context.append(figure)
        here = [f for f in figures if f.sentence_index == sentence.index]
        for part in {_segment(text, f.start - sentence.start, f.end - sentence.start) for f in here}:
            _share_with_siblings([f for f in here if part[0] <= f.start - sentence.start < part[1]], weak, decided, own_dated)
        # A time counted back from another ("the previous year"), the other side of a comparison, or a
        # target after publication ("by 2026") is not the time the paragraph goes on about.
        carried = [r for r in refs if r.relative != "prior" and not _is_contrast(text, r)
                   and not (pub and r.value[:7] > pub.isoformat()[:len(r.value[:7])])]
        if carried:
            context.time = carried[-1]
        if speaker:
            context.speaker = speaker
            context.unread.clear()
    _settle_by_value(weak, decided, in_context, defaulted)
    return figures


def _document_time(kind: str, doc_as_of: TimeRef | None, doc_time: TimeRef | None) -> TimeRef | None:
    """The document's own time for a figure that states none: its latest as-of date for a stock,
    and for a change too when that date is later than the document's period (a change is
    measured up to the latest state the document gives); else the period it keeps stating."""
    if kind == "stock":
        return doc_as_of
    if kind == "change" and doc_as_of is not None and (doc_time is None or doc_as_of.value[:7] > doc_time.value[:7]):
        return doc_as_of
    return doc_time


def _anchor_relative(refs: list[TimeRef], found: list[TimeRef], text: str, base: TimeRef | None) -> list[TimeRef]:
    """Times that count from another time, resolved: "the previous year" is the year before the
    time under discussion; "over the last three years" ends on the day it was said ("On Oct. 24
    he said ...") when the sentence dates the saying."""
    spoken = next((r for r in found if re.search(r"\b[Oo]n\s+$", text[: r.start]) and _SPEECH_AFTER.match(text[r.end:])), None)
    anchored = []
    for ref in refs:
        # "41 homicides in 2024, down from 57 the year before": counted back from the time just named.
        earlier = [r for r in anchored if r.end <= ref.start and r.relative != "prior" and not _is_contrast(text, r)]
        origin = earlier[-1] if earlier else base
        if ref.relative == "prior" and origin is not None and origin.relative != "prior":
            ref = replace(ref, kind=origin.kind, value=_shift_year(origin.value, -ref.back),
                          begin=_shift_year(origin.begin, -ref.back) if origin.begin else None, fiscal=origin.fiscal)
        elif ref.relative == "recent" and spoken is not None:
            ref = replace(ref, value=spoken.value[:7])
        anchored.append(ref)
    return anchored


def _shift_year(value: str, years: int) -> str:
    return f"{int(value[:4]) + years:04d}{value[4:]}"


def _open_period(found: list[TimeRef], text: str, start: int, end: int, doc_as_of: TimeRef | None,
                 pub) -> TimeRef | None:
    """A period opened by "since X" or "going back to X" in the number's part of the sentence,
    running to the document's latest as-of date (else the publication month)."""
    seg_start, seg_end = _segment(text, start, end)
    for ref in found:
        if not seg_start <= ref.start < seg_end or not _OPEN_START.search(text[seg_start:ref.start]):
            continue
        if _RECORD.search(text[seg_start:ref.start]):
            continue
        if doc_as_of is not None and doc_as_of.value > ref.value:
            return TimeRef(ref.start, ref.end, "period", doc_as_of.value, ref.value)
        if pub is not None:
            return TimeRef(ref.start, ref.end, "period", f"{pub.year:04d}-{pub.month:02d}", ref.value)
    return None


def _edition_year(ref: TimeRef, found: list[TimeRef], text: str, doc_time: TimeRef | None) -> TimeRef:
    """"The 2019 benchmark took 514,000 off the March 2019 level": a year used as an adjective
    names one edition of something the text dates more finely, by a date of that year in the
    sentence, else by the month of the document's own period in that year."""
    if ref.kind != "point" or len(ref.value) != 4 or not _ADJECTIVE_YEAR_BEFORE.search(text[: ref.start]) \
            or not _ADJECTIVE_YEAR_AFTER.match(text[ref.end:]):
        return ref
    finer = [r for r in found if r is not ref and r.value.startswith(ref.value) and len(r.value) > 4]
    if finer:
        return replace(ref, value=finer[0].value)
    if doc_time is not None and len(doc_time.value) >= 7:
        return replace(ref, value=ref.value + doc_time.value[4:7])
    return ref


def _share_with_siblings(siblings: list[Figure], weak: list[Figure], decided: list[tuple[Figure, TimeRef | None]],
                         own_dated: list[tuple[Figure, TimeRef]]) -> None:
    """"Together the 36,007 had nearly 88,000 convictions": a figure with no cue of its own is
    about the same time, and of the same kind, as a decided figure of its part of the sentence;
    one with a time of its own ("1.3 million acres so far this year, up from 300,000 in 2023") keeps it."""
    decided_here = [f for f, _ in decided if any(f is s for s in siblings)]
    anchor = decided_here[0] if decided_here else None
    if anchor is None:
        return
    if anchor.kind == "change":
        return  # "was $1,640 in March, down $45": a level beside its change stays a level
    for figure in siblings:
        if any(figure is w for w in weak) and figure.kind == "stock" and figure.unit == anchor.unit:
            figure.kind = anchor.kind
            own = next((ref for f, ref in own_dated if f is figure), None)
            if own is not None:
                _apply_time(figure, own)
            else:
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


def _settle_by_value(weak: list[Figure], decided: list[tuple[Figure, TimeRef | None]],
                     in_context: list[Figure], defaulted: list[Figure]) -> None:
    """A figure whose kind or time was only a default takes them from a decided mention of the
    same (large, so unlikely to repeat by chance) number in the same source: the same value
    exactly, since a neighbouring estimate ("600,000" beside "598,000") is another quantity.
    A figure that only the whole document dated (a headline's) also takes them from a mention
    dated by its paragraph, and a stock from a dated stock of the same subject and nearly the same value."""
    for figure in weak:
        if figure.value < 1000:
            continue
        candidates = [f for f, ref in decided if ref is not None]
        is_default = any(figure is f for f in defaulted)
        if is_default:
            candidates += in_context
        match = next((f for f in candidates if f is not figure and f.value == figure.value
                      and f.unit == figure.unit), None)
        # "More than 13,000 immigrants convicted of homicide" in a headline, "13,099" of them dated later.
        if match is None and is_default and figure.kind == "stock" and figure.subject:
            match = next((f for f, ref in decided if ref is not None and f.kind == "stock" and f.unit == figure.unit
                          and abs(f.value - figure.value) <= 0.1 * f.value
                          and f.subject.lower().startswith(figure.subject.lower())), None)
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
