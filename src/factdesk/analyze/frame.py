"""Frame: what a question or a claim asks — the quantity, the kind of figure, the time.

Cues are grammatical (question words, tense, period phrases, change verbs), never topical.
"""

from __future__ import annotations

import re

from factdesk.extract.numbers import find_numbers
from factdesk.extract.timex import find_times
from factdesk.model import Frame
from factdesk.terms import content_words

_MONTH_RE = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
SHARE_CUES = re.compile(
    r"\b(?:what|which)\s+(?:share|percent(?:age)?|proportion|fraction|portion)\b|\bpercent(?:age)?\b|"
    r"\bshare\s+of\b|\bhow\s+many\s+(?:out\s+)?of\s+every\b|%|\brate\b(?!\s+of\s+(?:growth|increase))",
    re.I,
)
RATE_CUES = re.compile(r"\bper\s+(?:capita|head|person|resident|\d[\d,]*)\b", re.I)
CHANGE_CUES = re.compile(
    r"\bhow\s+many\s+(?:fewer|more)\b|\bby\s+how\s+(?:much|many)\b|"
    r"\bhow\s+much\b.*\b(?:rise|rose|risen|fall|fell|fallen|increase[ds]?|decrease[ds]?|grow|grew|"
    r"drop(?:ped)?|decline[ds]?|change[ds]?|revised?|cut|shrink|shrank|jump(?:ed)?)\b|"
    r"\b(?:change|increase|decrease|drop|decline|rise|growth)\s+in\b|"
    r"\b(?:double[ds]?|tripled?|halved?|doubling)\b|"
    r"\bthan\s+(?:first|previously|initially|originally)\s+(?:reported|estimated|thought)\b|"
    r"\b(?:weaker|stronger|lower|higher|fewer|more)\s+than\s+(?:first|previously|initially|originally)\b|"
    r"\b(?:revised|revision)\s+(?:down|up|downward|upward)\b|"
    r"\b(?:rose|fell|increased|decreased|grew|dropped|jumped|declined|shrank|climbed|plunged|soared)\s+(?:by\s+)?"
    r"(?:half|a\s+(?:third|quarter|fifth|tenth)|two-thirds|three-quarters)\b|"
    r"(?:%|\bpercent)\s+(?:fewer|more|less|lower|higher|weaker|stronger|smaller|larger|bigger|below|above)\b|\b(?:rose|fell|increased|decreased|grew|dropped|jumped|declined)\s+(?:by\s+)?\d",
    re.I,
)
PERIOD_CUES = re.compile(
    r"\b(?:each|every|per|a)\s+(?:year|month|week|day)\b|\bannual(?:ly)?\b|\bmonthly\b|\byearly\b|"
    r"\bin\s+(?:fiscal\s+(?:year\s+)?|calendar\s+(?:year\s+)?|fy\s?)?(?:19|20)\d\d\b|\bduring\b|\bsince\b|"
    r"\bover\s+the\s+(?:past|last)\b|\b(?:last|this)\s+year\b|\bin\s+the\s+(?:year|months?)\s+(?:to|through|ending)\b|"
    r"\bfrom\s+\w+\s+(?:\d{4}\s+)?(?:to|through)\b|\bthrough\s+(?:" + _MONTH_RE + r")|\bunder\s+(?:the\s+)?[A-Z]\w+",
    re.I,
)
STOCK_CUES = re.compile(
    r"\b(?:are|is)\s+(?:there|now|currently|still|living|held|in|on|at|being\s+held|awaiting)\b|"
    r"\bcurrently\b|\bas\s+of\b|\bliving\b|\b(?:remain|remains|reside|live)\b|\bon\s+(?:the\s+)?\w+'s\s+\w+|"
    r"\b(?:how\s+many|number\s+of)\b.*\b(?:are|is)\b(?!.*\b(?:each|every|per)\s+(?:year|month))",
    re.I,
)
# Past-tense or event verbs after "did"/"were": something that happened, i.e. a flow.
EVENT_CUES = re.compile(r"\b(?:did|were|was|have\s+been|has\s+been|has|have|had)\b\s+(?:\w+\s+){0,4}?\w+(?:ed|en|ld|ew|ot|ft)\b", re.I)

QUESTION_HEAD = re.compile(
    r"^\s*(?:how\s+(?:many|much)(?:\s+(?:is|was|are|were|did|do|does|has|have|had|will))?(?:\s+(?:the|a|an))?"
    r"|(?:what|which)\s+(?:is|was|are|were|has|had)(?:\s+(?:the|a|an))?|what|which|is|are|was|were|did|do|does|has|have)\s+",
    re.I,
)
# Where the counted noun phrase ends: an auxiliary or a common verb, a clause mark, a time or place phrase.
SUBJECT_END = re.compile(
    r"\s+(?:are|is|were|was|did|do|does|have|has|had|will|would|can|could|got|get|gets|hold|holds|held|"
    r"own|owns|work|works|live|lives|make|makes|made|take|takes|took|receive|receives|received|earn|earns|"
    r"pay|pays|paid|use|uses|used|come|came|enter|entered|cross|crossed|leave|left|die|died)\b|[?,;]|"
    r"\s+(?:from|after|before|since|during|in|as\s+of|for|under|over|through|each|every|per|last|this|between)\s|"
    # a past-tense verb with an object ("deaths involved fentanyl"), not a participle with its
    # preposition ("noncitizens convicted of homicide")
    r"\s+[a-z]+ed\b(?!\s+(?:of|by|in|for|with|at|on|from|into|to|as|under|over|outside|inside|out|up|down)\b)",
    re.I,
)
MEASURE_OF = re.compile(
    r"^(?:the\s+)?(?:share|percentage|percent|proportion|fraction|portion|number|rate|amount|total|average|count|level)\s+of\s+(?:the\s+)?",
    re.I,
)
DO_VERB = re.compile(
    r"\b(?:did|do|does|will)\s+(?:[\w'’.-]+\s+){1,4}?([a-z]{3,})\b(?=\s+(?:from|into|to|in|on|the|its|their|his|her|"
    r"out|of|a|an|any|more|fewer|as|at|for|with|by|over|under|during|per|each|every|last|this)\b|\s*[?.]?$)"
)
QUESTION_WORDS = {"how", "many", "much", "what", "which", "who", "whom", "when", "where", "why", "was", "did", "does"}
TIME_WORDS = {"jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul",
              "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec",
              "december"} | {"fiscal", "calendar", "fy", "today", "currently", "now", "month", "monthly", "week"}
COMPARATORS = {
    "more_than": re.compile(r"\b(?:more\s+than|over|above|upwards?\s+of|in\s+excess\s+of|exceed\w*|north\s+of|plus)\b", re.I),
    "at_least": re.compile(r"\bat\s+least\b", re.I),
    "nearly": re.compile(r"\b(?:nearly|almost|close\s+to|just\s+(?:under|shy\s+of))\b", re.I),
    "fewer_than": re.compile(r"\b(?:fewer\s+than|less\s+than|under|below)\b", re.I),
    "about": re.compile(r"\b(?:about|around|roughly|approximately|some|an\s+estimated)\b", re.I),
}


def _time_of(text: str) -> tuple[str | None, list[str]]:
    """The last date named in ``text`` (at the precision given) and the phrases naming time.
    Times relative to when something was said ("over the last three years") are left out:
    a question or claim has no date of its own to anchor them."""
    refs = sorted((r for r in find_times(text, None) if not r.relative), key=lambda r: r.start)
    return (refs[-1].value if refs else None), [text[r.start : r.end] for r in refs]


def _kind_of(text: str, *, is_claim: bool) -> str | None:
    if RATE_CUES.search(text):
        return "rate"
    if CHANGE_CUES.search(text):
        return "change"
    if SHARE_CUES.search(text):
        return "share"
    if PERIOD_CUES.search(text):
        return "flow"
    if EVENT_CUES.search(text) and not re.search(r"\b(?:are|is)\b", text, re.I):
        return "flow"
    if STOCK_CUES.search(text):
        return "stock"
    return None if is_claim else "stock"


def _subject_of(text: str) -> str:
    body = QUESTION_HEAD.sub("", text.strip(), count=1)
    # "the share of overdose deaths ...": the counted thing is what the share is of
    body = MEASURE_OF.sub("", body, count=1)
    end = SUBJECT_END.search(body)
    subject = body[: end.start()] if end else body
    return subject.strip(" ?.").strip()


def _terms(text: str) -> list[str]:
    seen: list[str] = []
    for w in content_words(text):
        if w in QUESTION_WORDS or w in TIME_WORDS or w in seen:
            continue
        seen.append(w)
    return seen


def _premises(text: str, subject: str) -> list[str]:
    rest = text.replace(subject, " ", 1) if subject else text
    out = [m.group(0) for m in PERIOD_CUES.finditer(rest)]
    verbs = re.findall(r"\b(?:are|is|were|was|did|have|has|been)\s+((?:\w+\s+){0,1}\w+(?:ed|en)\b(?:\s+(?:into|to|from|in|by|on)\s+(?:the\s+)?[\w.]+)?)", rest, re.I)
    out.extend(verbs)
    # "did ICE release from ...", "does the city spend on ...": the verb after a do-auxiliary and its subject
    out.extend(m.group(1) for m in DO_VERB.finditer(text))
    return [p.strip() for p in out if p.strip()]


_NAME = r"[A-Z][a-z]+(?:[-\s][A-Z][a-z]+){0,2}"
ACTOR_PATTERNS = (
    re.compile(rf"\b[Uu]nder\s+(?:the\s+)?({_NAME})"),  # "under Biden"
    re.compile(rf"\b({_NAME})(?:'s|’s)\s"),  # "Biden's ICE", "Kamala Harris's three years"
    re.compile(rf"\b(?:the\s+)?({_NAME})\s+(?:administration|government|White\s+House)\b", re.I),
    re.compile(rf"^({_NAME}\s+{_NAME})\s+(?:let|allowed|released|freed|padded|hid|cut|added|created|admitted|invented)\b"),
)


GROUP_OF = re.compile(
    r"\b(?:most|half|all|many|some|majority|none|few|a\s+third|a\s+quarter|\d+\s*%|\d+\s+percent)\s+of\s+(?:the|those|these)\s*$",
    re.I,
)
COMPARATIVE = re.compile(r"\b(more|fewer|less|higher|lower|larger|smaller|greater|bigger)\b(?:\s+[\w'’-]+){0,6}?\s+than\b", re.I)


def _actor_of(claim: str) -> str | None:
    """Who the claim credits or blames: a named person or administration, never a sentence's
    first common word ("Jobs created ...")."""
    for pattern in ACTOR_PATTERNS:
        m = pattern.search(claim)
        if not m:
            continue
        name = m.group(1)
        single_word = " " not in name and "-" not in name
        if m.start(1) == 0 and single_word and not claim[m.end(1):].startswith(("'s", "’s")):
            continue  # a capitalised first word is just the start of the sentence
        return name
    return None


def frame_question(question: str) -> Frame:
    subject = _subject_of(question)
    verb = DO_VERB.search(question)
    if verb and subject.endswith(" " + verb.group(1)):
        subject = subject[: -len(verb.group(1)) - 1]  # "how much did homicides change": the verb is not counted
    time_, time_phrases = _time_of(question)
    return Frame(
        text=question,
        mode="question",
        subject=subject,
        terms=_terms(question),
        kind=_kind_of(question, is_claim=False),
        time=time_,
        period_words=[m.group(0) for m in PERIOD_CUES.finditer(question)] + time_phrases,
        premises=_premises(question, subject),
    )


def frame_claim(claim: str) -> Frame:
    # A number that names a group ("most of the 13,099 ...") is not what the claim asserts: the
    # claim is about a share of that group, which the sources must give for it to be checked.
    numbers = [n for n in find_numbers(claim) if n.is_figure and n.unit not in {"year", "month", "week", "day", "decade"}
               and not GROUP_OF.search(claim[: n.start])]
    # The asserted figure is the first the claim names; later ones are usually comparisons
    # ("598,000 ..., less than the 818,000 first estimated").
    asserted = numbers[0] if numbers else None
    time_, time_phrases = _time_of(claim)
    text_wo_number = claim
    if asserted:
        text_wo_number = claim[: asserted.start] + " " + claim[asserted.end :]
    kind = _kind_of(claim, is_claim=True)
    comparator = asserted.approx if asserted else None
    if asserted and asserted.unit == "percent" and kind not in ("change", "rate"):
        kind = "share"
    actor = _actor_of(claim)
    compared_to = None
    subject = ""
    if asserted is None:
        m = COMPARATIVE.search(claim)
        if m:
            comparator = "more_than" if m.group(1).lower() in ("more", "higher", "larger", "greater", "bigger") else "fewer_than"
            other = re.search(rf"\bthan\s+(?:under\s+|during\s+)?(?:the\s+)?({_NAME})", claim[m.start():])
            compared_to = other.group(1) if other else None
            # What is compared is counted between the comparative and "than": "more criminal migrants than"
            between = claim[m.start(1) + len(m.group(1)) : m.end() - len("than")]
            subject = " ".join(between.split()).removeprefix("far ").removeprefix("much ")
    if asserted:
        after = claim[asserted.end :]
        stop = re.search(r"\s+(?:are|is|were|was|have|has|had|entered|crossed|were|did|in|during|over|since|under|from|on|to|into)\b|[,.;]", after)
        subject = (after[: stop.start()] if stop else after).strip()
    if not subject:
        subject = _subject_of(claim)  # "Jobs created in 2024 were revised down by 598,000": the clause's subject
    return Frame(
        text=claim,
        mode="claim",
        subject=subject,
        terms=_terms(text_wo_number),
        kind=kind,
        time=time_,
        period_words=[m.group(0) for m in PERIOD_CUES.finditer(claim)] + time_phrases,
        premises=_premises(claim, subject),
        value=asserted.value if asserted else None,
        value_high=asserted.value_high if asserted else None,
        comparator=comparator,
        unit=asserted.unit if asserted else None,
        actor=actor,
        compared_to=compared_to,
    )
