"""Who asserts a figure or a statement, what kind of speaker that is, and the caveats around it.

Speakers are found by the grammar of reporting ("according to X", "X said", "said X",
"X told Y", "X's report found", "data X provided to"), and their kind by general cues in the
name: agencies and their spokespeople are government, titled office-holders are officials,
universities and economists are researchers, centers, institutes and advocates are advocacy,
and news outlets are media.
"""

from __future__ import annotations

import re

_NAME = r"[A-Z][\w'’.&-]*"
_SPEECH_VERBS = (
    r"(?:said|says|say|told|tells|wrote|writes|reported|reports|found|finds|estimated|estimates|"
    r"announced|stated|noted|conceded|acknowledged|admitted|claimed|argued|posted|shows?|showed|"
    r"indicated|indicates|concluded|explained|added|confirmed|testified|insisted|warned|described)"
)
# A speaker phrase: up to eight words, capitalised names or role nouns, possibly possessive.
_SPEAKER = r"(?:(?:[Aa]n?|[Tt]he|[Tt]wo|[Tt]hree|[Oo]ne)\s+)?(?:[\w'’.&-]+\s+){0,7}?[\w'’.&-]+"

_GOVERNMENT = re.compile(
    r"\b(?:Department|Bureau|Agency|Administration|Office|Service|Commission|Ministry|Census|Customs|"
    r"Patrol|Police|Inspector General|Immigration|Enforcement|government|agency|spokes(?:man|woman|person)|"
    r"department|officials?|authorities|Secretary|Director|Deputy|Commissioner|Board|Federal|Reserve|"
    r"[A-Z]{2,5}(?:'s|’s)?\s+(?:data|figures|records|numbers|statistics|report))\b"
)
_OFFICIAL = re.compile(
    r"\b(?:Rep|Sen|Gov)\.(?=\s)|\b(?:Representative|Senator|President|Vice President|Governor|Mayor|Congressman|"
    r"Congresswoman|lawmakers?|Speaker|campaign|candidate|nominee|Republicans?|Democrats?|Trump|Biden|Harris)\b"
)
_RESEARCH = re.compile(
    r"\b(?:University|College|economists?|researchers?|professor|Prof|scientists?|analysts?|"
    r"statistician|specialist|expert|study|Dr|School|Clearinghouse|Laboratory)\b"
)
_ADVOCACY = re.compile(
    r"\b(?:Center for|Institute|Foundation|Federation|Council|Coalition|Alliance|Association|Network|"
    r"Union|advocates?|think tank|Fund|League|Project|Action|Society|Campaign)\b"
)
_MEDIA = re.compile(
    r"\b(?:News|Times|Post|Journal|Herald|Tribune|Press|Reuters|Gazette|Daily|Magazine|Network|"
    r"Broadcasting|TV|Radio|reporters?|newspaper|outlet|AP|CNN|CNBC|BBC|NBC|ABC|CBS|Fox)\b"
)
_HEDGES = re.compile(
    r"\b(?:preliminary|provisional|estimated?|estimates|approximately|roughly|may|might|could|likely|"
    r"probably|not known|unknown|unclear|not clear|uncertain|includes?|goes back|go back|"
    r"cover(?:s|ed)?\s+(?:several\s+)?(?:decades|years)|subject to revision|revised|unverified|"
    r"cannot be (?:verified|confirmed)|does not (?:include|count)|do not (?:include|count)|"
    r"excludes?|leaves out)\b",
    re.I,
)


def speaker_kind(speaker: str) -> str:
    """government | official | advocacy | researcher | media | unknown, by general cues in the name."""
    if not speaker:
        return "unknown"
    for kind, pattern in (
        ("official", _OFFICIAL),
        ("researcher", _RESEARCH),
        ("advocacy", _ADVOCACY),
        ("government", _GOVERNMENT),
        ("media", _MEDIA),
    ):
        if pattern.search(speaker):
            # A spokesman for a department is the department speaking, whatever his title says.
            if kind == "official" and re.search(r"spokes(?:man|woman|person)|Department|Agency|Bureau", speaker):
                return "government"
            return kind
    if re.fullmatch(r"[A-Z]{2,6}", speaker.strip()):
        return "government"
    return "unknown"


def _clean(speaker: str) -> str:
    speaker = re.sub(r"\s+", " ", speaker).strip(" ,.;:\"“”'’")
    speaker = re.sub(r"^(?:and|but|as|while|then|so)\s+", "", speaker, flags=re.I)
    return speaker


def find_speaker(text: str) -> str:
    """The source a sentence credits, or '' when it credits none."""
    # "data ICE provided to Congress", "the data provided by ICE", "figures the agency released".
    m = re.search(rf"\b(?:data|figures|numbers|records|statistics)\s+(?:that\s+)?(?:(?:was|were)\s+)?(?:provided|released|published|sent|compiled)\s+by\s+((?:the\s+)?(?:{_NAME}\s+){{0,4}}{_NAME})", text)
    if m:
        return _clean(m.group(1))
    m = re.search(rf"\b(?:data|figures|numbers|records|statistics)\s+(?:that\s+)?((?:the\s+)?(?:{_NAME}\s+){{0,3}}{_NAME}|the\s+agency)\s+(?:provided|released|published|sent|gave|compiled)\b", text)
    if m:
        return _clean(m.group(1))
    m = re.search(r"\baccording\s+to\s+(?:the\s+)?([^,.;:—]{2,90}?)(?=,|\.|;|:|—|$|\s+(?:that|there|the\s+\w+\s+(?:was|were|is|are)))", text, re.I)
    if m:
        return _clean(re.sub(r"^(?:data|numbers|figures|records)\s+(?:that\s+)?", "", m.group(1)))
    # "..., three law enforcement officials said." / "X told NBC News ..." / "X's report found ...".
    m = re.search(rf"(?:^|[,“”\"]\s*|\.\s+)({_SPEAKER})\s+(?:has\s+|have\s+|had\s+)?{_SPEECH_VERBS}\b", text)
    if m and not re.fullmatch(r"(?:it|this|that|they|he|she|we|which|who|there)", m.group(1).strip(), re.I):
        speaker = _clean(m.group(1))
        if speaker and speaker.split()[0][0].isupper() or re.match(r"(?:a|an|the|two|three|one)\b", speaker, re.I):
            return speaker
    # "..., said John Smith, an economist at X."
    m = re.search(rf",\s+(?:said|says|wrote|according\s+to)\s+((?:{_NAME}\s+){{0,4}}{_NAME}(?:,\s+(?:an?|the)\s+[^,.]{{3,60}})?)", text)
    if m:
        return _clean(m.group(1))
    m = re.search(rf"\b((?:the\s+)?(?:\d{{4}}\s+)?(?:{_NAME}\s+){{0,5}}{_NAME}(?:'s|’s)\s+(?:\w+\s+){{0,3}}?(?:report|data|figures|analysis|study|letter|records|budget\s+\w+))\s+{_SPEECH_VERBS}\b", text)
    if m:
        return _clean(m.group(1))
    return ""


def find_hedges(sentence: str, following: str = "") -> list[str]:
    """Caveat phrases in the sentence or the one after it ("preliminary", "goes back four decades")."""
    hedges: list[str] = []
    for text in (sentence, following):
        for m in _HEDGES.finditer(text):
            phrase = _hedge_phrase(text, m.start(), m.end())
            if phrase and phrase not in hedges:
                hedges.append(phrase)
    return hedges


def _hedge_phrase(text: str, start: int, end: int) -> str:
    """The cue with the few words after it, cut at a clause break."""
    tail = re.match(r"[^,.;:—]{0,50}", text[end:])
    phrase = text[start:end] + (tail.group(0) if tail else "")
    return re.sub(r"\s+", " ", phrase).strip()
