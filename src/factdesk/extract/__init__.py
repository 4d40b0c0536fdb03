"""Extraction: sentences in, traced Figures and Statements out. Pure: it never touches the store."""

from __future__ import annotations

from factdesk.model import Figure, Sentence, Source, Statement

from .figures import extract_figures
from .statements import find_statements


def extract(source: Source, sentences: list[Sentence]) -> tuple[list[Figure], list[Statement]]:
    """The figures and the attributed statements in ``sentences`` of ``source``."""
    return extract_figures(source, sentences), find_statements(source, sentences)


__all__ = ["extract"]
