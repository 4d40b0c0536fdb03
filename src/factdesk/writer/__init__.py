"""An optional language-model writer whose every sentence is verified against the sources.

``write_report`` hands the model the composed evidence and the deterministic draft, checks
each sentence it writes (``verify``), asks once more for the sentences that fail, and puts
the deterministic sentence back where a sentence fails twice. What was verified, rewritten
or replaced is recorded in ``report.extra["writer"]`` (it appears in the JSON report). When
the endpoint fails (timeout, error, rate limit, no configuration) the deterministic report
comes back unchanged, with one message.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Callable, Protocol

from factdesk.model import Paragraph, Report, Section
from factdesk.writer.client import ChatClient, LLMConfig, WriterError
from factdesk.writer.prompt import Package, build_package, messages
from factdesk.writer.verify import AnswerError, Proposal, parse_answer, paragraph, verify

__all__ = ["ChatClient", "LLMConfig", "WriterError", "write_report"]


class Chat(Protocol):
    model: str
    endpoint: str

    def complete(self, messages: list[dict]) -> str: ...


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def write_report(report: Report, *, client: Chat | None = None,
                 warn: Callable[[str], None] = _to_stderr) -> Report:
    """A copy of ``report`` whose prose is verified model prose; ``report`` itself is not changed."""
    package = build_package(report)
    try:
        client = client or ChatClient.from_env()
        first = client.complete(messages(package))
    except WriterError as err:
        warn(f"factdesk: language-model writer unavailable ({err}); showing the deterministic report")
        return replace(report, extra={**report.extra, "writer": {
            "name": "deterministic", "requested": "llm", "fallback": str(err)}})

    accepted, complaints, discarded = _review(first, package, list(package.slots))
    record: dict = {"name": "llm", "model": client.model, "endpoint": client.endpoint, "requests": 1}
    retried: dict[str, Proposal] = {}
    still: dict[str, list[str]] = {}
    if complaints:
        record["requests"] = 2
        try:
            second = client.complete(messages(package, complaints))
            retried, still, more = _review(second, package, list(complaints))
            discarded += more
        except WriterError as err:
            warn(f"factdesk: language-model writer failed on the retry ({err}); "
                 f"{len(complaints)} sentence(s) keep the deterministic wording")
            record["retry_error"] = str(err)
            still = {slot: ["the retry request failed"] for slot in complaints}

    final: dict[str, Paragraph] = {}
    sentences = []
    for key, slot in package.slots.items():
        entry: dict = {"slot": key}
        if key in accepted:
            final[key], entry["status"] = paragraph(accepted[key], package), "verified"
        elif key in retried:
            final[key], entry["status"] = paragraph(retried[key], package), "rewritten"
            entry["problems"] = complaints[key]
        else:
            final[key], entry["status"] = slot.draft, "replaced"
            entry["problems"] = complaints[key]
            entry["retry_problems"] = still.get(key, [])
        entry["text"] = final[key].text
        sentences.append(entry)
    record["counts"] = {s: sum(e["status"] == s for e in sentences) for s in ("verified", "rewritten", "replaced")}
    record["sentences"] = sentences
    if discarded:
        record["discarded"] = discarded
    return replace(
        report,
        summary=[final[f"summary.{i}"] for i in range(len(report.summary))],
        verdict_explanation=[final[f"verdict.{i}"] for i in range(len(report.verdict_explanation))],
        sections=[Section(s.title, [final[f"section.{si}.{pi}"] for pi in range(len(s.paragraphs))])
                  for si, s in enumerate(report.sections)],
        limitations=[final[f"limitation.{i}"] for i in range(len(report.limitations))],
        extra={**report.extra, "writer": record},
    )


def _review(content: str, package: Package, wanted: list[str]
            ) -> tuple[dict[str, Proposal], dict[str, list[str]], list[dict]]:
    """Verify one answer for the ``wanted`` slots: (passing sentences, problems by slot, discarded items)."""
    try:
        proposals = parse_answer(content)
    except AnswerError as err:
        return {}, {slot: [str(err)] for slot in wanted}, []
    accepted: dict[str, Proposal] = {}
    complaints: dict[str, list[str]] = {}
    discarded: list[dict] = []
    for p in proposals:
        if p.slot not in wanted or p.slot in accepted or p.slot in complaints:
            reason = "not a slot that was asked for" if p.slot not in wanted else "a second sentence for the slot"
            discarded.append({"slot": p.slot, "text": p.text, "reason": reason})
            continue
        problems = verify(p, package)
        if problems:
            complaints[p.slot] = problems
        else:
            accepted[p.slot] = p
    for slot in wanted:
        if slot not in accepted and slot not in complaints:
            complaints[slot] = ["no sentence was given for this slot"]
    return accepted, complaints, discarded
