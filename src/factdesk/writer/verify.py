"""Check every sentence a language model wrote against the evidence it was given.

A sentence passes when:
- every figure (F..) and statement (S..) id it cites was given, and every source number too;
- every number in it appears in a cited figure (its value, its quote, its date) or a cited
  statement, after normalising ("7.5 million" = 7,500,000; "nearly 12%" = 12 percent); the
  engine's own arithmetic in the draft sentence it rewrites, the question's numbers and the
  count of what it cites ("two sources") count as given;
- it cites something whenever it states a number or makes a claim ("said", "reported",
  "rose" ...). A sentence rewriting an uncited draft sentence (the engine speaking about the
  library) may cite nothing if its numbers and claim words all come from that draft sentence;
- words it puts in quotation marks appear verbatim in a cited statement or quote;
- for a claim, it names no verdict other than the report's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from factdesk.extract.numbers import find_numbers
from factdesk.model import Paragraph
from factdesk.writer.prompt import Package

VERDICT_LABELS = ("supported", "contradicted", "misleading", "unverifiable", "mixed")
_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_CLAIM_WORD = re.compile(
    r"(?i)\b(?:sa(?:y|ys|id)|told|tells?|reports?|reported|according|claimed|estimat\w*|found|finds?|"
    r"show(?:s|ed|n)?|count(?:s|ed)|releas\w*|rose|rises?|risen|fell|falls?|fallen|increas\w*|decreas\w*|"
    r"declin\w*|grew|grows?|grown|doubled|tripled|announc\w*|admit\w*|stat(?:e|es|ed)|confirm\w*|"
    r"den(?:y|ies|ied)|disput\w*|argu\w*|warn\w*|acknowledg\w*|disagree\w*|contradict\w*|support\w*)\b")
_SAME_CLAIM = {"said": "say", "says": "say", "told": "tell", "found": "find", "rose": "rise", "risen": "rise",
               "fell": "fall", "fallen": "fall", "grew": "grow", "grown": "grow"}
_QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")


@dataclass(slots=True)
class Proposal:
    """One sentence as the model proposed it."""

    slot: str
    text: str
    figures: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)  # problems found while reading the item


class AnswerError(Exception):
    """The model's answer is not the JSON asked for."""


def parse_answer(content: str) -> list[Proposal]:
    """The proposals in a model answer (JSON, possibly fenced or wrapped in prose)."""
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end < start:
        raise AnswerError("the answer held no JSON object")
    try:
        data = json.loads(content[start:end + 1])
    except json.JSONDecodeError as err:
        raise AnswerError(f"the answer was not valid JSON ({err.msg} at character {err.pos})") from None
    items = data.get("sentences") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise AnswerError('the answer had no "sentences" list')
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("slot"), str):
            out.append(_proposal(item))
    return out


def _proposal(item: dict) -> Proposal:
    p = Proposal(item["slot"], item.get("text") if isinstance(item.get("text"), str) else "")
    if not p.text.strip():
        p.malformed.append('"text" is missing or empty')
    for key in ("figures", "statements"):
        ids = item.get(key) or []
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            p.malformed.append(f'"{key}" must be a list of ids')
        else:
            setattr(p, key, [i.strip() for i in ids])
    sources = item.get("sources") or []
    numbers = [int(n) if isinstance(n, str) and n.strip().isdigit() else n for n in sources] \
        if isinstance(sources, list) else None
    if numbers is None or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        p.malformed.append('"sources" must be a list of source numbers')
    else:
        p.sources = numbers
    # Citation markers written into the text ("... 2024 [2].") count as source citations.
    for m in _MARKER.finditer(p.text):
        p.sources += [int(n) for n in re.findall(r"\d+", m.group(1)) if int(n) not in p.sources]
    p.text = _MARKER.sub("", p.text).strip()
    return p


def _values(text: str) -> list[float]:
    return [abs(v) for sp in find_numbers(text) if sp.is_figure for v in (sp.value, sp.value_high) if v is not None]


def _digits(text: str) -> set[str]:
    return {d.lstrip("0") or "0" for d in re.findall(r"\d+", text)}


def _claim_keys(text: str) -> set[str]:
    keys = set()
    for m in _CLAIM_WORD.finditer(text):
        word = m.group(0).lower()
        keys.add(_SAME_CLAIM.get(word, word[:5]))
    return keys


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _flat(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def verify(p: Proposal, package: Package) -> list[str]:
    """The problems of one proposed sentence; an empty list means it passes."""
    problems = list(p.malformed)
    slot = package.slots.get(p.slot)
    if slot is None:
        return problems + [f"slot {p.slot!r} is not a slot of the draft"]
    if not p.text.strip():
        return problems
    report = package.report
    figures, statements = [], []
    for fid in p.figures:
        if fid in package.figures:
            figures.append(package.figures[fid])
        else:
            problems.append(f"cites figure {fid}, which was not given")
    for sid in p.statements:
        if sid in package.statements:
            statements.append(package.statements[sid])
        else:
            problems.append(f"cites statement {sid}, which was not given")
    for n in p.sources:
        if n not in package.sources:
            problems.append(f"cites source {n}, which was not given")
    cited = bool(p.figures or p.statements or p.sources)
    draft = slot.draft
    draft_cited = bool(draft.cites or draft.figure_ids)
    spans = [sp for sp in find_numbers(p.text) if sp.reason != "citation"]

    if not cited:
        if draft_cited:
            if spans or _claim_keys(p.text):
                problems.append("states a figure or a claim but cites nothing")
            return problems
        # The engine's own sentence about the library: only its numbers and claim words.
        values = _values(draft.text) + _values(report.question)
        digits = _digits(draft.text) | _digits(report.question)
        where = "in the draft sentence it rewrites, and nothing is cited"
        for word in sorted(_claim_keys(p.text) - _claim_keys(draft.text)):
            problems.append(f"makes a claim (“{word}…”) that the draft sentence does not, and cites nothing")
    else:
        own = [abs(v) for f in report.figures if f.id in draft.figure_ids for v in (f.value, f.value_high)
               if v is not None]
        # Numbers of the draft other than its own figures are the engine's arithmetic and counts.
        values = [v for v in _values(draft.text) if not any(_same(v, x) for x in own)]
        values += _values(report.question)
        # "Two sources report ...": how many things the sentence cites is given too.
        sources = set(p.sources) | {package.source_number(x.source_id) for x in figures + statements}
        values += [float(len(x)) for x in (figures, statements, sources) if x]
        digits = _digits(draft.text) | _digits(report.question)
        for f in figures:
            values += [abs(v) for v in (f.value, f.value_high) if v is not None] + _values(f.quote)
            digits |= _digits(f.quote) | _digits(" ".join(x for x in (f.as_of, f.year) if x))
            if f.period:
                digits |= _digits(f"{f.period.start or ''} {f.period.end or ''}")
        for s in statements:
            values += _values(s.text)
            digits |= _digits(s.text)
        where = "in any cited figure, statement or quote"

    for sp in spans:
        if sp.is_figure:
            missing = [v for v in (sp.value, sp.value_high)
                       if v is not None and not any(_same(abs(v), a) for a in values)]
        else:  # dates, years, ordinals: their digits must be given
            missing = sorted(_digits(sp.surface) - digits)
        if missing:
            problems.append(f"“{sp.surface}” is not {where}")

    quoted_in = [_flat(s.text) for s in statements] + [_flat(f.quote) for f in figures] + [_flat(draft.text)]
    for m in _QUOTED.finditer(p.text):
        words = _flat(m.group(1)).strip(" .,…")
        if not any(words in q for q in quoted_in):
            problems.append(f"the quotation “{m.group(1)}” is not in a cited statement or quote")

    if report.mode == "claim":
        named = {w for w in VERDICT_LABELS if re.search(rf"(?i)\b{w}\b", p.text)}
        for label in sorted(named - {report.verdict}):
            problems.append(f"calls the claim “{label}”, but the verdict is “{report.verdict}”")
    return problems


def paragraph(p: Proposal, package: Package) -> Paragraph:
    """The report paragraph of a sentence that passed: its text, source numbers and figure ids."""
    cites = set(p.sources)
    cites |= {package.source_number(package.figures[i].source_id) for i in p.figures}
    cites |= {package.source_number(package.statements[i].source_id) for i in p.statements}
    return Paragraph(p.text, sorted(n for n in cites if n is not None), [package.figures[i].id for i in p.figures])
