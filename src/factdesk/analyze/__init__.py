"""Analysis: frame -> retrieve -> relate -> judge -> compose. Reads the store; never renders."""

from __future__ import annotations

from factdesk.analyze.compose import compose
from factdesk.analyze.frame import frame_claim, frame_question
from factdesk.analyze.judge import judge_claim, judge_question
from factdesk.analyze.relate import relate
from factdesk.analyze.retrieve import retrieve
from factdesk.model import Report
from factdesk.store.base import Store


def answer_question(store: Store, question: str) -> Report:
    frame = frame_question(question)
    evidence = retrieve(store, frame)
    measures = relate(evidence.figures)
    return compose(evidence, judge_question(evidence), measures)


def check_claim(store: Store, claim: str) -> Report:
    frame = frame_claim(claim)
    evidence = retrieve(store, frame)
    measures = relate(evidence.figures)
    return compose(evidence, judge_claim(evidence), measures)


__all__ = ["answer_question", "check_claim"]
