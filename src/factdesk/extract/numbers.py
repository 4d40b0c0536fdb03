"""Numeric mentions in text: find them, parse their values, tell figures from non-figures.

The lowest layer of figure extraction. ``find_numbers`` returns every numeric mention in
order, each with the offsets of its whole surface ("more than 13,000", "$1.2bn",
"between 10,000 and 12,000", "three in four") and of its bare number ("13,000").
Mentions that are not figures (dates, years used as dates, times of day, video lengths,
phone numbers, page and section numbers, ordinals, numbers inside names, citation
markers, URL and ID fragments, ages, "one" used as a pronoun) are kept but flagged
``is_figure=False`` with a ``reason``.

Conventions (they follow the labelled corpus, see /work/shared/corpus/FORMAT.md):
- ``value`` is the number itself, scale applied: "7.5 million" -> 7_500_000.
- Shares are in percent with unit ``percent``: "43%" -> 43, "three in four" -> 75,
  "half" -> 50, "two-thirds" -> 66.67. Fractions bigger than one stay counts
  ("three and a half years" -> 3.5 year).
- Ranges give the low end in ``value`` and the high end in ``value_high``; a scale or unit
  written once applies to both ends when the low end is the smaller bare number
  ("10-12 million" -> 10e6..12e6, but "600,000 to 1 million" -> 600e3..1e6).
  "from X to Y" is a change, not a range: two figures. A falling pair ("2.9 million to
  2.1 million") is two figures too.
- Rates "364 per 100,000" -> value 364, unit ``per_100000``; the denominator is part of
  the surface, not a figure of its own.
- ``signed`` is +1/-1 only when a sign is written ("+87,000", "-358,000", "minus five");
  0 otherwise. ``value`` keeps the sign.
- A non-figure that spans several numbers (a phone number, "Sept. 28, 2024", "9:30 AM")
  is one span; its ``value`` is the first number in it and means nothing more.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace

# --------------------------------------------------------------------------- the result


@dataclass(slots=True)
class NumberSpan:
    start: int  # offsets of the whole surface, qualifier/currency/scale/percent included
    end: int
    surface: str
    value: float
    value_high: float | None = None
    approx: str = "exact"
    unit: str = "count"
    value_start: int = 0  # offsets of the bare number ("13,000" in "more than 13,000")
    value_end: int = 0
    signed: int = 0
    is_figure: bool = True
    reason: str = ""


# --------------------------------------------------------------------------- vocabulary

_UNITS = {
    "zero": 0, "nought": 0, "naught": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Denominators of spelled fractions ("two thirds", "a quarter", "five eighths").
_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100, "thousandth": 1000,
}
_MULTIPLIER_VERBS = {
    "doubled": 2, "tripled": 3, "trebled": 3, "quadrupled": 4, "twofold": 2, "threefold": 3,
    "fourfold": 4, "fivefold": 5, "sixfold": 6, "sevenfold": 7, "eightfold": 8, "ninefold": 9,
    "tenfold": 10, "hundredfold": 100,
}

_NUMBER_WORDS = (
    list(_UNITS) + list(_TEENS) + list(_TENS) + list(_SCALES)
    + ["hundred", "dozen", "dozens", "point"] + list(_DENOMINATORS)
)


def _trie(words) -> str:
    """An alternation of ``words`` as a prefix tree ("t(?:en|h(?:ree|irty))"): Python's regex engine
    tries a flat alternation word by word at every position, a tree only along the letters it sees."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # a word ends here and longer ones go on: prefer the longer (greedy "?")
            return body + "?" if len(branches) == 1 and len(body) == 1 else "(?:" + body + ")?"
        return body

    return emit(tree)


_NW = _trie(_NUMBER_WORDS)
# A run of number words; the parser decides where each number in the run ends.
_WORD_RUN = re.compile(
    rf"(?i)\b(?:(?:a|an)\s+)?(?:{_NW})(?:(?:\s*-\s*|\s+(?:and\s+)?(?:(?:a|an)\s+)?)(?:{_NW}))*\b"
)
_DIGITS = re.compile(r"(?<!\d)(?:(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[\u202f\u2009]\d{3})+|\d+)(?:\.\d+)?|(?<![\w.])\.\d+)")
_ORDINAL_RUN = re.compile(rf"(?i)\b(?:(?:{_trie(_TENS)})-)?(?:{_trie(_ORDINAL_WORDS)})\b")
_VERB_RUN = re.compile(rf"(?i)\b(?:{_trie(_MULTIPLIER_VERBS)})\b")
_ANY_DIGIT = re.compile(r"\d")
_VERB_HINT = re.compile(r"(?i)fold|led\b")

_CURRENCY_SYMBOLS = {
    "us$": "usd", "u.s.$": "usd", "u.s. $": "usd", "$": "usd", "c$": "cad", "a$": "aud",
    "nz$": "nzd", "hk$": "hkd", "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr",
}
_CURRENCY_BEFORE = re.compile(r"(?i)(US\$|U\.S\.\s?\$|C\$|A\$|NZ\$|HK\$|\$|€|£|¥|₹)\s?\Z")
_SIGN_BEFORE = re.compile(r"(?:(?<=[\s(\[:<>=])|^)([+\-−–])\Z")
_SIGN_WORD_BEFORE = re.compile(r"(?i)(?<!plus or )\b(minus|negative)\s+\Z")

_SCALE_AFTER_WORD = re.compile(r"(?i)\s?(thousand|million|billion|trillion)\b|\s(hundred|dozens?)\b")
_SCALE_AFTER_SUFFIX = re.compile(r"(k|K|mn|mln|bn|bln|tn|tln|MM|mil|M|B|b)\b|\s(bn|mn|mln|bln|tn|tln)\b")
_AND_A_HALF_AFTER = re.compile(r"(?i)\s+and\s+(?:a|one)\s+(half|quarter)\b")
_SCALE_AFTER_MONEY = re.compile(r"(m)\b")
_PLURAL_AFTER_M = re.compile(r"m\s+[a-z]+s\b")
_SUFFIX_SCALES = {
    "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "mm": 1e6, "mil": 1e6,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "tn": 1e12, "tln": 1e12, "hundred": 1e2,
    "dozen": 12, "dozens": 12,
    **_SCALES,
}

_PERCENT_AFTER = re.compile(
    r"(?i)\s?(%)|\s+(percentage[\s-]points?|basis[\s-]points?|percents?|per\s?cent|pct|percentage)\b"
)
_PLUS_AFTER = re.compile(r"-plus\b|\+(?![\d\w])")
_UNIT_WORDS = {
    "year": "year", "years": "year", "month": "month", "months": "month", "week": "week",
    "weeks": "week", "day": "day", "days": "day", "hour": "hour", "hours": "hour",
    "minute": "minute", "minutes": "minute", "decade": "decade", "decades": "decade",
    "century": "century", "centuries": "century", "mile": "mile", "miles": "mile",
    "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km", "km": "km",
    "metre": "m", "metres": "m", "meter": "m", "meters": "m", "foot": "ft", "feet": "ft",
    "ft": "ft", "inch": "inch", "inches": "inch", "acre": "acre", "acres": "acre",
    "hectare": "ha", "hectares": "ha", "pound": "lb", "pounds": "lb", "lb": "lb", "lbs": "lb",
    "kilogram": "kg", "kilograms": "kg", "kg": "kg", "gram": "g", "grams": "g", "mg": "mg", "g": "g",
    "ton": "ton", "tons": "ton", "tonne": "ton", "tonnes": "ton", "ounce": "oz",
    "ounces": "oz", "oz": "oz", "gallon": "gallon", "gallons": "gallon", "litre": "l",
    "litres": "l", "liter": "l", "liters": "l", "ml": "ml", "m": "m", "barrel": "barrel",
    "barrels": "barrel", "mph": "mph", "times": "times", "fold": "times",
    "dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "yen": "jpy",
    "yuan": "cny", "rupee": "inr", "rupees": "inr",
}
_TIME_UNITS = {"year", "month", "week", "day", "hour", "minute", "decade", "century"}
_UNIT_AFTER = re.compile(
    r"(?i)(?:(?<=\d)(?=(?:km|kg|mg|ml|lbs?|ft|mph|oz|m|g)\b)|[\s-]+)"
    rf"({'|'.join(sorted(_UNIT_WORDS, key=len, reverse=True))})\b(?!-old)"
)
_RATE_AFTER = re.compile(
    r"(?i)\s+per\s+(\d{1,3}(?:,\d{3})+|\d+)(?:\s+(?:people|residents|inhabitants|persons|population))?\b"
)
# "2.1 beds per 1,000 residents": the counted noun between the number and a round denominator.
_RATE_AFTER_NOUN = re.compile(r"(?:\s+[a-z][\w-]*){1,3}?\s+per\s+(1(?:0{2,}|(?:,000)+))\b")
_SHARE_LINK = re.compile(r"(?i)[\s-]+(?:in|out[\s-]+of|of[\s-]+every)[\s-]+")
_RANGE_LINK = re.compile(r"(?i)\A(?:\s?[-–—~]\s?|\s+(?:to|through|and)\s+)\Z")

# Qualifiers written before a number, longest first, and the ``approx`` they give.
_QUALIFIERS = {
    "more than": "more_than", "over": "more_than", "above": "more_than",
    "greater than": "more_than", "exceeding": "more_than", "in excess of": "more_than",
    "upward of": "more_than", "upwards of": "more_than", "just over": "more_than",
    "well over": "more_than", "just above": "more_than", "well above": "more_than",
    "nearly": "nearly", "almost": "nearly", "close to": "nearly", "just under": "nearly",
    "just below": "nearly", "just shy of": "nearly",
    "about": "about", "around": "about", "roughly": "about", "some": "about",
    "approximately": "about", "approx.": "about", "an estimated": "about",
    "estimated": "about", "circa": "about", "~": "about",
    "at least": "at_least", "no less than": "at_least", "no fewer than": "at_least",
    "a minimum of": "at_least",
    "up to": "up_to", "as many as": "up_to", "as much as": "up_to",
    "fewer than": "fewer_than", "less than": "fewer_than", "under": "fewer_than",
    "below": "fewer_than", "well under": "fewer_than", "well below": "fewer_than",
    "at most": "at_most", "no more than": "at_most", "a maximum of": "at_most",
    "larger than": "more_than", "bigger than": "more_than", "higher than": "more_than",
    "exceed": "more_than", "exceeds": "more_than", "surpass": "more_than", "surpassing": "more_than",
    "smaller than": "fewer_than", "lower than": "fewer_than",
    "greater than or equal to": "at_least", "more than or equal to": "at_least",
    "equal to or more than": "at_least", "equal to or greater than": "at_least",
    "at least or equal to": "at_least", "bigger or equal than": "at_least",
    "higher or equal than": "at_least", "larger or equal than": "at_least",
    "less than or equal to": "at_most", "fewer than or equal to": "at_most",
    "equal to or less than": "at_most", "equal to or fewer than": "at_most",
    "smaller or equal than": "at_most", "lower or equal than": "at_most", "less or equal than": "at_most",
    ">": "more_than", "<": "fewer_than", ">=": "at_least", "≥": "at_least", "<=": "at_most",
    "≤": "at_most", "< =": "at_most", "> =": "at_least",
    "between": "between",
}
_SYMBOLS = (">", "<", ">=", "<=", "≥", "≤", "< =", "> =", "~")
_QUALIFIER_BEFORE = re.compile(
    r"(?i)(?:(?:^|(?<=[\s(\"'“‘—–-]))(?<!how\s)("
    + "|".join(re.escape(q).replace(r"\ ", r"\s+") for q in sorted(_QUALIFIERS, key=len, reverse=True)
               if q not in _SYMBOLS)
    + r")\s+|(?<![<>=])(>\s?=|<\s?=|[<>≥≤~])\s*)\Z"
)
# "from X to Y" is a change (two figures) unless a word says it spans a range.
_FROM_BEFORE = re.compile(r"(?i)(?<!anywhere )(?<!ranging )(?<!ranges )(?<!ranged )(?<!range )(?<!varying )\bfrom\s+\Z")
# "500 or more"; not "100 and less than 300", which is a bound of its own.
_OR_MORE_AFTER = re.compile(
    r"(?i)\s+(?:or|and)\s+(more|greater|higher|above|less|fewer|lower|below)\b"
    r"(?!\s+(?:than|or|and|equal|to|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\b|\s*[-−]?\d)"
)

# --------------------------------------------------------------------------- non-figure patterns

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
    r"|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_TZ = r"(?:\s*\(?(?:[ECMP][SD]?T|UTC|GMT|ET|PT)\)?)"
_AMPM = r"(?:[ap]\.m\.|[AP]\.M\.|[ap]m\b|[AP]M\b)"
# Each region is one non-figure span; the first pattern that matches a stretch wins. The second
# pattern of each is a quick test (a literal or a character class first, which the regex engine
# scans for fast) that the text must pass before the full pattern is tried.
_REGIONS: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("id", re.compile(r"(?i)\b(?:https?://|www\.)[^\s)\]>\"']+|\b[\w.+-]+@[\w-]+\.[\w.-]+"), re.compile(r"://|[Ww]{3}\.|@")),
    ("citation", re.compile(r"\[\d{1,3}(?:[,–-]\s?\d{1,3})*\]"), re.compile(r"\[\d")),
    ("phone", re.compile(r"(?<![\w+])\+\d{1,3}(?:[-\s]\d{2,4}){2,}(?:/\d+)?(?![\d-])"), re.compile(r"\+\d")),
    ("phone", re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[.-]\d{4}(?!\d)"), re.compile(r"\d{3}[.-]\d{4}")),
    ("id", re.compile(r"(?<![\d.])\d+(?:\.\d+){2,}(?![\d])"), re.compile(r"\d\.\d+\.\d")),
    ("date", re.compile(rf"\b\d{{1,2}}([-/.])\d{{1,2}}\1(?:\d{{4}}|\d{{2}})\b|\b{_YEAR}-\d\d-\d\d\b"), re.compile(r"\d[-/.]\d")),
    ("time of day", re.compile(rf"(?<![\d:])\d{{1,2}}(?::\d\d){{1,2}}\s*{_AMPM}{_TZ}?|(?<![\d:.,])\d{{1,2}}(?::\d\d){{1,2}}{_TZ}|(?<![\d:.,])\d{{1,2}}\s*{_AMPM}"),
     re.compile(r"\d(?::|\s*[apAP]\.?[mM])")),
    ("clock", re.compile(r"(?<![\d:.,])\d{1,2}(?::\d\d){1,2}(?![\d:])"), re.compile(r"\d:\d")),
    ("date", re.compile(
        rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:\s?[-–]\s?\d{{1,2}}\b)?(?:,?\s+{_YEAR}\b)?"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+{_YEAR}\b)?"
        rf"|\b{_MONTHS}\s+{_YEAR}\b"
    ), re.compile(r"[JFMASOND][aepucoAEPUCO]")),
    ("year", re.compile(rf"\b{_YEAR}\s?[-–/]\s?(?:{_YEAR}|\d\d)\b(?![.,]\d)|\b{_YEAR}s\b|\bFY\s?-?(?:{_YEAR}|\d\d)\b"),
     re.compile(r"\d\d\d\d\s?[-–/s]|FY")),
    ("age", re.compile(r"(?i)\bage[sd]\s+\d{1,3}\s*(?:to|and|through|-|–)\s*\d{1,3}\b"), re.compile(r"(?i)age[sd]\s+\d")),
    # Page furniture: "5 min read".
    ("reading time", re.compile(r"(?i)\b\d{1,3}[\s-]*min(?:ute)?s?\.?\s+read\b"), re.compile(r"(?i)min")),
    ("ratio", re.compile(r"(?<![\d/])\d+/\d+(?![\d/])"), re.compile(r"\d/\d")),
]

_PAGE_WORDS = re.compile(r"(?i)\b(?:page|pages|pp?\.|pg\.)\s*\Z")
_SECTION_WORDS = re.compile(
    r"(?i)(?:\b(?:section|sections|sec\.|chapter|ch\.|article|art\.|figure|fig\.|table|appendix"
    r"|exhibit|paragraph|para\.|clause|footnote|item|step)|§)\s*\Z"
)
_NAME_WORDS = re.compile(
    r"(?:\b(?:Title|Route|Highway|Interstate|Proposition|Prop\.|Rep\.|Flight|Apollo|Level|Phase"
    r"|Stage|Tier|Grade|Category|Class|Type|Model|Series|Version|Gate|Terminal|Exit|Room|Suite"
    r"|Building|District|Ward|Precinct|Unit|Station|Channel|Episode|Season|Part|Vol\.|Volume"
    r"|Issue|No\.|Nos\.|Number|Form|Rule|Bill|Order|Resolution|Docket|Case|Schedule|Region"
    r"|Zone|Lot|Box|Pier|Platform|Track|Boeing|Airbus|Windows|Galaxy|PlayStation|Formula"
    r"|Air\s+Force|Street|Squad|Camp)|H\.\s?R\.|H\.\s?Res\.|S\.\s?Res\.|#)\s*\Z"
)
_AGE_AFTER = re.compile(r"(?i)[\s-]+years?[\s-]+old\b")
_AGE_BEFORE = re.compile(r"(?i)\b(?:aged?|ages)\s+\Z")
# "people over 55 grew fastest", "patients under 18 who ...": a bound on the age of the people a
# plural noun names, when no counted noun or unit follows the number.
_AGE_BOUND_BEFORE = re.compile(
    r"(?i)\b(?:[a-z]+s|people|children|men|women)\s+(?:(?:aged|age)\s+)?(?:over|under|above|below|older\s+than|younger\s+than)\s+\Z")
_AGE_BOUND_AFTER = re.compile(
    r"(?i)\s*(?:[,.;:)—]|\Z)|\s+(?:who|that|which|were|was|are|is|had|have|has|and|or|made|make|makes|grew|rose|fell|"
    r"saw|got|account(?:s|ed)?|[a-z]+ed)\b")
# Words that make a bare "one" a pronoun when they come just before it or just after it.
_ONE_PRONOUN_BEFORE = re.compile(
    r"(?i)(?:\d\s+\Z)|\b(?:no|a|an|the|this|that|which|each|every|any|some|another|any|big|only|last|new|"
    r"old|same|other|little|right|wrong|such|good|bad|small|large|latest|first|single)\s+\Z"
)
_ONE_PRONOUN_AFTER = re.compile(
    r"(?i)\A(?:\s*(?:[.,;:!?)\]\"”’]|$)|\s+(?:of|another|else|is|was|who|that|which|in|on|at|to"
    r"|for|with|by|and|or|but|can|could|would|will|should|may|might|must|has|have|had|does"
    r"|did|do|would|thing|way|day|time|side|hand|point)\b|-(?:time|off|way|sided|size|stop)\b)"
)

# --------------------------------------------------------------------------- spelled numbers


_WORD = re.compile(r"[A-Za-z]+")


def _word_tokens(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


def _fraction_at(toks: list[tuple[str, int, int]], j: int) -> tuple[float, int] | None:
    """A fraction such as "a half", "one fourth", "three fifths" starting at toks[j]."""
    if j + 1 >= len(toks):
        return None
    head, den = toks[j][0], toks[j + 1][0]
    if den not in _DENOMINATORS:
        return None
    if head in ("a", "an", "one"):
        return 1 / _DENOMINATORS[den], j + 2
    numerator = _UNITS.get(head, _TEENS.get(head))
    if numerator and den.endswith(("s", "halves")):
        return numerator / _DENOMINATORS[den], j + 2
    return None


def _parse_words(toks: list[tuple[str, int, int]], i: int) -> tuple[float, int, bool] | None:
    """The longest spelled number starting at toks[i]: (value, index after it, is a bare fraction).

    A bare fraction ("two thirds", "a quarter", "half") comes back in percent.
    """
    total = group = 0.0
    last: str | None = None  # the kind of the previous word
    last_scale = 1.0
    decimals = ""
    best: tuple[float, int, bool] | None = None
    j, n = i, len(toks)
    while j < n:
        w = toks[j][0]
        nxt = toks[j + 1][0] if j + 1 < n else ""
        if last == "point":
            digit = _UNITS.get(w, _TEENS.get(w, _TENS.get(w)))
            if digit is None:
                break
            if w in _TENS and nxt in _UNITS and nxt != "zero":
                digit += _UNITS[nxt]
                j += 1
            decimals += str(digit)
            best = (total + group + float("0." + decimals), j + 1, False)
            j += 1
            continue
        if w in ("a", "an"):
            # "a hundred", "a million", "a dozen", "a third"; "half a dozen"
            if last not in (None, "half") or not (nxt in ("hundred", "dozen") or nxt in _SCALES or nxt in _DENOMINATORS):
                break
            if last == "half" and nxt != "dozen" and nxt not in _SCALES:
                break
            group = 0.5 if last == "half" else 1
            last = "a"
        elif w in _DENOMINATORS and last in ("unit", "ten", "a") and total == 0 and group < 100:
            # "two thirds", "twenty-three fifths", "one fifth", "a quarter"
            if not (w.endswith("s") or group == 1) or (last == "a" and group != 1):
                break
            value = group / _DENOMINATORS[w]
            best = (value, j + 1, value <= 1)
            break
        elif w in _UNITS or w in _TEENS:
            if last == "ten" and w in _UNITS and w != "zero":
                pass  # "twenty-five"
            elif last not in (None, "hundred", "scale", "and"):
                break
            group += _UNITS.get(w, _TEENS.get(w, 0))
            last = "unit"
        elif w in _TENS:
            if last not in (None, "hundred", "scale", "and"):
                break
            group += _TENS[w]
            last = "ten"
        elif w == "hundred":
            if last not in ("unit", "ten", "a") and not (last is None and nxt in _SCALES):
                break
            group = (group or 1) * 100
            last = "hundred"
        elif w in _SCALES:
            if last not in ("unit", "ten", "hundred", "a", "frac", "half"):
                break
            last_scale = _SCALES[w]
            total += (group or 1) * last_scale
            group = 0
            last = "scale"
        elif w in ("dozen", "dozens"):
            if last not in ("unit", "ten", "a"):
                break
            group *= 12
            last = "dozen"
        elif w in ("half", "quarter") and last is None:
            if nxt in _SCALES:  # "half a million" reads as "half million"
                group, last = _DENOMINATORS[w] ** -1, "half"
            elif w == "half" and nxt == "a":
                group, last = 0.5, "half"
            elif w == "half":
                best = (0.5, j + 1, True)
                break
            else:
                break
        elif w == "and":
            if last not in ("unit", "ten", "hundred", "scale"):
                break
            frac = _fraction_at(toks, j + 1)
            if frac is not None:  # "three and a half", "one million and a half"
                if last == "scale":
                    total += frac[0] * last_scale
                else:
                    group += frac[0]
                best = (total + group, frac[1], False)
                j = frac[1]
                last = "frac"
                continue
            if last not in ("hundred", "scale"):
                break
            last = "and"
        elif w == "point" and last in ("unit", "ten", "hundred", "scale"):
            last = "point"
        else:
            break
        if last in ("unit", "ten", "hundred", "scale", "dozen"):
            best = (total + group, j + 1, False)
        j += 1
    if best is not None and best[2]:
        best = (best[0] * 100, best[1], True)
    return best


# --------------------------------------------------------------------------- one number


@dataclass(slots=True)
class _Num:
    """One number with what is attached to it (currency, sign, scale, percent, unit)."""

    start: int
    end: int
    value_start: int
    value_end: int
    value: float
    raw: float  # the bare number before any scale
    integer: bool
    words: bool
    scaled: bool = False
    currency: str = ""
    unit: str = "count"
    signed: int = 0
    plus: bool = False
    reason: str = ""
    covers: int = 0  # the end of words that belong to it beyond its surface (a rate's "per 1,000")


def _before(text: str, pos: int) -> str:
    """The stretch of text just before ``pos`` that left-context patterns look at."""
    return text[max(0, pos - 32):pos]


def _attach(text: str, num: _Num, *, left: bool = True) -> _Num:
    """Extend a bare number over its currency and sign (left) and scale, percent, unit (right)."""
    if left:
        before = _before(text, num.start)
        m = _CURRENCY_BEFORE.search(before)
        if m:
            num.currency = _CURRENCY_SYMBOLS[re.sub(r"\s", "", m.group(1).lower())]
            num.start -= len(m.group(0))
            before = _before(text, num.start)
        m = _SIGN_BEFORE.search(before)
        if m and not num.words:
            num.signed = 1 if m.group(1) == "+" else -1
            num.start -= 1
        else:
            m = _SIGN_WORD_BEFORE.search(_before(text, num.start))
            if m:
                num.signed = -1
                num.start -= len(m.group(0))
        if num.signed == -1:
            num.value = -num.value
            num.raw = -num.raw
    pos = num.end
    if not num.words:
        # A glued "m" is millions in money, after a decimal ("2.3m") or before a plural ("4m homes");
        # otherwise metres ("a 100m sprint").
        m = (_SCALE_AFTER_WORD.match(text, pos) or _SCALE_AFTER_SUFFIX.match(text, pos)
             or (_SCALE_AFTER_MONEY.match(text, pos)
                 if num.currency or not num.integer or _PLURAL_AFTER_M.match(text, pos) else None))
        if m:
            word = (m.group(1) or m.group(2)).lower()
            num.value *= _SUFFIX_SCALES[word]
            num.scaled = True
            pos = num.value_end = m.end()
            m = _AND_A_HALF_AFTER.match(text, pos)
            if m and word in _SCALES:  # "3 million and a half"
                num.value += _SUFFIX_SCALES[word] / _DENOMINATORS[m.group(1).lower()]
                pos = num.value_end = m.end()
    m = _PERCENT_AFTER.match(text, pos)
    if m:
        word = (m.group(1) or m.group(2)).lower()
        num.unit = ("percentage_point" if word.startswith("percentage") and "point" in word
                    else "basis_point" if word.startswith("basis") else "percent")
        pos = m.end()
    else:
        m_plus = _PLUS_AFTER.match(text, pos)
        if m_plus:
            num.plus = True
            pos = m_plus.end()
        m = _UNIT_AFTER.match(text, pos)
        if m:
            unit = _UNIT_WORDS[m.group(1).lower()]
            if unit in ("usd", "eur", "jpy", "cny", "inr"):
                num.currency = num.currency or unit
            else:
                num.unit = unit
            pos = m.end()
        elif not num.currency:
            m = _RATE_AFTER.match(text, pos)
            if m:
                num.unit = "per_" + m.group(1).replace(",", "")
                pos = m.end()
            else:
                m = _RATE_AFTER_NOUN.match(text, pos)
                if m:
                    num.unit = "per_" + m.group(1).replace(",", "")
                    num.covers = m.end()
    if num.currency:
        num.unit = num.currency
    num.end = pos
    return num


def _digit_num(text: str, m: re.Match[str]) -> _Num:
    s = m.group(0)
    value = float(re.sub(r"[,\u202f\u2009]", "", s))
    return _Num(m.start(), m.end(), m.start(), m.end(), value, value, "." not in s, False)


# --------------------------------------------------------------------------- classification


def _glued_reason(text: str, num: _Num) -> str:
    """Why a digit run glued to letters is not a figure ("F-35", "rcna173017", "5G"), or ""."""
    s, e = num.value_start, num.value_end
    lead = re.search(r"(?<!\d)([A-Za-z]+)(-?)\Z", _before(text, s))
    if lead:
        letters = lead.group(1)
        if letters.lower() in ("mid", "pre", "post", "late", "early", "since", "non", "over", "under", "top"):
            return ""
        if letters == "FY":
            return "year"
        tail = re.match(r"[A-Za-z0-9]*", text[e:]).group(0)
        return "id" if len(letters) + (e - s) + len(tail) >= 8 and not lead.group(2) else "name"
    if s > 0 and text[s - 1] in "#":
        return "name"
    trail = re.match(r"[A-Za-z]+", text[e:])
    if trail:
        word = trail.group(0)
        if re.fullmatch(r"(?i)st|nd|rd|th", word):
            return "ordinal"
        if word == "s" and num.integer:
            return "year" if re.fullmatch(_YEAR, text[s:e]) else ""
        known = word.lower() in _UNIT_WORDS or word in _SUFFIX_SCALES or word.lower() in _SUFFIX_SCALES
        if not known and word.lower() not in ("am", "pm", "x") and not num.scaled:
            return "name"
    if text.startswith("(k)", e):
        return "name"
    return ""


def _reason(text: str, num: _Num) -> str:
    """Why this number is not a figure, or "" when it is one."""
    s, e = num.value_start, num.value_end
    before = _before(text, num.start)
    if _AGE_AFTER.match(text, e) or _AGE_BEFORE.search(before):
        return "age"
    if (num.integer and not num.scaled and not num.currency and num.unit == "count" and 0 < num.value <= 110
            and _AGE_BOUND_BEFORE.search(_before(text, num.value_start)) and _AGE_BOUND_AFTER.match(text, e)):
        return "age"
    if num.words:
        return ""
    glued = _glued_reason(text, num)
    if glued:
        return glued
    if _PAGE_WORDS.search(before):
        return "page"
    if _SECTION_WORDS.search(before):
        return "section"
    if _NAME_WORDS.search(before) or re.match(r"\(k\)|\s+(?:Street|Avenue|Downing)\b", text[e:]):
        return "name"
    # A bare four-digit number from 1800 to 2099 is a year: reporting writes counts as "2,020".
    bare = (num.integer and not num.scaled and not num.currency and num.unit == "count"
            and not num.signed and not num.plus)
    if bare and re.fullmatch(_YEAR, text[s:e]):
        return "year"
    return ""


_PERIOD_BEFORE = re.compile(r"(?i)\b(?:first|second|third|fourth|last|latter|final|back|front|each)\s+\Z")


def _period_reason(text: str, num: _Num) -> str:
    """ "the first half of 2024", "the second quarter" name a period, not a share."""
    word = text[num.value_start:num.value_end].lower()
    if num.words and word in ("half", "quarter") and _PERIOD_BEFORE.search(_before(text, num.start)):
        return "period"
    return ""


def _one_reason(text: str, num: _Num) -> str:
    """A bare "one" is a figure only when it counts something ("One official said")."""
    if not (num.words and num.value == 1 and num.unit == "count" and not num.currency):
        return ""
    if text[num.value_start:num.value_end].lower() != "one":
        return ""
    if _ONE_PRONOUN_BEFORE.search(_before(text, num.start)):
        return "pronoun"
    if _ONE_PRONOUN_AFTER.match(text[num.value_end:num.value_end + 12]):
        return "pronoun"
    return ""


# --------------------------------------------------------------------------- scanning


def _regions(text: str) -> list[tuple[int, int, str]]:
    """Stretches that are one non-figure each (URLs, phones, dates, times), in order."""
    taken: list[tuple[int, int, str]] = []
    if not _ANY_DIGIT.search(text):
        return taken  # every region holds a digit
    for reason, pattern, quick in _REGIONS:
        if not quick.search(text):
            continue
        for m in pattern.finditer(text):
            if not _ANY_DIGIT.search(m.group(0)):
                continue
            if any(m.start() < e and s < m.end() for s, e, _ in taken):
                continue
            taken.append((m.start(), m.end(), reason))
    taken.sort()
    return taken


def _region_reason(text: str, start: int, end: int, reason: str) -> str:
    if reason == "clock":
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start:len(text) if line_end < 0 else line_end]
        return "duration-video" if line.strip() == text[start:end] else "time of day"
    return reason


def _cores(text: str, regions: list[tuple[int, int, str]]) -> list[_Num]:
    """Bare numbers (digits or spelled) outside the non-figure regions, in order."""
    starts = [rs for rs, _, _ in regions]

    def outside(s: int, e: int) -> bool:
        # Regions are sorted and disjoint: only those starting before ``e`` and ending after ``s`` overlap.
        k = bisect_left(starts, e) - 1
        return k < 0 or regions[k][1] <= s

    cores: list[_Num] = []
    for m in _DIGITS.finditer(text) if _ANY_DIGIT.search(text) else ():
        if outside(m.start(), m.end()):
            cores.append(_digit_num(text, m))
    for m in _WORD_RUN.finditer(text):
        toks = _word_tokens(text, m.start(), m.end())
        i = 0
        while i < len(toks):
            parsed = _parse_words(toks, i)
            if parsed is None:
                i += 1
                continue
            value, j, fraction = parsed
            s, e = toks[i][1], toks[j - 1][2]
            if outside(s, e):
                num = _Num(s, e, s, e, value, value, value == int(value), True)
                if fraction:
                    num.unit = "percent"
                last_word = toks[j - 1]
                if fraction and last_word[0] in _ORDINAL_WORDS and not _FRACTION_FOLLOWS.match(text, e):
                    # "a third straight month" is an ordinal; "a third of them" a share.
                    value = float(_ORDINAL_WORDS[last_word[0]])
                    num = _Num(last_word[1], e, last_word[1], e, value, value, True, True, reason="ordinal")
                cores.append(num)
            i = j
    for m in _VERB_RUN.finditer(text) if _VERB_HINT.search(text) else ():
        value = float(_MULTIPLIER_VERBS[m.group(0).lower()])
        num = _Num(m.start(), m.end(), m.start(), m.end(), value, value, True, True)
        num.unit = "times"
        cores.append(num)
    cores.sort(key=lambda c: c.start)
    return cores


_FRACTION_FOLLOWS = re.compile(r"\s*(?:of\b|[.,;:!?)\]\"”’]|\Z)")


def _share(first: _Num, second: _Num) -> bool:
    """ "three in four", "1 out of 5": a share, not two numbers."""
    return (first.integer and second.integer and not first.scaled and not second.scaled
            and first.unit == second.unit == "count" and not first.currency and not second.currency
            and 0 < first.raw <= second.raw
            and not (not second.words and re.fullmatch(_YEAR, str(int(second.raw)))))


def _span(text: str, start: int, end: int, num: _Num, **fields) -> NumberSpan:
    return NumberSpan(
        start=start, end=end, surface=text[start:end], value=fields.pop("value", num.value),
        unit=fields.pop("unit", num.unit), value_start=num.value_start,
        value_end=fields.pop("value_end", num.value_end), signed=num.signed, **fields,
    )


def find_numbers(text: str) -> list[NumberSpan]:
    """Every numeric mention in ``text``, in order; non-figures flagged, not dropped."""
    regions = _regions(text)
    cores = _cores(text, regions)
    spans: list[NumberSpan] = []
    for s, e, reason in regions:
        first = _DIGITS.search(text, s, e)
        value = float(first.group(0).replace(",", "")) if first else 0.0
        spans.append(NumberSpan(s, e, text[s:e], value, value_start=first.start() if first else s,
                                value_end=first.end() if first else e, is_figure=False,
                                reason=_region_reason(text, s, e, reason)))
    i = covered_until = 0
    while i < len(cores):
        if cores[i].start < covered_until:
            i += 1  # already inside the previous mention ("per 100,000")
            continue
        num = _attach(text, cores[i])
        i += 1
        approx, qual_start = "exact", num.start
        m = _QUALIFIER_BEFORE.search(_before(text, num.start))
        if m:
            approx = _QUALIFIERS[re.sub(r"\s+", " ", (m.group(1) or m.group(2)).lower())]
            qual_start = num.start - len(m.group(0))
            if (m.group(1) or "").lower() in ("over", "under") and num.unit in _TIME_UNITS:
                approx, qual_start = "exact", num.start
        from_before = bool(_FROM_BEFORE.search(_before(text, num.start)))
        # Two numbers joined into one mention: a range or a share.
        if i < len(cores) and cores[i].start >= num.end:
            link = text[num.end:cores[i].start]
            nxt_peek = cores[i]
            if _SHARE_LINK.fullmatch(link) and not num.currency and num.unit == "count":
                second = _attach(text, replace(nxt_peek), left=False)
                if _share(num, second) and second.unit == "count" and not second.plus:
                    approx = "exact" if approx == "between" else approx
                    approx, qual_start, end = _or_more(text, second.end, approx, qual_start, num.start)
                    spans.append(_span(text, qual_start, end, num, value=100 * num.raw / second.raw,
                                       unit="percent", approx=approx, value_end=second.value_end))
                    covered_until = end
                    i += 1
                    continue
            range_ok = (approx == "between" and re.fullmatch(r"(?i)\s+and\s+", link)) or (
                not from_before and approx != "between" and _RANGE_LINK.match(link)
                and not re.fullmatch(r"(?i)\s+and\s+", link)
                and not (num.words and re.fullmatch(r"\s?[-–—~]\s?", link)))
            if range_ok and not _reason(text, num):
                second = _attach(text, replace(nxt_peek))
                low = _merge_range(num, second)
                if low is not None and not _reason(text, second) and (
                        second.signed == 0 or approx == "between"):
                    spans.append(NumberSpan(
                        qual_start, second.end, text[qual_start:second.end], low, second.value,
                        "exact" if approx == "between" else approx, second.unit,
                        num.value_start, second.value_end, num.signed))
                    covered_until = second.end
                    i += 1
                    continue
        if approx == "between":
            approx, qual_start = "exact", num.start
        if num.plus:
            approx = "more_than"
        approx, qual_start, num.end = _or_more(text, num.end, approx, qual_start, num.start)
        reason = num.reason or _reason(text, num) or _one_reason(text, num) or _period_reason(text, num)
        if reason == "ordinal" and not num.words:
            num.end = num.value_end + 2  # "21st"
        spans.append(_span(text, qual_start, num.end, num, approx=approx,
                           is_figure=not reason, reason=reason))
        covered_until = max(num.end, num.covers)
    spans.extend(_ordinals(text, spans))
    spans.sort(key=lambda sp: (sp.start, sp.end))
    spans = _join_bounds(text, spans)
    for sp in spans:  # "2.082 million" is 2082000, not 2081999.9999999998
        sp.value = _tidy(sp.value)
        if sp.value_high is not None:
            sp.value_high = _tidy(sp.value_high)
    return spans


def _tidy(value: float) -> float:
    """Drop binary-float noise from scaling: keep 12 significant digits."""
    return float(f"{value:.12g}")


_LOWER_BOUNDS = ("more_than", "at_least")
_UPPER_BOUNDS = ("fewer_than", "at_most", "up_to")
_BOUND_LINK = re.compile(r"(?i)(?:\s*,)?\s+(?:and|but)\s+|\s*,\s*")


def _join_bounds(text: str, spans: list[NumberSpan]) -> list[NumberSpan]:
    """ "more than 10 but fewer than 20" (either order) is one range from 10 to 20."""
    joined: list[NumberSpan] = []
    for span in spans:
        prev = joined[-1] if joined else None
        if (prev is not None and prev.is_figure and span.is_figure and prev.value_high is None
                and span.value_high is None and (prev.unit == span.unit or "count" in (prev.unit, span.unit))
                and {prev.approx, span.approx} & set(_LOWER_BOUNDS) and {prev.approx, span.approx} & set(_UPPER_BOUNDS)
                and _BOUND_LINK.fullmatch(text, prev.end, span.start)):
            low, high = (prev, span) if prev.approx in _LOWER_BOUNDS else (span, prev)
            if low.value < high.value:
                unit = span.unit if prev.unit == "count" else prev.unit  # "more than 10 but under 20 days"
                joined[-1] = NumberSpan(prev.start, span.end, text[prev.start:span.end], low.value, high.value,
                                        "exact", unit, low.value_start, low.value_end, low.signed)
                continue
        joined.append(span)
    return joined


def _or_more(text: str, end: int, approx: str, qual_start: int, start: int) -> tuple[str, int, int]:
    """ "500 or more" / "500 or less": the bound wins over a qualifier before it ("about 500 or more")."""
    m = _OR_MORE_AFTER.match(text, end)
    if not m:
        return approx, qual_start, end
    upward = m.group(1).lower() in ("more", "greater", "higher", "above")
    return ("at_least" if upward else "at_most"), start, m.end()


def _merge_range(low: _Num, high: _Num) -> float | None:
    """The low end of the range "low-high" with units shared, or None if it is no range."""
    if low.plus:
        return None
    if low.unit in ("percent", "percentage_point") and high.unit == "count" and not high.words:
        return None  # "fell 22% to 143": a change and the level it led to
    # A currency, unit or scale written once belongs to both ends: "$5-7 billion", "10 to 12 percent".
    low.currency = low.currency or high.currency
    high.currency = high.currency or low.currency
    if low.currency:
        low.unit = high.unit = low.currency
    elif low.unit == "count":
        low.unit = high.unit
    elif high.unit == "count":
        high.unit = low.unit
    if not low.scaled and high.scaled and abs(low.raw) < high.raw:
        low.value = low.raw * (high.value / high.raw)
    if low.unit != high.unit or low.currency != high.currency or not low.value < high.value:
        return None
    return low.value


def _ordinals(text: str, spans: list[NumberSpan]) -> list[NumberSpan]:
    """Spelled ordinals ("first", "twenty-first") not already part of a number, as non-figures."""
    covered = [(sp.start, sp.end) for sp in spans]
    found: list[NumberSpan] = []
    for m in _ORDINAL_RUN.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in covered):
            continue
        word = m.group(0).lower()
        if word == "second" and re.search(r"(?i)\b(?:a|per|one)\s+\Z", _before(text, m.start())):
            continue
        parts = word.split("-")
        value = float(sum(_TENS.get(p, _ORDINAL_WORDS.get(p, 0)) for p in parts))
        found.append(NumberSpan(m.start(), m.end(), m.group(0), value, value_start=m.start(),
                                value_end=m.end(), is_figure=False, reason="ordinal"))
    return found


def parse_value(surface: str) -> tuple[float, float | None] | None:
    """Value (and high end) of a standalone number expression, or None unless it holds exactly one."""
    spans = find_numbers(surface)
    if len(spans) != 1:
        return None
    span = spans[0]
    if surface[:span.start].strip() or surface[span.end:].strip(" .,;:!?"):
        return None
    return span.value, span.value_high
