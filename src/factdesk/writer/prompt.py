"""The evidence package a language model sees, and the messages that ask it to write.

The model sees only what the deterministic report already holds: the figures (short ids
F1.., the same order as the report's figure ledger) with their quotes, the statements
(S1..), the conflicts, the answer status or verdict, the numbered sources, and the
deterministic draft split into slots, one per sentence of prose. It answers with one
sentence per slot, each naming the figure, statement and source ids it rests on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from factdesk.model import Figure, Paragraph, Report, Statement


@dataclass(slots=True)
class Slot:
    """One sentence of the deterministic draft that the model may rewrite."""

    key: str  # "summary.0", "section.1.2", "verdict.0", "limitation.1"
    part: str  # where it sits, for the model: "Executive summary", a section title, ...
    draft: Paragraph
    statements: list[str] = field(default_factory=list)  # S ids whose words the draft quotes


@dataclass(slots=True)
class Package:
    """Everything the writer may use, keyed by the ids the model must cite."""

    report: Report
    figures: dict[str, Figure] = field(default_factory=dict)  # "F1" -> Figure
    statements: dict[str, Statement] = field(default_factory=dict)  # "S1" -> Statement
    sources: dict[int, str] = field(default_factory=dict)  # source number -> source id
    slots: dict[str, Slot] = field(default_factory=dict)

    def source_number(self, source_id: str) -> int | None:
        return self.report.source_number(source_id)


def build_package(report: Report) -> Package:
    package = Package(report)
    package.figures = {f"F{i}": f for i, f in enumerate(report.figures, 1)}
    package.statements = {f"S{i}": s for i, s in enumerate(report.statements, 1)}
    package.sources = {s.n: s.id for s in report.sources}
    slots: list[Slot] = [Slot(f"summary.{i}", "Executive summary", p) for i, p in enumerate(report.summary)]
    slots += [Slot(f"verdict.{i}", "Verdict explanation", p) for i, p in enumerate(report.verdict_explanation)]
    for si, section in enumerate(report.sections):
        slots += [Slot(f"section.{si}.{pi}", section.title, p) for pi, p in enumerate(section.paragraphs)]
    slots += [Slot(f"limitation.{i}", "Limitations", p) for i, p in enumerate(report.limitations)]
    for slot in slots:
        text = _flat(slot.draft.text)
        slot.statements = [key for key, st in package.statements.items() if _flat(st.text)[:60] in text]
    package.slots = {s.key: s for s in slots}
    return package


def _flat(text: str) -> str:
    return " ".join(text.split()).strip("“”\"").lower()


SYSTEM = """You are the writer of a neutral fact-checking desk. You rewrite a draft report into clear, \
fluent prose without adding anything to it.

Rules, all checked by a program; a sentence that breaks one is thrown away:
1. Write exactly one item per draft slot, in the same order, with the slot's key. One or two sentences per item.
2. Use only the evidence given. Every number you write (counts, percentages, dates, years) must appear \
in a figure or quote you cite, or in the draft sentence of the same slot. Copy numbers as given; do not \
round, convert or compute new ones ("7.5 million" and "7,500,000" are the same number; "about 7 million" is not).
3. Cite the ids you rely on: "figures" (F ids), "statements" (S ids) and "sources" (source numbers). \
Cite only ids that appear in the evidence. A sentence that states a figure or reports what someone said must cite it.
4. Keep the draft's meaning: the same answer status, the same verdict, the same caveats. Take no side. \
Do not put citation markers like [1] in the text.

Answer with JSON only, no commentary:
{"sentences": [{"slot": "<key>", "text": "<sentence>", "figures": ["F1"], "statements": [], "sources": [1]}]}"""


def _figure_entry(key: str, f: Figure, package: Package) -> dict:
    entry = {
        "id": key, "figure": f.surface, "value": f.value, "unit": f.unit, "kind": f.kind,
        "subject": " ".join(x for x in (f.subject, f.scope) if x), "time": f.time,
        "said_by": f.attribution, "source": package.source_number(f.source_id), "quote": f.quote,
    }
    if f.value_high is not None:
        entry["value_high"] = f.value_high
    return entry


def evidence_json(package: Package) -> dict:
    report = package.report
    short = {f.id: key for key, f in package.figures.items()}
    return {
        "question": report.question,
        "mode": report.mode,
        "answer_status": report.status,
        "verdict": report.verdict,
        "sources": [{"n": s.n, "title": s.title, "publisher": s.publisher, "published": s.published}
                    for s in report.sources],
        "figures": [_figure_entry(key, f, package) for key, f in package.figures.items()],
        "statements": [{"id": key, "speaker": s.speaker, "speaker_kind": s.speaker_kind, "text": s.text,
                        "source": package.source_number(s.source_id)} for key, s in package.statements.items()],
        "conflicts": [{"figures": [short[i] for i in c.figure_ids if i in short], "reason": c.reason,
                       "explanation": c.explanation} for c in report.conflicts],
        "draft": [{"slot": s.key, "part": s.part, "text": s.draft.text, "sources": s.draft.cites,
                   "figures": [short[i] for i in s.draft.figure_ids if i in short], "statements": s.statements}
                  for s in package.slots.values()],
    }


def messages(package: Package, complaints: dict[str, list[str]] | None = None) -> list[dict]:
    """The chat messages; with ``complaints`` (slot -> problems), a request to rewrite only those slots."""
    user = "Evidence and draft (JSON):\n" + json.dumps(evidence_json(package), ensure_ascii=False, indent=1)
    if complaints:
        lines = [f"- {slot}: " + "; ".join(problems) for slot, problems in complaints.items()]
        user += ("\n\nYour previous sentences for these slots were rejected by the checker:\n" + "\n".join(lines)
                 + "\nWrite new sentences for these slots only, fixing each problem, in the same JSON form.")
    else:
        user += "\n\nRewrite every draft slot."
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
