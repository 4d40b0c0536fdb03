"""Judge: does the evidence answer the question (answer status), or bear out the claim (verdict)?

Every decision keeps its reasons as plain findings, which compose turns into cited prose.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from factdesk.analyze.relate import unit_family, values_agree
from factdesk.analyze.retrieve import Evidence, Scored, claimed_value, quoted_assertion
from factdesk.model import Figure, Frame
from factdesk.terms import stem, stems

STRONG = 0.38  # relevance at which a figure is about the asked quantity (with its noun, below)
SUBJECT_SHARE = 0.5  # share of the asked words a figure must name when its head noun differs
SAME_QUANTITY_SPREAD = 0.1  # beside a supporting figure, a contradicting one must be a close variant of the claimed value
KIND_WORDS = {
    "stock": "a count at one point in time",
    "flow": "a count over a period",
    "share": "a share of a whole",
    "rate": "a rate per person or unit",
    "change": "a change between two times",
    "other": "a figure of another kind",
}


@dataclass(slots=True)
class Finding:
    """One reason behind a status or verdict, with the figures it rests on."""

    text: str
    figure_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Judgement:
    status: str
    direct: list[Scored]  # figures that answer as asked
    related: list[Scored]  # figures about the quantity that do not answer as asked
    findings: list[Finding] = field(default_factory=list)
    verdict: str | None = None
    supporting: list[Scored] = field(default_factory=list)
    contradicting: list[Scored] = field(default_factory=list)
    misleading: list[Finding] = field(default_factory=list)


# ---- time -------------------------------------------------------------------------------------
def time_fits(asked: str | None, fig: Figure) -> bool | None:
    """None when the question names no time; else whether the figure is about that time."""
    if not asked:
        return None
    have = fig.time
    if not have:
        return False
    return have.startswith(asked) or asked.startswith(have)


def year_mismatch(asked: str, fig: Figure) -> str | None:
    """How a flow or change falls short of covering calendar year ``asked``, or None if it does:
    a period ending inside the year (a part year, or twelve months to March), or one that began
    in an earlier year (a total over several years)."""
    if len(asked) != 4 or fig.kind not in ("flow", "change"):
        return None
    end = fig.time or ""
    start = fig.period.start if fig.period else None
    if len(end) >= 7 and end[:4] == asked and end[5:7] != "12":
        span = f"from {start} to {end}" if start else f"ending {end}"
        return f"covers the period {span}, not the whole of calendar {asked}"
    if start and start[:4].isdigit() and int(start[:4]) < int(asked) - 1 and end[:4] == asked:
        return f"is a total over several years ({start} to {end}), not for {asked} alone"
    return None


def kind_fits(asked: str | None, fig: Figure) -> bool:
    if asked is None:
        return True
    if asked == fig.kind:
        return True
    # An average over a period ("a month, on average") is still a flow; a rate asked as a share.
    return {asked, fig.kind} == {"rate", "share"}


def unit_fits(frame: Frame, fig: Figure) -> bool:
    text = frame.text.lower()
    if frame.kind in ("share", "rate") or "percent" in text or "%" in text:
        return fig.unit == "percent" or fig.unit.startswith("per")
    if re.search(r"\bhow\s+much\b.*\b(?:cost|spend|spent|money|paid|budget|worth|dollars?)\b|\$", text):
        return unit_family(fig.unit) == "money"
    if re.search(r"\bhow\s+many\b", text):
        return fig.unit not in ("percent",) and unit_family(fig.unit) != "money"
    return True


def premise_stems(frame: Frame) -> set[str]:
    """Stems of the event or state the question is about ("released", "created", "living")."""
    out: set[str] = set()
    for p in frame.premises:
        words = [w for w in re.findall(r"[A-Za-z]+", p) if re.search(r"(?:ed|en|ing)$", w.lower())]
        out |= {stem(w) for w in words}
    return out


# ---- questions --------------------------------------------------------------------------------
def judge_question(ev: Evidence) -> Judgement:
    frame = ev.frame
    about = [s for s in ev.figures if s.relevance >= STRONG and (s.head_match or s.subject_match >= SUBJECT_SHARE)]
    premises = premise_stems(frame)
    direct, related = [], []
    for s in about:
        f = s.figure
        fits = kind_fits(frame.kind, f) and unit_fits(frame, f) and time_fits(frame.time, f) is not False
        if fits and frame.time:
            fits = year_mismatch(frame.time, f) is None
        if fits and quoted_assertion(f):
            fits = False  # a politician's number, reported as said, is a claim and not a count
        if fits and premises and f.unit not in ("percent",) and not f.unit.startswith("per"):
            # A count must be of the asked event ("released", "created"); a share names its
            # whole in words of its own.
            fits = s.paraphrase or bool(premises & stems(f"{f.subject} {f.scope} {f.quote}"))
        (direct if fits else related).append(s)
    if direct:
        status = "answered"
    elif about:
        status = "related_only"
    else:
        status = "no_evidence"
        related = [s for s in ev.figures if s.relevance >= STRONG * 0.8][:5]
    findings = [Finding(how_it_differs(frame, s.figure), [s.figure.id]) for s in related[:8]]
    return Judgement(status, direct, related, findings)


def how_it_differs(frame: Frame, fig: Figure) -> str:
    """Say exactly how a related figure differs from what was asked."""
    parts = []
    if quoted_assertion(fig):
        parts.append("it is a claim reported as someone's words, not a count from records")
    if frame.kind and fig.kind != frame.kind:
        when = f" ({fig.time})" if fig.time else ""
        parts.append(f"it is {KIND_WORDS.get(fig.kind, fig.kind)}{when}, not {KIND_WORDS.get(frame.kind, frame.kind)}")
    fit = time_fits(frame.time, fig)
    if fit is False:
        parts.append(f"it is dated {fig.time or 'without a date'}, not {frame.time}")
    elif frame.time and (mismatch := year_mismatch(frame.time, fig)):
        parts.append(f"it {mismatch}")
    if not parts:
        parts.append("it counts a related but different group or event than the one asked about")
    return "; ".join(parts)


# ---- claims -----------------------------------------------------------------------------------
def _step(value: float) -> float:
    """The rounding step a writer implies: 13,000 -> 1,000; 7.5 million -> 100,000; 30 -> 10; 2.5 -> 0.1."""
    value = abs(value)
    if value == 0:
        return 1.0
    if value != int(value):
        return 10.0 ** -len(f"{value:.10g}".split(".")[1])
    integer = str(int(value))
    return float(10 ** (len(integer) - len(integer.rstrip("0"))))


def value_fits(frame: Frame, fig: Figure) -> bool:
    """Does the figure bear out the claimed number, respecting its comparator and rounding?"""
    claimed = frame.value
    if claimed is None:
        return False
    v, hi = fig.value, fig.value_high if fig.value_high is not None else fig.value
    comparator = frame.comparator or "exact"
    step = _step(claimed)
    if comparator in ("more_than", "at_least"):
        return hi > claimed or (comparator == "at_least" and values_agree(hi, claimed)) or (
            fig.approx in ("more_than", "at_least") and values_agree(v, claimed))
    if comparator in ("fewer_than", "up_to", "at_most"):
        return v < claimed or values_agree(v, claimed)
    if comparator == "nearly":
        return claimed - max(step, 0.1 * abs(claimed)) <= v <= claimed or values_agree(v, claimed)
    if comparator == "about":
        return abs(v - claimed) <= max(step / 2, 0.05 * abs(claimed)) or v <= claimed <= hi
    # exact: equal up to the rounding the claim's own digits imply
    return values_agree(v, claimed) or abs(v - claimed) < step / 2 + 1e-9 * abs(claimed) or v <= claimed <= hi


def bound_allows(fig: Figure, value: float) -> bool:
    """A source's bound that the claimed value satisfies ("more than 13,000" and 13,099)
    neither supports nor contradicts an exact claim."""
    if fig.approx in ("more_than", "at_least"):
        return value >= fig.value
    if fig.approx in ("fewer_than", "up_to", "at_most"):
        return value <= fig.value
    if fig.approx == "nearly":  # "nearly 15,000": a little under it
        return 0.9 * fig.value <= value <= fig.value
    return False


def same_quantity(frame: Frame, s: Scored, best: float) -> bool:
    """The figure counts what the claim counts: close to the best match and naming its noun,
    or stating the claimed number itself in a passage about the same words."""
    if claimed_value(frame, s.figure) and s.relevance >= 0.3:
        return True
    return s.relevance >= max(0.4, 0.6 * best) and (s.head_match or s.subject_match >= SUBJECT_SHARE)


CONVICTED = re.compile(r"\bconvict\w*|\bfound\s+guilty\b", re.I)
CHARGED = re.compile(r"\bcharged\b|\bcharges\b|\baccused\b|\barrested\b|\bsuspect\w*", re.I)


def judge_claim(ev: Evidence) -> Judgement:
    frame = ev.frame
    base = judge_question(ev)
    judgement = Judgement(base.status, base.direct, base.related, base.findings)
    if frame.value is None and frame.actor and frame.compared_to:
        return judge_comparison(ev, judgement)
    if frame.value is None:
        judgement.verdict = "unverifiable"
        judgement.findings = [Finding("the sources hold no figure for what the claim asserts")]
        return judgement
    # Sources reporting the claim being made, or a politician's quoted numbers, are not evidence.
    echoes = [s for s in ev.figures if quoted_assertion(s.figure)]
    evidence = [s for s in ev.figures if s not in echoes]
    best = max((s.relevance for s in evidence), default=0.0)
    candidates = [s for s in evidence if same_quantity(frame, s, best) and _unit_matches_claim(frame, s.figure)]
    supporting = [s for s in candidates if value_fits(frame, s.figure)]
    spread = SAME_QUANTITY_SPREAD if supporting else 1 - 1 / 3
    contradicting = [s for s in candidates if not value_fits(frame, s.figure) and not bound_allows(s.figure, frame.value)
                     and _comparable(frame, s.figure, spread)]
    judgement.supporting, judgement.contradicting = supporting, contradicting
    judgement.findings = [Finding("a source reports the claim itself being made", [s.figure.id]) for s in echoes[:2]]
    misleading = misleading_findings(frame, supporting)
    judgement.misleading = misleading
    if misleading:
        judgement.verdict = "misleading"
    elif supporting and contradicting and _independent(supporting, contradicting):
        judgement.verdict = "mixed"
    elif supporting:
        judgement.verdict = "supported"
    elif contradicting and not _unmatched_subject(frame, ev):
        judgement.verdict = "contradicted"
    else:
        judgement.verdict = "unverifiable"
    return judgement


def _side(s: Scored, a: str, b: str) -> str | None:
    """Which side of a comparison a figure belongs to: the name in its own sentence, else
    the one name in the sentence before; None when neither or both are named."""
    for text in (s.figure.quote, s.before):
        words = {w.lower().strip("'’s") for w in re.findall(r"[A-Za-z'’]+", text)}
        has_a, has_b = a in words, b in words
        if has_a != has_b:
            return a if has_a else b
        if has_a and has_b:
            return None
    return None


def judge_comparison(ev: Evidence, judgement: Judgement) -> Judgement:
    """'A did more of X than B': find X for each side and compare the two figures."""
    frame = ev.frame
    a, b = frame.actor.split()[-1].lower(), frame.compared_to.split()[-1].lower()
    best = max((s.relevance for s in ev.figures), default=0.0)
    kinds = {frame.kind} if frame.kind in ("flow", "stock") else {"flow", "stock"}
    premises = premise_stems(frame)
    pool = [s for s in ev.figures if s.figure.kind in kinds and s.figure.unit == "count"
            and s.relevance >= max(0.3, 0.4 * best) and not quoted_assertion(s.figure)
            and (not premises or premises & stems(f"{s.figure.subject} {s.figure.quote}"))]
    sides = {s.figure.id: _side(s, a, b) for s in pool}
    side_a = [s for s in pool if sides[s.figure.id] == a]
    side_b = [s for s in pool if sides[s.figure.id] == b]
    # A figure beside the other side's figure in the same source, naming neither alone, is the
    # remaining side ("more than 92,920 ... Under Biden, ... 56,280").
    for mine, other, name in ((side_a, side_b, b), (side_b, side_a, a)):
        if mine and not other:
            sources = {s.figure.source_id for s in mine}
            other.extend(s for s in pool if sides[s.figure.id] is None and s.figure.source_id in sources
                         and s.figure.kind == mine[0].figure.kind)
    if not side_a or not side_b:
        judgement.verdict = "unverifiable"
        judgement.findings = [Finding(f"the sources give no figures for both {frame.actor} and {frame.compared_to}")]
        return judgement
    fa, fb = side_a[0].figure, side_b[0].figure
    holds = fa.value > fb.value if frame.comparator == "more_than" else fa.value < fb.value
    judgement.verdict = "supported" if holds else "contradicted"
    word = "more" if fa.value > fb.value else "fewer"
    judgement.findings = [Finding(f"the sources give {fa.surface} for {frame.actor} and {fb.surface} for "
                                  f"{frame.compared_to}: {word} under {frame.actor}", [fa.id, fb.id])]
    judgement.supporting = [side_a[0], side_b[0]] if holds else []
    judgement.contradicting = [] if holds else [side_a[0], side_b[0]]
    return judgement


def _unit_matches_claim(frame: Frame, fig: Figure) -> bool:
    if frame.unit == "percent":
        return fig.unit == "percent"
    if frame.unit and unit_family(frame.unit) == "money":
        return unit_family(fig.unit) == "money"
    return fig.unit not in ("percent",) and unit_family(fig.unit) != "money"


def _unmatched_subject(frame: Frame, ev: Evidence) -> list[str]:
    """Nouns of the claim that no passage in the library mentions ("held by immigrants" in a
    library without a word on immigrants): figures found cannot speak to that part."""
    counted = stems(frame.subject) - stems(frame.actor or "")
    return [t for t in ev.missing_terms if stem(t) in counted and len(t) > 3]


def _comparable(frame: Frame, fig: Figure, spread: float) -> bool:
    """A figure contradicts only if it is for a compatible time and near enough in size to
    be the same quantity measured differently."""
    if frame.time and time_fits(frame.time, fig) is False:
        return False
    if frame.unit == "percent" and frame.kind in ("share", "change", "rate") and not kind_fits(frame.kind, fig):
        return False  # a share of a whole and a percent change measure different things
    if frame.value is None or not fig.value:
        return False
    if frame.unit == "percent" and fig.unit == "percent" and frame.kind == fig.kind and spread > SAME_QUANTITY_SPREAD:
        return True  # one share or one percent change of one thing: any other value disagrees
    lo, hi = sorted((abs(frame.value), abs(fig.value)))
    return hi > 0 and (hi - lo) / hi <= spread


def _independent(a: list[Scored], b: list[Scored]) -> bool:
    return bool({s.figure.source_id for s in a} - {s.figure.source_id for s in b}) and bool(
        {s.figure.source_id for s in b} - {s.figure.source_id for s in a}
    )


def misleading_findings(frame: Frame, supporting: list[Scored]) -> list[Finding]:
    """The number matches, but the claim misstates what it counts (general forms only)."""
    if not supporting:
        return []
    out: list[Finding] = []
    figs = [s.figure for s in supporting]
    ids = [f.id for f in figs]
    kinds = {f.kind for f in figs}
    text = frame.text
    premises = premise_stems(frame)
    real_flows = {f.source_id for f in figs if f.kind == "flow" and (not premises or premises & stems(f"{f.subject} {f.scope} {f.quote}"))}
    stock_sources = {f.source_id for f in figs if f.kind == "stock"}
    # Most sources giving this number count a stock: the claim's "during"/"released" framing misleads.
    if frame.kind == "flow" and stock_sources and len(stock_sources) >= len(real_flows):
        out.append(Finding("the claim presents a count at one point in time (a stock, accumulated over many years) "
                           "as a number that arrived or was released during a period", ids))
    if frame.kind in ("flow", "stock") and kinds <= {"change"}:
        out.append(Finding("the claim presents a change or revision as a level", ids))
    if frame.kind == "share" and kinds <= {"change"} and not re.search(r"\b(?:rise|fall|weaker|stronger|fewer|more|increase|decrease|drop)\b", text, re.I):
        out.append(Finding("the claim presents a percent change as a level or share", ids))
    quotes = " ".join(f"{f.subject} {f.quote}" for f in figs)
    if CONVICTED.search(text) and not CONVICTED.search(quotes) and CHARGED.search(quotes):
        out.append(Finding("the claim says convicted where the sources count people charged or arrested", ids))
    # The claimed number itself, dated by a source to another span (a loose "more than" match
    # with some larger total is not the claim's number and says nothing of its span).
    mismatched = [(f, m) for f in figs if frame.time and claimed_value(frame, f) and (m := year_mismatch(frame.time, f))]
    if mismatched:
        # One source dating the same number to another span is enough to show that
        # "in <year>" misstates it.
        out.append(Finding(f"the figure {mismatched[0][1]}", [f.id for f, _ in mismatched]))
    decades = re.search(r"\b(?:decades?|(?:\d+|forty|thirty|twenty)\s+years?)\b", " ".join(h for f in figs for h in f.hedges), re.I)
    if frame.kind == "flow" and decades and not out:
        out.append(Finding("the sources say the count accumulated over decades, while the claim presents it as recent", ids))
    if frame.actor and not out:
        actor = stems(frame.actor)
        credited = any(actor & stems(f"{f.attribution} {f.quote}") for f in figs)
        acted = re.search(r"\b(?:padded|let|allowed|released|freed|invented|fabricated|faked|cooked|hid|hidden)\b", text, re.I)
        if acted and not credited:
            out.append(Finding(f"the sources do not attribute this figure to an act of {frame.actor}", ids))
    rounded_past = _rounded_past_comparator(frame, figs)
    if rounded_past:
        out.append(rounded_past)
    return out


def _rounded_past_comparator(frame: Frame, figs: list[Figure]) -> Finding | None:
    """'Almost 14,000' for 13,099: rounding pushed past the figure."""
    if frame.comparator not in ("nearly",) or frame.value is None:
        return None
    best = max(f.value for f in figs)
    if best < frame.value and (frame.value - best) / frame.value > 0.05:
        return Finding(f"the claim rounds {best:,.0f} up to nearly {frame.value:,.0f}", [f.id for f in figs])
    return None


def pct_change(old: float, new: float) -> float | None:
    if old == 0 or math.isnan(old):
        return None
    return (new - old) / abs(old) * 100
