"""What kind of figure a number is: stock, flow, share, rate, change or other.

The decision reads the words around the number, not the topic: comparatives and change verbs
("fewer", "revised down by", "rose 3%") make a change; "per <unit>" a rate; a percent that is a
level a share; a duration or a count of speakers or places is other; and between stock and flow
the nearest state or event word wins ("are on the docket" against "were released"), with the
kind of time expression ("as of" against "in fiscal 2023") as the tie-breaker.
"""

from __future__ import annotations

import re

_COMPARATIVE = r"(?:fewer|less|lower|higher|smaller|larger|bigger)"
_CHANGE_NOUN = (
    r"(?:increases?|decreases?|rises?|drops?|declines?|cuts?|reductions?|revisions?|jumps?|falls?|downgrades?|"
    r"upgrades?|changes?|adjustments?|shortfalls?|boosts?|surges?|slumps?|markdowns?|downturns?)"
)
_CHANGE_VERB = (
    r"(?:rose|rise|rises|risen|rising|fell|fall|falls|fallen|falling|drop(?:ped|s)?|declined?|declining|"
    r"increased?|increasing|decreased?|grew|grow|grows|growing|climbed?|jumped?|slipped|shrank|shrunk|"
    r"plunged?|soared?|surged?|cut|cuts|reduced|lowered|raised|revised(?:\s+(?:up|down|upward|downward|lower|higher))?|"
    r"marked\s+(?:up|down)|trimmed|shaved|subtracted|took|taken|slowed|accelerated|lost|overestimated|"
    r"underestimated|overstated|understated|up|down|tripled|doubled|halved)"
)
# Verbs that take a number straight from an earlier estimate: "trims 598,000", "lost 129,000".
_REDUCE_VERB = r"(?:cut|cuts|trim|trims|trimmed|shave[sd]?|subtract(?:s|ed)?|lost|loses|lose|knock(?:s|ed)?|lower(?:s|ed)?|reduce[sd]?|took|takes|wiped)"
_MULTIPLIER = r"(?:doubled|tripled|quadrupled|halved|doubling|tripling)"
_QUALIFIER = r"(?:(?:about|nearly|almost|roughly|around|some|over|more\s+than|at\s+least|approximately|just|only|anywhere\s+from|an\s+estimated)\s+)?"
_DURATION = r"(?:(?:straight|consecutive|full|more|additional|long|short|successive)\s+)?(?:years?|months?|decades?|weeks?|days?|hours?|minutes?|seconds?|centur(?:y|ies)|quarters?)"
_PER = r"per\s+(?!cent\b|month\b|year\b|week\b|day\b|quarter\b|annum\b)(?:\d[\d,]*|capita|[a-z]+)"
# Counted things that enumerate places, occasions or the people quoted: not a quantity of the topic.
_ENUMERATION = (
    r"(?:states|countries|nations|cities|counties|districts|provinces|regions|times|occasions|instances|"
    r"categories|sectors|industries|members|lawmakers|senators|officials|sources|experts|economists|analysts|"
    r"threshold|mark|milestone|barrier|target|goal)"
)
# Words that make the amount one someone means to reach, not one that was: "plans to hire 30",
# "asked for $4.2 million", "will spend £4.7bn", "should spend $2 million", "a proposed $1.2 billion budget".
_INTENT = (
    r"\b(?:wants?|wanted|plans?|planned|planning|aims?|aiming|hopes?|hoping|intends?|intending|"
    r"propos(?:es|ed|ing|e)|seek(?:s|ing)?|sought|ask(?:s|ed|ing)?|request(?:s|ed|ing)?|pledg(?:es|ed|ing|e)|"
    r"promis(?:es|ed|ing|e)|vow(?:s|ed)?|will|shall|should|ought\s+to|calls?\s+for|called\s+for|calling\s+for|"
    r"urg(?:es|ed|ing|e)|recommend(?:s|ed|ing)?)\b"
)
_INTENT_ADJECTIVE = r"\b(?:projected|proposed|planned|requested|budgeted|targeted)\s+(?:(?:a|an|the)\s+)?"
# A finite verb between the intent word and the number makes the number part of another clause.
_FINITE = r"\b(?:was|were|is|are|had|has|have|stood|totall?ed|reached)\b"
# Change verbs that, right before a count or amount, make it the size of the move ("up 1,900
# pounds from ...", "down $45"), where "raised $5 million" or "cut 6,500 jobs" may be a level or a flow.
_MOVE_VERB = (
    r"(?:up|down|rose|risen|fell|fallen|increased|decreased|grew|dropped|declined|climbed|jumped|slipped|"
    r"shrank|shrunk|plunged|plummeted|soared|surged|sank|dipped|swelled|edged\s+(?:up|down))"
)
# Verbs whose "up" or "down" is a particle, not a move: "made up two-thirds", "broke down 40%".
_PARTICLE_VERB = r"(?:made|make|takes|took|sets|broke)"
_SPEECH = r"(?:said|say|says|told|tell|noted|added|stated|confirmed|explained|wrote|argued|claimed)"
_FRACTION = r"(?:half|third|thirds|quarter|quarters|fifth|fifths|tenth|tenths|\w+\s+(?:in|out\s+of)\s+\w+)"


def _clause_left(text: str, start: int, width: int = 80) -> str:
    left = text[max(0, start - width):start]
    open_bracket = left.rfind("(") if left.rfind("(") > left.rfind(")") else -1
    cut = max(left.rfind(";"), left.rfind(" — "), left.rfind(":"), open_bracket)
    return left[cut + 1:] if cut >= 0 else left


def _clause_right(text: str, end: int, width: int = 80) -> str:
    right = text[end:end + width]
    cut = min((i for i in (right.find(";"), right.find(" — "), right.find(")")) if i >= 0), default=len(right))
    return right[:cut]


def is_change(text: str, start: int, end: int, unit: str, signed: int) -> bool:
    """Whether the number states a difference between two times or two estimates."""
    surface = text[start:end].lower()
    if signed or re.search(rf"\b{_MULTIPLIER}\b|percentage\s+points?", surface):
        return True
    left = _clause_left(text, start).lower()
    right = _clause_right(text, end).lower()
    if re.match(r"^\s*percentage\s+points?\b", right):
        return True
    move = re.search(rf"\b{_MOVE_VERB}\s+{_QUALIFIER}$", left)
    if move and not re.search(rf"\b{_PARTICLE_VERB}\s+$", left[:move.start()]):
        return True
    # "818,000 fewer jobs", "(358,000 lower)", "28% fewer", "nearly 30% under".
    if re.match(rf"^\s*(?:[a-z-]+\s+)?{_COMPARATIVE}\b", right) or re.match(r"^\s*(?:under|below|above|short\s+of)\b", right):
        return True
    if re.match(r"^\s*(?:more|fewer|less)\s+than\s+(?:at|in|before|it|was|were|previously|first|initially|reported|earlier|the\s+(?:start|previous|prior|initial))\b", right):
        return True
    # "818,000 downward revision", "took 514,000 jobs off".
    if re.match(rf"^\s*(?:(?!before|after|the|a|an|than|in|of|for|to|from|and|or)[a-z-]+\s+){{0,2}}(?:off|{_CHANGE_NOUN})\b", right):
        return True
    # "an increase of 16,925", "a cut of anywhere from 600,000".
    if re.search(rf"\b{_CHANGE_NOUN}\s+of\s+{_QUALIFIER}$", left):
        return True
    # "revised down by 818,000", "overestimated by the agency by 1.1 million".
    if re.search(rf"\b{_CHANGE_VERB}\b[^,;]{{0,60}}\bby\s+{_QUALIFIER}$", left):
        return True
    if re.search(rf"\b{_REDUCE_VERB}\s+(?:(?:a|an|the)\s+)?(?:combined\s+|total\s+of\s+|another\s+)?{_QUALIFIER}$", left):
        return True
    # "the monthly increase was larger again, averaging 140,000"; "revisions averaging 57,000".
    if re.search(rf"\b{_CHANGE_NOUN}\b[^;]{{0,40}}\b(?:averag(?:e|ed|ing)|was|were|is|totall?ed|put\s+at)\s+(?:of\s+)?(?:plus\s+or\s+minus\s+)?{_QUALIFIER}$", left):
        return True
    if unit == "percent":
        if re.match(r"^\s*of\s+(?:all|total|the)\b", right):
            return False
        # "rose 3%", "wages were up 4%"; but "rose to 3.9%" and "from 3.7%" are levels.
        if re.search(rf"\b{_CHANGE_VERB}\s+{_QUALIFIER}$", left):
            return True
        if re.match(rf"^\s*(?:[a-z-]+\s+)?{_CHANGE_NOUN}\b", right):
            return True
        if re.search(r"\b(?:growth|inflation|increase|change|gain)\b[^,]*\b(?:to|at|of|was|is|by)\s+" + _QUALIFIER + "$", left) \
                and not re.search(r"\brate\b", left):
            return True
    return False


def classify(text: str, start: int, end: int, unit: str, signed: int, time_kind: str | None) -> tuple[str, bool]:
    """(kind, strong) of the figure at ``text[start:end]`` (offsets in the sentence).

    ``strong`` says that a word in the sentence decided the kind; a weak kind is only a default
    that a later mention of the same number may correct.
    """
    right = _clause_right(text, end).lower()
    left = _clause_left(text, start).lower()
    surface = text[start:end].lower()
    if unit.startswith(("per ", "per_")) or re.match(rf"^\s*(?:[\w-]+\s+){{0,4}}?{_PER}", right):
        return "rate", True
    # "above the national rate of 32.6": a bare number that a rate is said to be.
    if unit == "count" and re.search(rf"\brates?\s+(?:of|was|were|is|stood\s+at|at|reached|hit)\s+{_QUALIFIER}$", left):
        return "rate", True
    if re.search(r"\beach\b[^,;]{0,40}\baverage\s+of\s+" + _QUALIFIER + "$", _clause_left(text, start).lower()):
        return "rate", True
    if unit in ("year", "month", "week", "day", "decade", "hour", "minute") or re.match(rf"^[\s-]*{_DURATION}\b(?!\s+(?:fewer|more|less))", right) \
            or re.search(rf"[\s-]{_DURATION}$", surface):
        return "other", True
    # "an 800-mile stretch": a number fused to a unit word is a description, not a count.
    if re.match(r"^-(?!plus\b)[a-z]+", right) or re.search(r"\d-(?!plus)[a-z]+$", surface):
        return "other", True
    if re.search(rf"{_INTENT_ADJECTIVE}{_QUALIFIER}$", left):
        return "other", True
    if is_change(text, start, end, unit, signed):
        return "change", True
    if unit == "percent" or re.fullmatch(rf"(?:\w+\s+)*{_FRACTION}", surface):
        return "share", True
    if re.match(rf"^\s*(?:(?!(?:were|was|are|is|in|of|on|at|to|for|with|from|and)\b)[\w-]+\s+){{0,2}}?{_ENUMERATION}\b", right) or re.match(r"^\s*of\s+(?:the|them|those)\b[^,]{0,30}?\b" + _SPEECH, right):
        return "other", True
    if re.match(rf"^\s*(?:[\w-]+\s+){{0,4}}?(?:[\w-]+)\s+{_SPEECH}\b", right) and re.match(r"^(?:one|two|three|four|five|six|seven|eight|nine|ten|\d)\b", surface) \
            and not re.search(r"\d{2}", surface):
        return "other", True
    intent = list(re.finditer(_INTENT, left))
    if intent and not re.search(_FINITE, left[intent[-1].end():]):
        return "other", True
    if unit != "count" and time_kind is None:
        # "seized 40 kilograms": a verb still says what an undated amount is.
        kind, strong = stock_or_flow(text, start, end, time_kind)
        return (kind, True) if strong else ("other", False)
    return stock_or_flow(text, start, end, time_kind)


# State words that fix a count at a point in time (bare "is" or "has" says too little).
_STOCK_CUES = (
    r"\b(?:as\s+of|there\s+(?:are|were|is|was)|remain(?:s|ed|ing)?|live|lives|living|held|holding|"
    r"pending|outstanding|backlog|population|in\s+custody|at\s+large|on\s+the\s+(?:books|rolls|list)|"
    r"currently|stood|stands|still|contains?|contained|carr(?:y|ies|ied)|lists|holds?)\b"
)
_FLOW_CUES = (
    r"\b(?:released?|releases|releasing|freed|let|added|adds|adding|created|creat(?:es|ing|ion)|hired|hiring|"
    r"arrested|arrests?|deported|deportations?|removed|removals?|crossed|crossings?|entered|entries|"
    r"encountered|encounters?|apprehended|apprehensions?|seized|seizures?|issued|filed|filings|admitted|"
    r"admissions?|died|deaths?|killed|born|births?|sold|sales|spent|spending|paid|received|gains?|gained|"
    r"job\s+growth|monthly|annually|annual|yearly|during|over\s+the\s+(?:period|year|past)|declined\s+to|"
    r"averag(?:e|ed|ing)|set\s+free|let\s+out|turned\s+over|processed|granted|denied|completed|opened|"
    r"went|came|come|coming|arrived|launched|produced|recorded|logged|new|pace)\b"
)
# Verbs that report a number rather than say what happened: "ICE had reported more than 7 million cases".
_REPORTING_VERBS = r"(?:reported|estimated|cited|claimed|noted|stated|listed|quoted|published|released|showed)"
_LEVEL_VERBS = r"(?:reached|totall?ed|topped|exceeded|surpassed|numbered|hit)"
_EVENT_AFTER = (
    r"^\s+(?:[A-Za-z][\w'’-]*\s+){0,3}?(?:"
    r"(?!(?:remained|stayed|lived|owned|registered|enrolled|employed|listed|detained|housed|jailed|needed|used|expected)\b)"
    r"[a-z]{3,}ed\s+(?:in|on|at|during|for|from|into|across|over|by|last|this|after|before|since|early|[,.;])"
    r"|(?:were|was)\s+(?:\w+ly\s+)?(?!(?:held|housed|detained|jailed|enrolled|registered|employed|listed|"
    r"still|in|on|at|not|expected|needed|owed|due)\b)(?:\w+ed|cast|shot|sold|built|paid|spent|hit|killed|born|"
    r"made|taken|given|sent|brought|caught|found|seen|stolen|written|driven|thrown)\b)"
)
# A level said to be ("rent was $1,640 in March") or held by an ongoing verb ("was overseeing 4.5 million").
_ONGOING_BEFORE = rf"\b(?:is|are|was|were|been|be)\s+(?:\w+ly\s+)?(?:[a-z]{{3,}}ing\s+)?(?:(?:a|an|the)\s+)?{_QUALIFIER}$"
_ONGOING_AFTER = (r"^\s+(?:[\w'’-]+\s+){0,5}?"
                  r"(?!(?:during|including|according|following|beginning|starting|ending|excluding)\b)[a-z]{3,}ing\b")
_PER_TIME = r"^\s*(?:[\w-]+\s+){0,3}?(?:a|per|each|every)\s+(?:month|year|week|day|quarter)\b"


def stock_or_flow(text: str, start: int, end: int, time_kind: str | None) -> tuple[str, bool]:
    """(kind, strong): the nearest state or event word decides, the time expression breaks ties."""
    if re.match(_PER_TIME, text[end:end + 60], re.I):
        return "flow", True
    nearest: dict[str, int] = {}
    # Cues are read within the number's part of the sentence: a dash or semicolon starts another.
    breaks_before = [m.end() for m in re.finditer(r"\s[—–]\s|;", text[:start])]
    break_after = re.search(r"\s[—–]\s|;", text[end:])
    window_start = max(0, start - 120, *breaks_before)
    window = text[window_start:min(end + 120, end + break_after.start() if break_after else len(text))]
    for kind, pattern in (("stock", _STOCK_CUES), ("flow", _FLOW_CUES)):
        for m in re.finditer(pattern, window, re.I):
            cue_start, cue_end = m.start() + window_start, m.end() + window_start
            if cue_start < end and cue_end > start:
                continue
            distance = start - cue_end if cue_end <= start else cue_start - end
            nearest[kind] = min(distance, nearest.get(kind, 10**6))
    # A past-tense verb right before the number ("visited 5,600", "treated about 400") reports events;
    # one that only says a level was reached ("reached", "totaled") leans that way only weakly.
    verb = re.search(rf"\b([a-z]{{3,}}ed)\s+{_QUALIFIER}$", text[max(0, start - 40):start])
    if verb and not re.fullmatch(_STOCK_CUES, verb.group(1)) and not re.fullmatch(_REPORTING_VERBS, verb.group(1)):
        nearest["flow"] = min(40 if re.fullmatch(_LEVEL_VERBS, verb.group(1)) else 0, nearest.get("flow", 10**6))
    # So does a verb the counted noun is the subject of: "5.3 million Georgians voted", "4 million ballots were cast".
    if re.match(_EVENT_AFTER, text[end:end + 80], re.I):
        nearest["flow"] = 0
    strong = nearest.get("stock", 10**6)
    flow = nearest.get("flow", 10**6)
    # An as-of date makes a stock unless the number is the object or subject of an event verb.
    if time_kind in ("as_of", "present"):
        return ("flow", True) if flow == 0 else ("stock", True)
    if time_kind == "period":
        return ("stock", True) if strong < min(flow, 40) else ("flow", True)
    if min(strong, flow) < 10**6:
        return ("stock", True) if strong < flow else ("flow", True)
    # A count over a whole year or month with no state word happened during it ("41 homicides in
    # 2019"), unless it is a level said to be or an ongoing verb holds it ("rent was $1,640",
    # "was overseeing 4.5 million", "3 million residents without jobs and seeking one").
    if time_kind == "span" and not re.search(_ONGOING_BEFORE, text[max(0, start - 60):start], re.I) \
            and not re.match(_ONGOING_AFTER, text[end:end + 80], re.I):
        return "flow", False
    return "stock", False
