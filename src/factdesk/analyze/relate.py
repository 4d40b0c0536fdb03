"""Relate: group figures that count the same thing into measures; find conflicts and timelines."""

from __future__ import annotations

from collections import Counter, defaultdict

from factdesk.analyze.retrieve import Scored, local_words, quoted_assertion
from factdesk.model import Conflict, Figure, Measure
from factdesk.terms import stems

SAME_SUBJECT = 0.5  # Jaccard of subject words for two figures to count the same thing
CONFLICT_SPREAD = 0.3  # values further apart than this share are different quantities, not a conflict
STRONG_SHARE = 0.55  # relevance, as a share of the best, at which a figure answers the question closely


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
    return abs(exact.value - value) < max(step, 1)


def consistent(a: Figure, b: Figure) -> bool:
    """Two wordings of one number: equal, or one rounding the other (435,000 and 435,719).
    Bounds ("more than 7.4 million" beside 7.5 million) still count as a disagreement:
    readers take them as the sources' estimates."""
    return values_agree(a.value, b.value) or is_rounding_of(a, b) or is_rounding_of(b, a)


def looks_like_typo(a: float, b: float) -> bool:
    """Same number of digits, differing in exactly one digit (662,566 vs 662,556)."""
    da, db = str(int(abs(a))), str(int(abs(b)))
    if da.endswith("000") or db.endswith("000"):
        return False  # round numbers differ by rounding, not by a slip of the keyboard
    return len(da) == len(db) >= 4 and sum(x != y for x, y in zip(da, db)) == 1


def unit_family(unit: str) -> str:
    return "money" if unit in {"usd", "eur", "gbp", "jpy", "cny", "inr", "cad", "aud"} else unit


def _subject_stems(fig: Figure) -> tuple[set[str], set[str]]:
    """The counted noun's words, and those with the scope; the words near the number
    when extraction found no subject."""
    if not fig.subject:
        near = stems(local_words(fig, 6))
        return near, near
    return stems(fig.subject), stems(f"{fig.subject} {fig.scope}")


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _similar(a: tuple[set[str], set[str]], b: tuple[set[str], set[str]]) -> float:
    return max(_jaccard(a[0], b[0]), _jaccard(a[1], b[1]))


def _year(fig: Figure) -> str | None:
    return fig.time[:4] if fig.time else None


def relate(scored: list[Scored]) -> list[Measure]:
    """Measures: figures of one kind and unit that name the same thing (by their words), or
    that both answer the question closely with nearby values."""
    # Measures are of what sources count; a claim reported as someone's words is not a count.
    scored = [s for s in scored if s.figure.kind != "other" and not quoted_assertion(s.figure)]
    figs = [s.figure for s in scored]
    best = max((s.relevance for s in scored), default=0.0)
    strong = {s.figure.id for s in scored if s.relevance >= STRONG_SHARE * best}
    words = {f.id: _subject_stems(f) for f in figs}
    parent = {f.id: f.id for f in figs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def same_quantity(a: Figure, b: Figure) -> bool:
        if a.kind != b.kind or unit_family(a.unit) != unit_family(b.unit):
            return False
        lo, hi = sorted((abs(a.value), abs(b.value)))
        if lo == 0 or hi / lo > 3:
            return False
        if _similar(words[a.id], words[b.id]) >= SAME_SUBJECT:
            return True
        return a.id in strong and b.id in strong and (hi - lo) / hi <= CONFLICT_SPREAD

    for i, a in enumerate(figs):
        for b in figs[i + 1 :]:
            if same_quantity(a, b):
                parent[find(a.id)] = find(b.id)

    groups: dict[str, list[Figure]] = defaultdict(list)
    for f in figs:
        groups[find(f.id)].append(f)

    measures = []
    for members in groups.values():
        if len(members) < 2:
            continue
        # The label: the commonest subject that names something (not "more", "it held").
        subjects = Counter(f.subject for f in members if len(stems(f.subject)) >= 2 or
                           (len(f.subject.split()) == 1 and stems(f.subject)))
        label = subjects.most_common(1)[0][0] if subjects else members[0].surface
        # A timeline follows one quantity: only members worded like the measure's label, so
        # that a change computed along it compares like with like.
        anchor = next((f for f in members if f.subject == label), members[0])
        timeline = sorted((f for f in members if f.time and f.kind != "change"
                           and _similar(words[f.id], words[anchor.id]) >= SAME_SUBJECT
                           and _within(f.value, anchor.value, 3)),
                          key=lambda f: (f.time, f.source_id, f.start))
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


def _within(a: float, b: float, ratio: float) -> bool:
    lo, hi = sorted((abs(a), abs(b)))
    return lo > 0 and hi / lo <= ratio


def _times_compatible(a: Figure, b: Figure) -> bool:
    return not a.time or not b.time or a.time[:4] == b.time[:4]


def find_conflicts(members: list[Figure]) -> list[Conflict]:
    """Within one measure, for one year (undated figures join every year): runs of values
    no further apart than CONFLICT_SPREAD, given by at least two sources in wordings that
    cannot both be true of one number."""
    years = sorted({f.time[:4] for f in members if f.time}) or [None]
    conflicts, seen = [], set()
    for year in years:
        pool = sorted((f for f in members if not f.time or year is None or f.time[:4] == year),
                      key=lambda f: (f.value, f.source_id, f.start))
        runs: list[list[Figure]] = []
        for f in pool:
            if runs and runs[-1][0].value and (f.value - runs[-1][0].value) / abs(f.value or 1) <= CONFLICT_SPREAD:
                runs[-1].append(f)
            else:
                runs.append([f])
        for run in runs:
            disagree = any(a.source_id != b.source_id and not consistent(a, b) for a in run for b in run)
            key = tuple(f.id for f in run)
            if disagree and key not in seen:
                seen.add(key)
                reason, explanation = explain(run)
                conflicts.append(Conflict(list(key), reason, explanation))
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
