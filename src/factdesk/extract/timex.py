"""Time expressions in a sentence: dates, as-of dates, periods, fiscal years, relative times.

Each expression found becomes a ``TimeRef`` with its character span in the sentence, so the
figure assembly can pick the expression nearest a number. Dates are resolved against the
source's publication date (the year of "July 21", the meaning of "last year", "currently").
US federal fiscal years run October to September and are labelled by the year they end in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_YEAR = r"(?:19|20)\d{2}"
# "July 21, 2024", "July 21", "July 2024", "July of this year", "July": the capitalised month
# is required so that the verb "may" and words like "march" are never read as dates.
_DATE = (
    rf"(?P<mon>{_MONTH})(?:\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d))?"
    rf"(?:,?\s+(?:of\s+)?(?P<year>{_YEAR}|this year|last year))?(?![\w-])"
)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_FISCAL = r"(?:fiscal(?:\s+year)?|FY)\s?'?(?P<fy>\d{4}|\d{2})\b"
_ANY_DIGIT = re.compile(r"\d")
_MONTH_HINT = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)")
_SEASON_HINT = re.compile(r"spring|summer|fall|autumn|winter")
_PRESENT_HINT = re.compile(r"current|now|today|present|to date")
_COUNT = rf"(?:\d+|a|an|{'|'.join(_WORD_NUMBERS)})"
# "of 2024", "of fiscal 2024", "of the year": the year a part of a year belongs to.
_OF_YEAR = (rf"(?:\s+of\s+(?:(?P<fis>fiscal(?:\s+year)?\s+|FY\s?)(?P<fy>{_YEAR})|(?P<py>{_YEAR})|(?:the|this)\s+(?P<fisnow>fiscal\s+)?year))?"
            r"(?!\s+of\b)")  # "the first seven months of a fiscal year" names no year
_PART_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_SEASONS = {"winter": 2, "spring": 5, "summer": 8, "fall": 11, "autumn": 11}  # the month each ends in
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A weekday right after these dates the saying or publishing, not what is counted.
_REPORTED_ON = re.compile(
    r"(?:said|says|told|announced|released|published|posted|reported|updated|wrote|testified|added)\s+(?:on\s+)?$", re.I)


@dataclass(slots=True)
class TimeRef:
    start: int  # offsets in the sentence text
    end: int
    kind: str  # as_of | period | point | present
    value: str  # the date the figure is about: as-of date or the period's end (YYYY[-MM[-DD]])
    begin: str | None = None  # a period's start, when stated
    fiscal: bool = False
    # How the value depends on other times: "" (fixed), "prior" ("the previous year": the year
    # before the time under discussion) or "recent" ("over the last three years": it ends when
    # the speaker speaks). ``value`` holds the reading against the publication date.
    relative: str = ""
    back: int = 1  # for "prior": how many years back ("four years earlier" -> 4)


@dataclass(slots=True)
class _Date:
    year: int | None
    month: int | None
    day: int | None

    def iso(self) -> str:
        if self.year is None:
            return ""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_published(published: str | None) -> date | None:
    """The publication date of a source (ISO date or datetime), or None."""
    if not published:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _month_number(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")[:3]]


def _date_from_match(m: re.Match, published: date | None) -> _Date:
    month = _month_number(m["mon"])
    day = int(m["day"]) if m["day"] else None
    year_text = m["year"]
    if year_text and year_text[0].isdigit():
        return _Date(int(year_text), month, day)
    if published is None:
        return _Date(None, month, day)
    if year_text == "last year":
        return _Date(published.year - 1, month, day)
    year = published.year
    # A month with no year that lies after the publication date refers to the previous year.
    if year_text != "this year" and (month, day or 1) > (published.month, published.day):
        year -= 1
    return _Date(year, month, day)


def _fiscal_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _shift_month(d: date, months: int) -> str:
    index = d.year * 12 + d.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _count(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else 1 if word in ("a", "an") else _WORD_NUMBERS[word]


def _month_iso(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _part_of_year(m: re.Match, first: int, last: int, pub: date | None) -> tuple[str, str, bool] | None:
    """(begin, end, fiscal) of months ``first``..``last`` (1-based) of the year a match names:
    "of 2024", "of fiscal 2024" (October to September), "of the year" or nothing (the year of
    publication, or the one before when that part has not ended by then)."""
    fiscal = bool(m["fis"] or m["fisnow"])
    if m["fy"] or m["py"]:
        year = int(m["fy"] or m["py"])
    elif pub is None:
        return None
    else:
        year = pub.year + (1 if fiscal and pub.month >= 10 else 0)
    origin = (year - 1) * 12 + 9 if fiscal else year * 12  # month index of the year's first month
    if not (m["fy"] or m["py"]) and pub is not None and origin + last - 1 > pub.year * 12 + pub.month - 1:
        origin -= 12
    return _month_iso(origin + first - 1), _month_iso(origin + last - 1), fiscal


def find_times(text: str, published: str | date | None = None) -> list[TimeRef]:
    """Every time expression in ``text``, longest first, with non-overlapping spans."""
    pub = published if isinstance(published, date) else parse_published(published)
    refs: list[TimeRef] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, value: str, begin: str | None = None, fiscal: bool = False,
            relative: str = "", back: int = 1) -> None:
        if not value or any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        refs.append(TimeRef(start, end, kind, value, begin, fiscal, relative, back))

    fiscal = _FISCAL
    # Cheap tests that let most sentences skip most patterns: every pattern below needs a digit, a
    # capitalised month, or one of a few words.
    low = text.lower()
    has_digit = bool(_ANY_DIGIT.search(text))
    has_month = bool(_MONTH_HINT.search(text))
    has_year_word = "year" in low
    # Periods with both ends: "between October 2022 and January 2023", "from April 2023 through March 2024".
    for m in () if not (has_month or has_digit) else re.finditer(
        rf"\b(?:[Bb]etween|[Ff]rom)\s+(?P<a>{_MONTH}(?:\s+[0-3]?\d(?!\d))?(?:,?\s+{_YEAR})?|{_YEAR})\s+"
        rf"(?:and|to|through|until|till|-|–)\s+(?P<b>{_MONTH}(?:\s+[0-3]?\d(?!\d))?(?:,?\s+{_YEAR})?|{_YEAR})",
        text,
    ):
        a, b = _resolve(m["a"], pub), _resolve(m["b"], pub)
        if a and b and a.year and b.year is None:
            b.year = a.year
        if a and b and b.year and a.year is None:
            a.year = b.year if a.month <= b.month else b.year - 1
        if a and b:
            add(m.start(), m.end(), "period", b.iso(), a.iso())
    # Parts of a year: "the first six months of 2024", "the first half", "the third quarter of fiscal 2023", "Q1 2024".
    for m in () if "first" not in low else re.finditer(rf"\b(?:the\s+)?first\s+(?P<n>{_COUNT})\s+months{_OF_YEAR}", text, re.I):
        n = _count(m["n"])
        if 0 < n <= 12 and (part := _part_of_year(m, 1, n, pub)):
            add(m.start(), m.end(), "period", part[1], part[0], fiscal=part[2])
    for m in () if not ("quarter" in low or "half" in low) else re.finditer(
            rf"\b(?:the\s+)?(?P<ord>first|second|third|fourth)\s+(?P<part>quarter|half){_OF_YEAR}", text, re.I):
        size = 3 if m["part"].lower() == "quarter" else 6
        ordinal = _PART_ORDINALS[m["ord"].lower()]
        if ordinal * size <= 12 and (part := _part_of_year(m, (ordinal - 1) * size + 1, ordinal * size, pub)):
            add(m.start(), m.end(), "period", part[1], part[0], fiscal=part[2])
    for m in () if not (has_digit and "Q" in text) else re.finditer(rf"\bQ(?P<q>[1-4])(?:\s+(?P<py>{_YEAR}))?(?P<fis>)(?P<fy>)(?P<fisnow>)\b", text):
        q = int(m["q"])
        if part := _part_of_year(m, q * 3 - 2, q * 3, pub):
            add(m.start(), m.end(), "period", part[1], part[0])
    if pub:
        # "year to date", "so far this year": from January to the month of publication.
        for m in () if not ("date" in low or "so far" in low) else re.finditer(r"\b(?:year[\s-]to[\s-]date|so\s+far\s+this\s+year|this\s+year\s+so\s+far)\b", text, re.I):
            add(m.start(), m.end(), "period", _shift_month(pub, 0), f"{pub.year:04d}-01")
        # "last spring", "this fall", "the summer of 2023": the year the season falls in.
        for m in () if not _SEASON_HINT.search(low) else re.finditer(r"\b(?:(?P<rel>last|this|next|past)\s+(?P<s1>spring|summer|fall|autumn|winter)"
                             rf"|(?:the\s+)?(?P<s2>spring|summer|fall|autumn|winter)\s+(?:of\s+)?(?P<y>{_YEAR}))\b", text, re.I):
            if m["y"]:
                add(m.start(), m.end(), "point", m["y"])
                continue
            ends, rel = _SEASONS[m["s1"].lower()], m["rel"].lower()
            year = pub.year
            if rel in ("last", "past") and ends >= pub.month:
                year -= 1
            elif rel == "next" and ends - 2 <= pub.month:
                year += 1
            add(m.start(), m.end(), "point", str(year))
        # "four years earlier", "a year before", "the year before": counted back from the time under discussion.
        for m in () if not has_year_word else re.finditer(rf"\b(?:(?P<n>{_COUNT})\s+years?\s+(?:earlier|before|prior)|the\s+year\s+(?:before|earlier|prior))\b",
                             text, re.I):
            back = _count(m["n"]) if m["n"] else 1
            add(m.start(), m.end(), "point", str(pub.year - back), relative="prior", back=back)
        for m in () if "ago" not in low else re.finditer(rf"\b(?P<n>{_COUNT})\s+years?\s+ago\b", text, re.I):
            add(m.start(), m.end(), "point", str(pub.year - _count(m["n"])))
        # "as of Sunday", "on Friday": the last such day on or before publication.
        for m in () if "day" not in low else re.finditer(r"\b(?P<asof>as\s+of\s+)?(?:last\s+)?(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", text):
            if not m["asof"] and _REPORTED_ON.search(text[: m.start()]):
                continue
            back = (pub.weekday() - _WEEKDAYS.index(m["day"].lower())) % 7
            day = date.fromordinal(pub.toordinal() - back).isoformat()
            add(m.start(), m.end(), "as_of" if m["asof"] else "point", day)
    # "April 2023 through March 2024", "2018-2019", "July–September 2023".
    for m in () if not (has_month or has_digit) else re.finditer(
        rf"\b(?P<a>{_MONTH}(?:\s+{_YEAR})?|{_YEAR})\s*(?:through|to|until|-|–)\s*(?P<b>{_MONTH}(?:,?\s+{_YEAR})?|{_YEAR})\b",
        text,
    ):
        a, b = _resolve(m["a"], pub), _resolve(m["b"], pub)
        if a and b and b.year:
            add(m.start(), m.end(), "period", b.iso(), a.iso() if a.year else None)
    # "December and January", "October and November 2023": months named one by one, a point
    # (a list, not a stated period) that still records where it begins.
    for m in () if not has_month else re.finditer(rf"\b(?P<a>{_MONTH})\s+(?:and|&)\s+(?P<b>{_MONTH}(?:,?\s+{_YEAR})?)(?![\w-])", text):
        a, b = _resolve(m["a"], pub), _resolve(m["b"], pub)
        if a and b:
            if b.year is None:
                b = _date_from_match(re.match(rf"(?P<mon>{_MONTH})(?P<day>)(?P<year>)", m["b"]), pub)
            if b.year:
                a.year = b.year if a.month <= b.month else b.year - 1
                add(m.start(), m.end(), "point", b.iso(), a.iso())
    # "the 12 months through March 2024", "the year ending in March", "the year that ended in March".
    for m in () if not has_month else re.finditer(
        rf"\b(?:(?P<n>\d+|{'|'.join(_WORD_NUMBERS)})\s+months?|(?:the\s+)?year)\s+"
        rf"(?:(?:that\s+)?end(?:ing|ed)\s+(?:in\s+)?|through\s+|to\s+|until\s+)(?:the\s+end\s+of\s+)?{_DATE}",
        text,
        re.I,
    ):
        if not m["mon"][0].isupper():
            continue
        d = _date_from_match(m, pub)
        add(m.start(), m.end(), "period", d.iso())
    # "as of July 21, 2024", "as of the end of April 2014", "as of Feb. 2024".
    as_of_words = "as of" in low or " of" in low and ("end" in low or "close" in low)
    for m in () if not (has_month and as_of_words) else re.finditer(
            rf"\b(?:as\s+of\s+(?:the\s+end\s+of\s+)?|at\s+the\s+(?:end|close)\s+of\s+){_DATE}", text, re.I):
        if m["mon"][0].isupper():
            add(m.start(), m.end(), "as_of", _date_from_match(m, pub).iso())
    for m in () if not (has_digit and as_of_words) else re.finditer(
            rf"\b(?:as\s+of\s+(?:the\s+end\s+of\s+)?|at\s+the\s+(?:end|close)\s+of\s+)(?:{fiscal}|(?P<y>{_YEAR}))", text, re.I):
        add(m.start(), m.end(), "as_of", str(_fiscal_year(m["fy"])) if m["fy"] else m["y"], fiscal=bool(m["fy"]))
    # "through July", "until March 2024": the end of an open period.
    for m in () if not has_month else re.finditer(rf"\b(?:[Tt]hrough|[Uu]ntil|to|[Ee]nding\s+in|ended\s+in)\s+{_DATE}", text):
        add(m.start(), m.end(), "period", _date_from_match(m, pub).iso())
    # Fiscal years: "fiscal year 2023", "FY2023", "FY 23", "fiscal 2024"; "last fiscal year".
    for m in () if not (has_digit and ("fiscal" in low or "fy" in low)) else re.finditer(rf"\b{fiscal}", text, re.I):
        fy = _fiscal_year(m["fy"])
        add(m.start(), m.end(), "period", str(fy), f"{fy - 1}-10", fiscal=True)
    if pub:
        fy_now = pub.year + (1 if pub.month >= 10 else 0)
        for m in () if "fiscal" not in low else re.finditer(r"\b(?P<rel>last|current|this|previous|next)\s+fiscal\s+year\b", text, re.I):
            fy = fy_now + {"last": -1, "previous": -1, "next": 1}.get(m["rel"].lower(), 0)
            add(m.start(), m.end(), "period", str(fy), f"{fy - 1}-10", fiscal=True)
    # Calendar dates: "Sept. 28, 2024", "July 2024", "in September", "July of this year".
    for m in () if not has_month else re.finditer(rf"\b{_DATE}", text):
        if m["mon"] == "May" and not (m["day"] or m["year"]) and not re.search(r"\b(?:[Ii]n|of|since|[Bb]y)\s+$", text[: m.start()]):
            continue
        d = _date_from_match(m, pub)
        add(m.start(), m.end(), "point", d.iso())
    # Relative times, resolved against the publication date.
    if pub and (has_year_word or "month" in low):
        # "the previous year" counts back from the year under discussion, not from today.
        for m in re.finditer(r"\b(?:the\s+)?(?:previous|prior|preceding)\s+year(?:'s|’s)?", text, re.I):
            add(m.start(), m.end(), "point", str(pub.year - 1), relative="prior")
        # "over the last three and a half years", "in the past 12 months": up to when it is said.
        for m in re.finditer(
            rf"\b(?:over|in|during|for|within)\s+(?:the|(?:his|her|their|its)\s+(?:own\s+)?)\s*(?:last|past|previous)?\s*"
            rf"(?:\d+|{'|'.join(_WORD_NUMBERS)})(?:\s+and\s+a\s+half)?[\s-]+(?:years?|months?)(?:\s+(?:period|term|tenure|stint))?\b",
            text,
            re.I,
        ):
            if re.search(r"\b(?:last|past|previous)\b|\b(?:period|term|tenure|stint)$", m[0], re.I):
                add(m.start(), m.end(), "period", _shift_month(pub, 0), relative="recent")
        relative = [
            (r"\blast\s+year\b", str(pub.year - 1)),
            (r"\bnext\s+year\b", str(pub.year + 1)),
            (r"\bnext\s+month\b", _shift_month(pub, 1)),
            (r"\b(?:this|the current)\s+year\b|\b(?:over\s+)?the\s+(?:past|last)\s+(?:year|12\s+months)\b", str(pub.year)),
            (r"\blast\s+month\b", _shift_month(pub, -1)),
            (r"\bthis\s+month\b", _shift_month(pub, 0)),
        ]
        for pattern, value in relative:
            for m in re.finditer(pattern, text, re.I):
                add(m.start(), m.end(), "point", value)
    if pub:
        # "now" qualifies the figure, not the reporting verb it may precede ("the agency now says").
        for m in () if not _PRESENT_HINT.search(low) else re.finditer(
                r"\b(?:currently|now|today|right now|at present|presently|to date)\b(?!\s+(?:says?|said|estimates?|"
                r"estimated|reports?|reported|believes?|thinks?|puts|put|calculates?|admits?|concedes?|acknowledges?))",
                text, re.I):
            add(m.start(), m.end(), "present", _shift_month(pub, 0))
    # Bare years: "in 2022", "since 2009", "the 2019 benchmark".
    for m in () if not has_digit else re.finditer(rf"(?<![\d$£€.,])\b{_YEAR}\b(?![\d%]|,\d|\.\d)", text):
        add(m.start(), m.end(), "point", m[0])
    # "it held 2.6 million then": "then" at the end of a clause points back to the last time named.
    for m in () if "then" not in low else re.finditer(r"\bthen\b(?=\s*(?:and\b|but\b|[,.;)]|$))", text):
        earlier = [r for r in refs if r.end <= m.start()]
        if earlier:
            last = max(earlier, key=lambda r: r.end)
            add(m.start(), m.end(), "point", last.value, last.begin, last.fiscal)
    refs.sort(key=lambda r: r.start)
    return refs


def _resolve(text: str, pub: date | None) -> _Date | None:
    """A month or year phrase ("March 2024", "April", "2018") as a date; a month alone keeps no year."""
    year = re.fullmatch(_YEAR, text)
    if year:
        return _Date(int(text), None, None)
    m = re.fullmatch(rf"(?P<mon>{_MONTH})(?:\s+(?P<day>[0-3]?\d))?(?:,?\s+(?P<year>{_YEAR}))?", text)
    if not m:
        return None
    month = _month_number(m["mon"])
    day = int(m["day"]) if m["day"] else None
    return _Date(int(m["year"]) if m["year"] else None, month, day)

