"""Relate: group figures that count the same thing into measures; find conflicts and timelines."""

from __future__ import annotations

from collections import Counter, defaultdict

from factdesk.analyze.retrieve import Scored
from factdesk.model import Conflict, Figure, Measure
from factdesk.terms import stems

SAME_SUBJECT = 0.5  # Jaccard of subject words for two figures to count the same thing
CONFLICT_SPREAD = 0.5  # values further apart than this share are different quantities, not a conflict


def values_agree(a: float, b: float) -> bool:
    """Equal up to printing precision (the scorer's and a reader's sense of 'the same number')."""
    return abs(a - b) <= max(0.5, 0.005 * max(abs(a), abs(b)))


def is_rounding_of(rounded: Figure, exact: Figure) -> bool:
    """``rounded`` is ``exact`` written with fewer significant digits (435,000 for 435,719)."""
    value = rounded.value
    if value == 0 or values_agree(rounded.value, exact.value):
        return False
    step = 10 ** (len(str(int(abs(value)))) - len(str(int(abs(value))).rstrip("0")))
    if step <= 1 and rounded.approx == "exact":
        return False
    step = max(step, 1)
    return abs(exact.value - value) < step or rounded.approx != "exact" and abs(exact.value - value) / abs(exact.value) < 0.05


def looks_like_typo(a: float, b: float) -> bool:
    """Same number of digits, differing in exactly one digit (662,566 vs 662,556)."""
    da, db = str(int(abs(a))), str(int(abs(b)))
    return len(da) == len(db) >= 4 and sum(x != y for x, y in zip(da, db)) == 1


def unit_family(unit: str) -> str:
    return "money" if unit in {"usd", "eur", "gbp", "jpy", "cny", "inr", "cad", "aud"} else unit


def _subject_stems(fig: Figure) -> set[str]:
    return stems(f"{fig.subject} {fig.scope}") or stems(fig.quote)


def _similar(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _year(fig: Figure) -> str | None:
    return fig.time[:4] if fig.time else None


def relate(scored: list[Scored]) -> list[Measure]:
    figs = [s.figure for s in scored if s.figure.kind != "other"]
    words = {f.id: _subject_stems(f) for f in figs}
    parent = {f.id: f.id for f in figs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, a in enumerate(figs):
        for b in figs[i + 1 :]:
            if a.kind != b.kind or unit_family(a.unit) != unit_family(b.unit):
                continue
            lo, hi = sorted((abs(a.value), abs(b.value)))
            if lo == 0 or hi / lo > 3:
                continue
            if _similar(words[a.id], words[b.id]) >= SAME_SUBJECT:
                parent[find(a.id)] = find(b.id)

    groups: dict[str, list[Figure]] = defaultdict(list)
    for f in figs:
        groups[find(f.id)].append(f)

    measures = []
    for members in groups.values():
        if len(members) < 2:
            continue
        subjects = Counter(f.subject for f in members if f.subject)
        label = subjects.most_common(1)[0][0] if subjects else members[0].surface
        timeline = sorted((f for f in members if f.time), key=lambda f: (f.time, f.source_id, f.start))
        measures.append(
            Measure(
                label=label,
                kind=members[0].kind,
                unit=members[0].unit,
                figure_ids=[f.id for f in members],
                conflicts=find_conflicts(members),
                timeline=[f.id for f in timeline],
            )
        )
    measures.sort(key=lambda m: -len(m.figure_ids))
    return measures


def find_conflicts(members: list[Figure]) -> list[Conflict]:
    """Figures of one measure, at one time, from different sources, with different values."""
    by_year: dict[str | None, list[Figure]] = defaultdict(list)
    for f in members:
        by_year[_year(f)].append(f)
    undated = by_year.pop(None, [])
    if not by_year and undated:
        by_year[None] = undated
    conflicts = []
    for year, group in sorted(by_year.items(), key=lambda kv: kv[0] or ""):
        if year is not None:
            group = group + undated
        if len({f.source_id for f in group}) < 2:
            continue
        values = sorted({f.value for f in group})
        distinct = [v for i, v in enumerate(values) if i == 0 or not values_agree(v, values[i - 1])]
        if len(distinct) < 2:
            continue
        lo, hi = min(abs(v) for v in distinct), max(abs(v) for v in distinct)
        if lo == 0 or (hi - lo) / hi > CONFLICT_SPREAD:
            continue
        reason, explanation = explain(group)
        conflicts.append(Conflict([f.id for f in group], reason, explanation))
    return conflicts


def explain(group: list[Figure]) -> tuple[str, str]:
    """The likeliest reason that figures for one quantity differ."""
    ordered = sorted(group, key=lambda f: f.value)
    lo, hi = ordered[0], ordered[-1]
    if any(looks_like_typo(a.value, b.value) for a in group for b in group if a is not b):
        return "typo", "two of the values differ in a single digit, which suggests a transcription error in one source"
    if all(is_rounding_of(a, b) or is_rounding_of(b, a) or values_agree(a.value, b.value) for a in group for b in group if a is not b):
        return "rounding", "the values differ only by rounding or an approximate wording of the same count"
    times = {f.time for f in group if f.time}
    if len(times) > 1:
        return "different dates", "the sources date the count differently (" + ", ".join(sorted(times)) + "), so they may describe different moments"
    scopes = {" ".join(sorted(stems(f.scope))) for f in group if f.scope}
    if len(scopes) > 1:
        return "different scope", "the sources describe what is counted with different qualifiers, so they may cover different populations"
    hedged = [f for f in group if any(h for h in f.hedges)]
    if hedged:
        return "estimates", "at least one source flags its figure as an estimate or preliminary"
    spread = (hi.value - lo.value) / abs(hi.value) * 100
    return "unexplained", f"the sources give values {spread:.1f}% apart for what appears to be the same quantity, without saying why"
