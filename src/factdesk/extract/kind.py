"""What kind of figure a number is: stock, flow, share, rate, change or other.

The decision reads the words around the number, not the topic: comparatives and change verbs
("fewer", "revised down by", "rose 3%") make a change; "per <unit>" a rate; a percent that is a
level a share; a duration or a count of speakers or places is other; and between stock and flow
the nearest state or event word wins ("are on the docket" against "were released"), with the
kind of time expression ("as of" against "in fiscal 2023") as the tie-breaker.
"""

from __future__ import annotations

import re

_COMPARATIVE = r"(?:fewer|more|less|lower|higher|smaller|larger|bigger|greater|under|below|above|short|shy)"
_CHANGE_NOUN = (
    r"(?:increase|decrease|rise|drop|decline|cut|reduction|revision|revisions|jump|fall|downgrade|"
    r"upgrade|change|adjustment|shortfall|boost|surge|slump|markdown|loss(?=\s+of\s+\d))"
)
_CHANGE_VERB = (
    r"(?:rose|rise|rises|risen|rising|fell|fall|falls|fallen|falling|drop(?:ped|s)?|declined?|declining|"
    r"increased?|increasing|decreased?|grew|grow|grows|growing|climbed?|jumped?|slipped|shrank|shrunk|"
    r"plunged?|soared?|surged?|cut|cuts|reduced|lowered|raised|revised(?:\s+(?:up|down|upward|downward|lower|higher))?|"
    r"marked\s+(?:up|down)|trimmed|shaved|subtracted|took|taken|slowed|accelerated|lost|overestimated|"
    r"underestimated|overstated|understated|up|down|tripled|doubled|halved)"
)
_DURATION = r"(?:years?|months?|decades?|weeks?|days?|hours?|minutes?|seconds?|centur(?:y|ies)|quarters?)"
_PER = r"per\s+(?!cent\b|month\b|year\b|week\b|day\b|quarter\b|annum\b)(?:\d[\d,]*|capita|[a-z]+)"
# Counted things that enumerate places, occasions or the people quoted: not a quantity of the topic.
_ENUMERATION = (
    r"(?:states|countries|nations|cities|counties|districts|provinces|regions|times|occasions|instances|"
    r"categories|sectors|industries|members|lawmakers|senators|officials|sources|experts|economists|analysts)"
)
_SPEECH = r"(?:said|say|says|told|tell|noted|added|stated|confirmed|explained|wrote|argued|claimed)"

_STOCK_CUES = (
    r"\b(?:as\s+of|there\s+(?:are|were|is|was)|are|is|remain(?:s|ed)?|live|lives|living|held|hold|holds|holding|"
    r"carr(?:y|ies|ied)|list(?:s|ed)?|contains?|contained|sits?|sitting|sat|pending|outstanding|backlog|"
    r"population|docket|roster|in\s+custody|at\s+large|on\s+the\s+(?:books|rolls|list)|enrolled|stood|stands|"
    r"total(?:ed|led|s)?|count(?:s|ed)?|currently|now|include[sd]?|including|had|has|have|tally|"
    r"oversee(?:s|ing)?|overs(?:aw|een))\b"
)
_FLOW_CUES = (
    r"\b(?:released?|releases|releasing|freed|let|added|adds|adding|created|creat(?:es|ing|ion)|hired|hiring|"
    r"arrested|arrests?|deported|deportations?|removed|removals?|crossed|crossings?|entered|entries|"
    r"encountered|encounters?|apprehended|apprehensions?|seized|seizures?|issued|filed|filings|admitted|"
    r"admissions?|died|deaths?|killed|born|births?|sold|sales|spent|spending|paid|received|gains?|gained|"
    r"job\s+growth|a\s+month|per\s+month|a\s+year|per\s+year|each\s+(?:month|year)|every\s+(?:month|year)|"
    r"monthly|annually|during|over\s+the\s+(?:period|year|past)|declined\s+to|averag(?:e|ed|ing)|"
    r"set\s+free|let\s+out|turned\s+over|processed|granted|denied|completed|opened|closed|reported\s+in|"
    r"went|came|come|coming|arrived|launched|produced|recorded|logged|counted\s+in)\b"
)


def _clause_left(text: str, start: int, width: int = 80) -> str:
    left = text[max(0, start - width):start]
    cut = max(left.rfind(";"), left.rfind(" — "), left.rfind(":"), left.rfind("("))
    return left[cut + 1:] if cut >= 0 else left


def _clause_right(text: str, end: int, width: int = 80) -> str:
    right = text[end:end + width]
    cut = min((i for i in (right.find(";"), right.find(" — "), right.find(")")) if i >= 0), default=len(right))
    return right[:cut]


def is_change(text: str, start: int, end: int, unit: str, signed: int) -> bool:
    """Whether the number states a difference between two times or two estimates."""
    if signed:
        return True
    left = _clause_left(text, start).lower()
    right = _clause_right(text, end).lower()
    if re.match(rf"^\s*(?:[\w-]+\s+){{0,2}}?{_COMPARATIVE}\b(?!\s+(?:than\s+)?(?:\d|one|two|three))", right) and not re.match(r"^\s*more\s+than\b", right):
        return True
    if re.match(rf"^\s*(?:more|fewer|less)\s+than\s+(?:at|in|before|the|it|was|were|previously|first|initially|reported|earlier)\b", right):
        return True
    if re.match(rf"^\s*(?:[\w-]+\s+){{0,2}}?(?:off|{_CHANGE_NOUN})\b", right):
        return True
    if re.search(rf"\b(?:{_CHANGE_NOUN}|{_CHANGE_VERB})\s+(?:[\w-]+\s+){{0,3}}?(?:by|of)\s+(?:(?:about|nearly|almost|roughly|around|some|over|more\s+than|approximately)\s+)?$", left):
        return True
    if re.search(r"\b(?:by|of)\s+(?:(?:about|nearly|almost|roughly|around|some|over|more\s+than|approximately)\s+)?$", left) and re.search(rf"\b{_CHANGE_VERB}\b", left):
        return True
    if unit == "percent":
        # "rose 3%", "wages were up 4%"; but "rose to 3.9%" and "from 3.7%" are levels.
        if re.search(rf"\b{_CHANGE_VERB}\s+(?:(?:about|nearly|almost|roughly|around|some|over|more\s+than|just|only)\s+)?$", left):
            return True
        if re.search(r"\b(?:growth|inflation|increase|change|gain)\b[^,]*\b(?:to|at|of|was|is|by)\s+(?:(?:about|nearly|almost|roughly|around)\s+)?$", left) \
                and not re.search(r"\brate\b", left):
            return True
    return False


def classify(text: str, start: int, end: int, unit: str, signed: int, time_kind: str | None) -> str:
    """The kind of the figure at ``text[start:end]`` (offsets in the sentence)."""
    right = _clause_right(text, end).lower()
    left = _clause_left(text, start).lower()
    if unit.startswith("per ") or re.match(rf"^\s*(?:[\w-]+\s+){{0,4}}?{_PER}", right):
        return "rate"
    if unit in ("year", "month", "week", "day", "decade", "hour", "minute") or re.match(rf"^[\s-]*{_DURATION}\b(?!\s+(?:fewer|more|less))", right):
        return "other"
    if is_change(text, start, end, unit, signed):
        return "change"
    if unit == "percent":
        return "share"
    if re.match(rf"^\s*(?:[\w-]+\s+){{0,3}}?{_ENUMERATION}\b", right) or re.match(r"^\s*of\s+(?:the|them|those)\b[^,]{0,30}?\b" + _SPEECH, right):
        return "other"
    if re.match(rf"^\s*(?:[\w-]+\s+){{0,4}}?(?:[\w-]+)\s+{_SPEECH}\b", right) and re.match(r"^(?:one|two|three|four|five|six|seven|eight|nine|ten|\d)\b", text[start:end].lower()):
        return "other"
    if unit not in ("count",) and time_kind is None:
        return "other"
    return stock_or_flow(text, start, end, time_kind)


def stock_or_flow(text: str, start: int, end: int, time_kind: str | None) -> str:
    """Nearest state word makes a stock, nearest event word a flow; the time expression decides a tie."""
    best: tuple[int, str] | None = None
    window_start = max(0, start - 120)
    window = text[window_start:end + 120]
    for kind, pattern in (("stock", _STOCK_CUES), ("flow", _FLOW_CUES)):
        for m in re.finditer(pattern, window, re.I):
            cue_start, cue_end = m.start() + window_start, m.end() + window_start
            if cue_start < end and cue_end > start:
                continue
            distance = start - cue_end if cue_end <= start else cue_start - end
            if best is None or distance < best[0]:
                best = (distance, kind)
    if time_kind == "as_of" or time_kind == "present":
        return "stock"
    if time_kind == "period" and (best is None or best[1] == "flow" or best[0] > 40):
        return "flow"
    if best is not None:
        return best[1]
    return "stock"
