"""Plain-dict forms of figures and sources: the stable JSON field names of DESIGN.md.

`factdesk figures`, `factdesk extract` and the JSON report all use these, so a figure
looks the same wherever it is printed. Add fields; never rename them.
"""

from __future__ import annotations

from typing import Iterable

from factdesk.model import Figure, Source, Statement


def figure_dict(fig: Figure, source_n: int | None) -> dict:
    period = None
    if fig.period and (fig.period.start or fig.period.end):
        period = {"start": fig.period.start, "end": fig.period.end}
    return {
        "id": fig.id,
        "value": fig.value,
        "value_high": fig.value_high,
        "approx": fig.approx,
        "unit": fig.unit,
        "surface": fig.surface,
        "subject": fig.subject,
        "scope": fig.scope,
        "kind": fig.kind,
        "as_of": fig.as_of,
        "period": period,
        "year": fig.year,
        "time": fig.time,
        "attribution": fig.attribution,
        "speaker_kind": fig.speaker_kind,
        "hedges": list(fig.hedges),
        "source": source_n,
        "source_id": fig.source_id,
        "sentence_index": fig.sentence_index,
        "quote": fig.quote,
        "quote_start": fig.quote_start,
        "quote_end": fig.quote_end,
        "start": fig.start,
        "end": fig.end,
    }


def source_dict(source: Source, n: int | None = None, *, with_text: bool = False) -> dict:
    out = {
        "n": n,
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "authors": list(source.authors),
        "published": source.published,
        "retrieved": source.retrieved,
        "outlet_kind": source.outlet_kind,
        "origin": source.origin,
    }
    if with_text:
        out["text"] = source.text
        out["pages"] = list(source.pages)
    return out


def statement_dict(st: Statement, source_n: int | None) -> dict:
    return {
        "id": st.id,
        "text": st.text,
        "speaker": st.speaker,
        "speaker_kind": st.speaker_kind,
        "source": source_n,
        "source_id": st.source_id,
        "sentence_index": st.sentence_index,
        "start": st.start,
        "end": st.end,
    }


def figures_payload(figures: Iterable[Figure], sources: Iterable[Source]) -> dict:
    """`{"figures": [...], "sources": [...]}`: sources numbered in order of first use."""
    by_id = {s.id: s for s in sources}
    numbers: dict[str, int] = {}
    out_figures = []
    for fig in figures:
        if fig.source_id not in numbers:
            numbers[fig.source_id] = len(numbers) + 1
        out_figures.append(figure_dict(fig, numbers[fig.source_id]))
    out_sources = [source_dict(by_id[sid], n) for sid, n in numbers.items() if sid in by_id]
    return {"figures": out_figures, "sources": out_sources}
