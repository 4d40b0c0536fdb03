"""Render a Report as Markdown, self-contained HTML, JSON or schema.org ClaimReview.

Rendering reads only the Report: it never touches the store.
"""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, PackageLoader, select_autoescape

from factdesk.model import Figure, Paragraph, Report
from factdesk.report.serialize import figure_dict, statement_dict

_env = Environment(
    loader=PackageLoader("factdesk.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _cites(p: Paragraph) -> str:
    return "".join(f" [{n}]" for n in p.cites)


def _line(p: Paragraph) -> str:
    return p.text + _cites(p)


def as_dict(report: Report) -> dict:
    """The JSON report: DESIGN.md's stable field names."""
    numbers = {s.id: s.n for s in report.sources}
    frame = report.frame
    out = {
        "question": report.question,
        "mode": report.mode,
        "answer": {"status": report.status},
        "summary": [{"text": p.text, "cites": p.cites, "figures": p.figure_ids} for p in report.summary],
        "sections": [
            {"title": s.title, "paragraphs": [{"text": p.text, "cites": p.cites, "figures": p.figure_ids} for p in s.paragraphs]}
            for s in report.sections
        ],
        "figures": [figure_dict(f, numbers.get(f.source_id)) for f in report.figures],
        "conflicts": [{"figures": c.figure_ids, "reason": c.reason, "explanation": c.explanation} for c in report.conflicts],
        "measures": [
            {"label": m.label, "kind": m.kind, "unit": m.unit, "figures": m.figure_ids, "timeline": m.timeline}
            for m in report.measures
        ],
        "statements": [statement_dict(s, numbers.get(s.source_id)) for s in report.statements],
        "limitations": [{"text": p.text, "cites": p.cites} for p in report.limitations],
        "sources": [
            {"n": s.n, "id": s.id, "url": s.url, "title": s.title, "publisher": s.publisher,
             "published": s.published, "outlet_kind": s.outlet_kind, "sha256": s.sha256}
            for s in report.sources
        ],
        "frame": {
            "subject": frame.subject, "kind": frame.kind, "time": frame.time, "terms": frame.terms,
            "period_words": frame.period_words, "premises": frame.premises, "value": frame.value,
            "comparator": frame.comparator, "unit": frame.unit, "actor": frame.actor,
        },
        "engine": {"name": "factdesk", "version": report.engine_version,
                   "source_hashes": {s.id: s.sha256 for s in report.sources}},
    }
    if report.mode == "claim":
        out["verdict"] = {
            "label": report.verdict,
            "explanation": [{"text": p.text, "cites": p.cites, "figures": p.figure_ids} for p in report.verdict_explanation],
        }
    out.update(report.extra)
    return out


def markdown(report: Report) -> str:
    lines = [f"# {report.question}", ""]
    if report.mode == "claim":
        lines += [f"**Verdict: {report.verdict}**", ""]
    else:
        lines += [f"**Answer status: {report.status.replace('_', ' ')}**", ""]
    lines += ["## Executive summary", ""]
    lines += [" ".join(_line(p) for p in report.summary), ""]
    for i, section in enumerate(report.sections, 1):
        lines += [f"## {i}. {section.title}", ""]
        for p in section.paragraphs:
            lines += [f"- {_line(p)}" if len(section.paragraphs) > 1 else _line(p)]
        lines.append("")
    lines += ["## Limitations", ""]
    lines += [f"- {_line(p)}" for p in report.limitations] + [""]
    if report.figures:
        numbers = {s.id: s.n for s in report.sources}
        lines += ["## Figures", "", "| # | figure | kind | time | what is counted | said by | source | quote |",
                  "|---|---|---|---|---|---|---|---|"]
        for i, f in enumerate(report.figures, 1):
            lines.append("| " + " | ".join(_cell(x) for x in (
                str(i), f.surface, f.kind, f.time or "", " ".join(x for x in (f.subject, f.scope) if x),
                f.attribution, f"[{numbers.get(f.source_id, '?')}] {f.start}-{f.end}", f.quote)) + " |")
        lines.append("")
    lines += ["## Sources", ""]
    for s in report.sources:
        meta = ", ".join(x for x in (s.publisher, s.published) if x)
        lines.append(f"{s.n}. {s.title or s.url or s.id}{' — ' + meta if meta else ''}. {s.url or ''} (id {s.id})".rstrip())
    lines += ["", f"_factdesk {report.engine_version}; source hashes in the JSON report._", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _marked_quote(f: Figure) -> tuple[str, str, str]:
    """The figure's sentence split around the figure's own span, for <mark>."""
    a, b = f.start - f.quote_start, f.end - f.quote_start
    if 0 <= a < b <= len(f.quote):
        return f.quote[:a], f.quote[a:b], f.quote[b:]
    return f.quote, "", ""


def _marked_text(text: str, spans: list[tuple[int, int]], n: int) -> list[tuple[str, str | None]]:
    """A source's text cut into (piece, anchor) parts, the reported figures' spans anchored
    as ``s{n}-{start}`` so that a citation can open the source at its figure."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for start, end in sorted(set(spans)):
        if start < at or end > len(text):
            continue  # overlapping or out of range: leave unmarked rather than misplace
        parts.append((text[at:start], None))
        parts.append((text[start:end], f"s{n}-{start}"))
        at = end
    parts.append((text[at:], None))
    return [p for p in parts if p[0]]


def html(report: Report) -> str:
    """A self-contained page: citations show their quote on hover and open the source text
    with the figure marked; everything that came from a source is escaped by the template."""
    numbers = {s.id: s.n for s in report.sources}
    by_id = {f.id: f for f in report.figures}
    figures = [
        {"i": i, "f": f, "n": numbers.get(f.source_id), "parts": _marked_quote(f)}
        for i, f in enumerate(report.figures, 1)
    ]
    first_quote: dict[int, str] = {}
    for f in report.figures:
        first_quote.setdefault(numbers.get(f.source_id), f.quote)
    for st in report.statements:
        first_quote.setdefault(numbers.get(st.source_id), st.text)

    def cite(p: Paragraph, n: int) -> tuple[str, str]:
        """The quote a paragraph's citation [n] rests on, and where it points."""
        for fid in p.figure_ids:
            f = by_id.get(fid)
            if f is not None and numbers.get(f.source_id) == n:
                return f.quote, f"#s{n}-{f.start}"
        return first_quote.get(n, ""), f"#text-{n}"

    spans: dict[int, list[tuple[int, int]]] = {}
    for f in report.figures:
        spans.setdefault(numbers.get(f.source_id), []).append((f.start, f.end))
    texts = {s.n: _marked_text(s.text, spans.get(s.n, []), s.n) for s in report.sources if s.text}
    figure_index = {f.id: i for i, f in enumerate(report.figures, 1)}
    return _env.get_template("report.html.j2").render(
        r=report, figures=figures, cite=cite, figure_index=figure_index, texts=texts,
    )


def claimreview(report: Report) -> dict:
    """schema.org ClaimReview JSON-LD for a checked claim."""
    ratings = {"supported": 5, "mixed": 3, "misleading": 2, "contradicted": 1, "unverifiable": 0}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "datePublished": date.today().isoformat(),
        "claimReviewed": report.question,
        "author": {"@type": "Organization", "name": "factdesk", "version": report.engine_version},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": ratings.get(report.verdict or "", 0),
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": report.verdict,
            "ratingExplanation": " ".join(_line(p) for p in report.verdict_explanation),
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": [{"@type": "CreativeWork", "url": s.url, "headline": s.title,
                            "publisher": s.publisher, "datePublished": s.published}
                           for s in report.sources if s.url],
        },
    }
