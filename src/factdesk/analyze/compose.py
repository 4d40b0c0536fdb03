"""Compose: turn evidence, measures and a judgement into a Report of cited sentences.

Every sentence of prose is a Paragraph that names the sources it rests on; section titles
and order follow what the evidence holds. No sentence states a figure that is not in the
report's figure ledger.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict

from factdesk import __version__
from factdesk.analyze.judge import KIND_WORDS, Judgement, how_it_differs, pct_change
from factdesk.analyze.retrieve import Evidence
from factdesk.model import Conflict, Figure, Measure, Paragraph, Report, ReportSource, Section, Statement

MAX_FIGURES = 60
MAX_CONFLICTS = 4
SPEAKER_ROLE = {
    "government": "a government agency",
    "official": "an elected official or politician",
    "advocacy": "an advocacy group",
    "researcher": "a researcher",
    "media": "a news outlet",
}
SPEAKER_KIND_NAMES = {
    "government": "Government agencies",
    "official": "Elected officials and politicians",
    "advocacy": "Advocacy groups",
    "researcher": "Researchers",
    "media": "News media",
    "unknown": "Others",
}


class Citer:
    """Numbers sources in order of first citation and builds cited paragraphs."""

    def __init__(self, evidence: Evidence):
        self.evidence = evidence
        self.numbers: dict[str, int] = {}

    def n(self, source_id: str) -> int:
        if source_id not in self.numbers:
            self.numbers[source_id] = len(self.numbers) + 1
        return self.numbers[source_id]

    def para(self, text: str, figures: list[Figure] = (), statements: list[Statement] = ()) -> Paragraph:
        cites = []
        for sid in [f.source_id for f in figures] + [s.source_id for s in statements]:
            n = self.n(sid)
            if n not in cites:
                cites.append(n)
        return Paragraph(text, sorted(cites), [f.id for f in figures])

    def outlet(self, source_id: str) -> str:
        src = self.evidence.sources.get(source_id)
        return (src.publisher or src.title or "a source") if src else "a source"


def when(fig: Figure) -> str:
    if fig.as_of:
        return f"as of {fig.as_of}"
    if fig.period and (fig.period.start or fig.period.end):
        if fig.period.start and fig.period.end and fig.period.start != fig.period.end:
            return f"from {fig.period.start} to {fig.period.end}"
        return f"in {fig.period.end or fig.period.start}"
    if fig.year:
        return f"in {fig.year}"
    return "with no date given"


NOT_A_SPEAKER = re.compile(
    r"^(?:what|which|who|how|why|when|where|it|this|that|these|those|they|he|she|we|i)\b|"
    r"\b(?:has|have|had|is|are|was|were|be|been|now|actually|also|still|then|shows?|showed|said|says|told|"
    r"reports?|reported|found|finds|admitted|wrote|posted)$", re.I)


# Lower-case words a speaker's name may hold ("a DHS spokesman", "the county's health director");
# any other lower-case word means extraction took part of a clause for a name.
SPEAKER_WORDS = frozenset(
    "a an the of and for on in at to 's 's spokesman spokeswoman spokesperson official officials director "
    "deputy acting secretary chief head commissioner administrator report reports analysis data letter "
    "statement study survey researchers economists analysts experts group agency department office bureau "
    "committee administration government institute center council board authorities police prosecutors "
    "county city state federal health former senior".split()
)


def speaker(fig: Figure, citer: Citer) -> str:
    """Who asserts the figure: its extracted speaker when that reads as a name, else the outlet."""
    who = " ".join(fig.attribution.split())
    words = who.split()
    if (not who or len(words) > 6 or NOT_A_SPEAKER.search(who)
            or any(w[0].islower() and w.lower() not in SPEAKER_WORDS for w in words)):
        return citer.outlet(fig.source_id)
    return who


def _name(who: str) -> str:
    """A speaker as extracted, without the adverbs a clause can leave behind ("Jeh Johnson still")."""
    words = who.split()
    while len(words) > 1 and words[-1][0].islower() and words[-1].lower() not in SPEAKER_WORDS:
        words.pop()
    return " ".join(words)


def _clip_words(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def describe(fig: Figure, citer: Citer, *, said_by_outlet: bool = True) -> str:
    """'425,431 convicted noncitizens on the docket (a count at one point in time, as of 2024-07-21), according to ICE'
    (the outlet is named as the speaker only when ``said_by_outlet``: a sentence that opens
    with the outlet does not repeat it)."""
    subject = _clip_words(" ".join(x for x in (fig.subject, fig.scope) if x)) or "of what the sentence describes"
    who = speaker(fig, citer)
    said = f", according to {who}" if said_by_outlet or who != citer.outlet(fig.source_id) else ""
    return f"{fig.surface} {subject} ({KIND_WORDS.get(fig.kind, fig.kind)}, {when(fig)}){said}"


def _figure_line(fig: Figure, citer: Citer, extra: str = "") -> Paragraph:
    text = f"{citer.outlet(fig.source_id)} reports {describe(fig, citer, said_by_outlet=False)}{extra}."
    return citer.para(_sentence_case(text), [fig])


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _conflict_paragraph(conflict: Conflict, by_id: dict[str, Figure], citer: Citer, label: str) -> Paragraph:
    figs = [by_id[i] for i in conflict.figure_ids if i in by_id]
    values = []
    for f in sorted(figs, key=lambda f: f.value):
        values.append(f"{f.surface} ({citer.outlet(f.source_id)}, {when(f)})")
    text = f"For {label}, the sources disagree: " + "; ".join(values) + f". Likely reason: {conflict.explanation}."
    return citer.para(text, figs)


def _timeline_paragraph(measure: Measure, by_id: dict[str, Figure], citer: Citer) -> Paragraph | None:
    figs = [by_id[i] for i in measure.timeline if i in by_id]
    firsts: dict[str, Figure] = {}
    for f in figs:
        firsts.setdefault(f.time, f)
    points = list(firsts.values())
    if len(points) < 2 or len({round(f.value, 6) for f in points}) < 2:
        return None  # one value reported on several dates is not a change
    steps = ", then ".join(f"{f.surface} ({f.time})" for f in points)
    change = pct_change(points[0].value, points[-1].value)
    arithmetic = ""
    if change is not None and points[0].unit == points[-1].unit and points[0].unit != "percent":
        arithmetic = f"; computed from these figures, a change of {change:+.1f}% between {points[0].time} and {points[-1].time}"
    return citer.para(f"For {measure.label}, the sources give {steps}{arithmetic}.", points)


def compose(evidence: Evidence, judgement: Judgement, measures: list[Measure]) -> Report:
    frame = evidence.frame
    citer = Citer(evidence)
    relevance = {s.figure.id: s.relevance for s in evidence.figures}
    everything = {s.figure.id: s.figure for s in evidence.figures}
    # The conflicts that matter most: those whose members answer the question most closely.
    conflicts = sorted((c for m in measures for c in m.conflicts),
                       key=lambda c: -max(relevance.get(i, 0.0) for i in c.figure_ids))[:MAX_CONFLICTS]
    ordered = [s.figure for s in judgement.supporting + judgement.contradicting + judgement.direct + judgement.related]
    ordered += [everything[i] for c in conflicts for i in c.figure_ids if i in everything]
    ordered += [s.figure for s in evidence.figures]
    figures: list[Figure] = []
    seen: set[str] = set()
    for f in ordered:
        if f.id not in seen and len(figures) < MAX_FIGURES:
            figures.append(f)
            seen.add(f.id)
    by_id = {f.id: f for f in figures}
    measures = [m for m in measures if any(i in by_id for i in m.figure_ids)]
    conflicts = [c for c in conflicts if all(i in by_id for i in c.figure_ids)]
    measure_of = {i: m for m in measures for i in m.figure_ids}

    sections: list[Section] = []
    summary: list[Paragraph] = []
    asked = KIND_WORDS.get(frame.kind or "", "a figure")
    subject = frame.subject or "what was asked"

    # 1. What the sources count
    if judgement.direct:
        sec = Section("What the sources report for the question asked")
        for s in judgement.direct[:8]:
            sec.paragraphs.append(_figure_line(s.figure, citer))
        sections.append(sec)
    if judgement.related:
        title = ("Related figures, and how each differs from what was asked" if judgement.direct
                 else "What the sources count instead: related figures, not the number asked for")
        sec = Section(title)
        for s in judgement.related[:8]:
            sec.paragraphs.append(_figure_line(s.figure, citer, f"; {how_it_differs(frame, s.figure)}"))
        sections.append(sec)

    # 2. Where figures disagree and why
    if conflicts:
        sec = Section("Where the figures disagree, and why")
        for c in conflicts[:6]:
            label = measure_of[c.figure_ids[0]].label if c.figure_ids[0] in measure_of else "the same quantity"
            sec.paragraphs.append(_conflict_paragraph(c, by_id, citer, label))
        sections.append(sec)

    # 3. How the quantity changed over time
    timeline_paras = [p for m in measures[:6] if (p := _timeline_paragraph(m, by_id, citer))]
    if timeline_paras:
        sections.append(Section("How the figures changed over time", timeline_paras[:4]))

    # 4. Who says what
    statements = _pick_statements(evidence.statements)
    if statements:
        sec = Section("Who says what")
        groups: dict[str, list[Statement]] = defaultdict(list)
        for st in statements:
            groups[st.speaker_kind or "unknown"].append(st)
        for kind in SPEAKER_KIND_NAMES:
            for st in groups.get(kind, [])[:3]:
                role = f" ({SPEAKER_ROLE[kind]})" if kind in SPEAKER_ROLE else ""
                sec.paragraphs.append(citer.para(
                    f"{_sentence_case(_name(st.speaker))}{role} is reported as saying: “{_short(st.text)}”.",
                    statements=[st]))
        sections.append(sec)

    # 5./6. Why a number is elusive, and what data would answer (not answered, or claims that cannot be checked)
    if judgement.status != "answered" and frame.mode == "question":
        held = Counter(f.kind for f in figures if f.kind != "other")
        if held:
            kinds_held = ", ".join(f"{n} {KIND_WORDS[k].replace('a ', '', 1)} figure{'s' if n > 1 else ''}" for k, n in held.most_common())
            rest = [f for f in figures if f.kind != "other"][:3]
            sections.append(Section("Why a single number is elusive", [citer.para(
                f"The question asks for {asked}{' for ' + frame.time if frame.time else ''}; the sources that bear on it hold "
                f"{kinds_held}, which measure something else or another period.", rest)]))
        need = f"{asked} of {subject}" + (f" for {frame.time}" if frame.time else "")
        if frame.premises:
            need += f" (what the question calls “{', '.join(frame.premises[:3])}”)"
        sections.append(Section("What data would answer the question", [Paragraph(
            f"A direct answer needs {need}, from the body that keeps these records, with its definition and period stated; "
            f"the {len(evidence.sources) or 'library'} sources consulted do not provide it.")]))

    # Verdict explanation (claims)
    verdict_paras: list[Paragraph] = []
    if frame.mode == "claim":
        verdict_paras = _verdict_paragraphs(frame, judgement, citer)

    # Executive summary
    summary = _summary(frame, judgement, conflicts, by_id, citer, verdict_paras)

    limitations = _limitations(evidence, figures, citer)
    # Figures whose sources were not cited in prose still appear in the ledger with their source.
    for f in figures:
        if f.source_id in evidence.sources:
            citer.n(f.source_id)
    sources = [
        ReportSource(n, src.id, src.url, src.title, src.publisher, src.published, src.outlet_kind,
                     hashlib.sha256(src.text.encode("utf-8")).hexdigest(), src.text)
        for sid, n in sorted(citer.numbers.items(), key=lambda kv: kv[1])
        if (src := evidence.sources.get(sid)) is not None
    ]
    return Report(
        question=frame.text,
        mode=frame.mode,
        status=judgement.status,
        summary=summary,
        sections=sections,
        figures=figures,
        conflicts=conflicts,
        limitations=limitations,
        sources=sources,
        frame=frame,
        verdict=judgement.verdict,
        verdict_explanation=verdict_paras,
        statements=statements,
        measures=measures,
        engine_version=__version__,
    )


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split()).strip("“”\"")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _pick_statements(statements: list[Statement]) -> list[Statement]:
    out, seen = [], set()
    for st in statements:
        key = (st.speaker, st.text[:60])
        # Who says what needs a who: unattributed quotes are left to the sources themselves.
        if key in seen or len(st.text) < 20 or not st.speaker.strip():
            continue
        seen.add(key)
        out.append(st)
    return out[:12]


def _summary(frame, judgement: Judgement, conflicts, by_id, citer: Citer, verdict_paras) -> list[Paragraph]:
    out: list[Paragraph] = []
    asked = KIND_WORDS.get(frame.kind or "", "a figure")
    if frame.mode == "claim":
        out.append(Paragraph(f"Verdict: {judgement.verdict}."))
        out.extend(verdict_paras[:2])
    elif judgement.status == "answered":
        top = judgement.direct[0].figure
        out.append(citer.para(f"The sources answer this directly: {describe(top, citer)}.", [top]))
        others = [s.figure for s in judgement.direct[1:4] if s.figure.source_id != top.source_id]
        if others:
            out.append(citer.para("Other sources report " + "; ".join(f"{f.surface} {when(f)}" for f in others) + ".", others))
        times = sorted({s.figure.time for s in judgement.direct if s.figure.time})
        if not frame.time and times:
            # A question without a date gets answers for particular periods: say which.
            span = times[0] if len(times) == 1 else f"{times[0]} to {times[-1]}"
            out.append(Paragraph(f"These answers are dated {span}; no figure of this kind is given for any other time."))
        related = [s.figure for s in judgement.related[:1]]
        if related and len(out) < 4:
            f = related[0]
            out.append(citer.para(f"Other figures in the sources are not answers: {describe(f, citer)}; "
                                  f"{how_it_differs(frame, f)}.", [f]))
    elif judgement.status == "related_only":
        out.append(Paragraph(f"The sources do not give {asked} of {frame.subject or 'what was asked'}"
                             f"{' for ' + frame.time if frame.time else ''}, so no such number can be stated from them."))
        rel = [s.figure for s in judgement.related[:2]]
        if rel:
            out.append(citer.para("They hold related figures instead: " + "; ".join(
                f"{describe(f, citer)}, which differs because {how_it_differs(frame, f)}" for f in rel) + ".", rel))
    else:
        out.append(Paragraph(f"None of the sources in the library reports a figure for {frame.subject or 'what was asked'}"
                             f"{' for ' + frame.time if frame.time else ''}; this report does not estimate one."))
    if conflicts and len(out) < 4:
        c = conflicts[0]
        figs = [by_id[i] for i in c.figure_ids if i in by_id]
        vals = sorted({f.surface for f in figs})
        out.append(citer.para(f"Sources disagree on the same quantity ({', '.join(vals[:4])}): {c.explanation}.", figs))
    return out[:4]


def _verdict_paragraphs(frame, judgement: Judgement, citer: Citer) -> list[Paragraph]:
    out: list[Paragraph] = []
    if frame.value is None and frame.compared_to:
        by_id = {s.figure.id: s.figure for s in judgement.supporting + judgement.contradicting}
        for finding in judgement.findings:
            figs = [by_id[i] for i in finding.figure_ids if i in by_id]
            detail = "; ".join(describe(f, citer) for f in figs)
            out.append(citer.para(_sentence_case(f"{finding.text}" + (f" ({detail})" if detail else "")) + ".", figs))
        return out
    claimed = f"{frame.value:,.10g}" if frame.value is not None else "no number"
    if judgement.supporting:
        # Cite the figure the verdict turns on: for a kind mismatch, the figure of the other kind.
        kinds_off = [s for s in judgement.supporting if frame.kind and s.figure.kind != frame.kind]
        f = (kinds_off if judgement.misleading and kinds_off else judgement.supporting)[0].figure
        diff = f.value - frame.value if frame.value is not None else 0
        arith = ""
        if frame.value:
            arith = f" (the source's value is {diff:+,.10g}, or {diff / frame.value * 100:+.1f}%, from the claim's {claimed})"
        out.append(citer.para(f"The claim's figure matches {describe(f, citer)}{arith}.", [f]))
    for finding in judgement.misleading[:3]:
        figs = [s.figure for s in judgement.supporting if s.figure.id in finding.figure_ids][:3]
        out.append(citer.para(f"But {finding.text}.", figs))
    if judgement.contradicting:
        figs = [s.figure for s in judgement.contradicting[:3]]
        out.append(citer.para(f"Figures that do not fit the claim's {claimed}: " + "; ".join(describe(f, citer) for f in figs) + ".", figs))
    if not out:
        out.append(Paragraph("None of the sources gives a figure for what the claim asserts, so it cannot be checked against them."))
    return out


def _limitations(evidence: Evidence, figures: list[Figure], citer: Citer) -> list[Paragraph]:
    out: list[Paragraph] = []
    srcs = [evidence.sources[sid] for sid in {f.source_id for f in figures} if sid in evidence.sources]
    dates = sorted(s.published[:10] for s in srcs if s.published)
    span = f", published between {dates[0]} and {dates[-1]}" if dates else ""
    out.append(Paragraph(f"This report rests only on the {len(srcs)} sources in the library that hold relevant figures{span}; "
                         "other data may exist that the library does not hold."))
    unknown = [s for s in srcs if not s.outlet_kind]
    if unknown:
        # Without each outlet's kind, a list of missing perspectives would be a guess.
        out.append(Paragraph(f"{len(unknown)} of the {len(srcs)} sources do not record what kind of outlet they are "
                             "(agency, advocacy group, research body, news medium), so the balance of perspectives "
                             "cannot be checked."))
    elif srcs:
        kinds = {s.outlet_kind for s in srcs} | {st.speaker_kind for st in evidence.statements}
        missing = [SPEAKER_KIND_NAMES[k].lower() for k in ("government", "researcher", "advocacy", "media") if k not in kinds]
        if missing:
            out.append(Paragraph("Perspectives not represented among the relevant sources: " + ", ".join(missing) + "."))
    counts = Counter(f.value for f in figures if f.kind != "other")
    single = [f for f in figures if f.kind != "other" and counts[f.value] == 1][:4]
    if single:
        out.append(citer.para("Some figures rest on a single source: " + ", ".join(f.surface for f in single) + ".", single))
    return out
