"""What the web pages show beyond the Report itself: citation targets, a source's text with
its figure spans marked, and the timeline chart of a measure as inline SVG.

Everything that came from a source passes through ``escape`` here or through Jinja's
autoescape in the templates; nothing from a source is ever emitted as markup.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape

from factdesk.model import Figure, Measure, Paragraph, Report


@dataclass(slots=True)
class Cite:
    n: int
    href: str  # the source page with the cited sentence marked
    quote: str  # the cited sentence, shown on hover


def source_href(source_id: str, start: int | None = None, end: int | None = None) -> str:
    """The source page; with a span, the page marks it and scrolls to it (#c<start>)."""
    href = f"/sources/{quote(source_id, safe='')}"
    if start is not None and end is not None and 0 <= start < end:
        href += f"?mark={start}-{end}#c{start}"
    return href


class Citations:
    """Resolves a paragraph's [n] to the sentence it rests on: a figure of that paragraph
    from source n if there is one, else the first figure or statement of source n."""

    def __init__(self, report: Report):
        self.ids = {s.n: s.id for s in report.sources}
        self.numbers = {s.id: s.n for s in report.sources}
        self.figures = {f.id: f for f in report.figures}
        self.first: dict[int, Cite] = {}
        for f in report.figures:
            n = self.numbers.get(f.source_id)
            if n is not None and n not in self.first:
                self.first[n] = self._figure_cite(n, f)
        for st in report.statements:
            n = self.numbers.get(st.source_id)
            if n is not None and n not in self.first:
                self.first[n] = Cite(n, source_href(st.source_id, st.start, st.end), st.text)

    def _figure_cite(self, n: int, f: Figure) -> Cite:
        start, end = (f.quote_start, f.quote_end) if f.quote_end > f.quote_start else (f.start, f.end)
        return Cite(n, source_href(f.source_id, start, end), f.quote)

    def __call__(self, p: Paragraph, n: int) -> Cite:
        for fid in p.figure_ids:
            f = self.figures.get(fid)
            if f is not None and self.numbers.get(f.source_id) == n:
                return self._figure_cite(n, f)
        if n in self.first:
            return self.first[n]
        return Cite(n, source_href(self.ids[n]) if n in self.ids else "#sources", "")

    def figure(self, f: Figure) -> Cite:
        return self._figure_cite(self.numbers.get(f.source_id, 0), f)


def parse_mark(mark: str | None, length: int) -> tuple[int, int] | None:
    """``START-END`` from the query string, kept only when it is a span inside the text."""
    m = re.fullmatch(r"(\d{1,9})-(\d{1,9})", mark or "")
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    return (start, end) if 0 <= start < end <= length else None


def marked_text(text: str, figures: list[Figure], mark: tuple[int, int] | None) -> Markup:
    """The source text, escaped, each figure's span in <span class="fig">, the cited span
    in one <mark id="c<start>">; figure spans are clipped at the mark's edges."""
    spans = []
    last_end = -1
    for f in sorted(figures, key=lambda f: (f.start, -f.end)):
        if f.start >= last_end and 0 <= f.start < f.end <= len(text):
            spans.append(f)
            last_end = f.end

    def run(a: int, b: int) -> str:
        out, at = [], a
        for f in spans:
            s, e = max(f.start, a), min(f.end, b)
            if s >= e:
                continue
            out.append(str(escape(text[at:s])))
            label = " · ".join(x for x in (f.kind, f.time or "", f.subject) if x)
            out.append(
                f'<span class="fig" id="f{f.start}" title="{escape(label)}">{escape(text[s:e])}</span>'
            )
            at = e
        out.append(str(escape(text[at:b])))
        return "".join(out)

    if mark is None:
        return Markup(run(0, len(text)))
    start, end = mark
    return Markup(
        run(0, start)
        + f'<mark class="cited" id="c{start}">{run(start, end)}</mark>'
        + run(end, len(text))
    )


# ---- timeline chart ------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _year_fraction(when: str | None) -> float | None:
    """A date at its known precision as a position in years (a year or month at its middle)."""
    m = _DATE.match(when or "")
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is None:
        return int(year) + 0.5
    if day is None:
        return int(year) + (int(month) - 0.5) / 12
    return int(year) + (int(month) - 1) / 12 + (int(day) - 1) / 365


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.floor(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 2) if first + i * step <= high + step]


def _short(value: float, unit: str) -> str:
    suffix = "%" if unit == "percent" else ""
    for size, word in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{word}{suffix}"
    return f"{value:.4g}{suffix}"


def timeline_svg(measure: Measure, figures: dict[str, Figure], citations: Citations,
                 width: int = 640, height: int = 240) -> Markup | None:
    """The measure's values over time as an SVG chart, each point a link to its sentence;
    None when fewer than two of its figures have a date."""
    points = []
    for fid in measure.timeline:
        f = figures.get(fid)
        x = _year_fraction(f.time) if f else None
        if f is not None and x is not None:
            points.append((x, f))
    if len(points) < 2:
        return None
    left, right, top, bottom = 64, 16, 16, 36
    xs = [x for x, _ in points]
    ys = [v for _, f in points for v in (f.value, f.value_high) if v is not None]
    x_low, x_high = math.floor(min(xs)), math.ceil(max(xs))
    if x_high == x_low:
        x_high += 1
    y_ticks = _nice_ticks(min(0.0, min(ys)), max(ys))
    y_low, y_high = y_ticks[0], y_ticks[-1]

    def px(x: float) -> float:
        return left + (x - x_low) / (x_high - x_low) * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (y - y_low) / ((y_high - y_low) or 1) * (height - top - bottom)

    title = f"{measure.label} ({measure.unit}, {measure.kind}) over time"
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for y in y_ticks:
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{py(y):.1f}" y2="{py(y):.1f}"/>'
                     f'<text class="tick" x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">'
                     f'{escape(_short(y, measure.unit))}</text>')
    step = max(1, math.ceil((x_high - x_low) / 8))
    for year in range(x_low, x_high + 1, step):
        parts.append(f'<text class="tick" x="{px(year):.1f}" y="{height - bottom + 18}" '
                     f'text-anchor="middle">{year}</text>')
    points.sort(key=lambda p: p[0])
    if len({f.time for _, f in points}) == len(points):  # one value per date: a line reads as a trend
        line = " ".join(f"{px(x):.1f},{py(f.value):.1f}" for x, f in points)
        parts.append(f'<polyline class="trend" points="{line}"/>')
    placed: list[tuple[float, float, float, float]] = []  # label boxes already drawn
    for x, f in points:
        cite = citations.figure(f)
        cx, cy = px(x), py(f.value)
        tip = f"{f.surface} ({f.time}) [{cite.n}]: {f.quote}"
        parts.append(f'<a href="{escape(cite.href)}"><title>{escape(tip)}</title>')
        if f.value_high is not None:
            parts.append(f'<line class="range" x1="{cx:.1f}" x2="{cx:.1f}" '
                         f'y1="{cy:.1f}" y2="{py(f.value_high):.1f}"/>')
        parts.append(f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="5"/>')
        # Label a point only where its label overlaps no other; the rest show on hover.
        label = f"{f.surface} [{cite.n}]"
        span = 6.2 * len(label)
        lx = cx + 7 if cx + 7 + span <= width - right else cx - 7 - span
        box = (lx, cy - 19, lx + span, cy - 5)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            placed.append(box)
            parts.append(f'<text class="label" x="{lx:.1f}" y="{cy - 7:.1f}">{escape(label)}</text>')
        parts.append("</a>")
    parts.append("</svg>")
    return Markup("".join(parts))
