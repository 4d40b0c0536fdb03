"""What a number counts: the noun phrase after it (or the one it refers back to) and its scope.

Grammar-shaped, with no topic words: the words after the number up to a verb or a clause break
are the counted phrase ("immigrants convicted of homicide"); a prepositional phrase after it
is the scope ("on ICE's non-detained docket"). When the counted noun is elided or anaphoric
("13,099 of them with homicide convictions", "of whom 13,099 had ...", "the total was lower:
56,280", "the 13,000 crossed") it is the antecedent: the last noun a number counted before it.
A list item ("homicide (13,099)") is its label plus the noun the list enumerates.
"""

from __future__ import annotations

import re

# Words that end a noun phrase: finite verbs, auxiliaries and clause openers.
_STOP = (
    r"(?:is|are|was|were|be|been|being|am|has|have|had|do|does|did|will|would|can|could|may|might|must|"
    r"should|shall|said|says|say|told|according|who|whom|which|that|while|because|although|though|but|"
    r"and|or|than|as|if|when|where|since|so|then|to|from|between|compared|against|versus|vs|rather|"
    r"instead|alone|each|every|per|a|an|over|through|until|before|after|during|last|this|next|"
    r"in|on|at|by|for|into|onto|outside|inside|under|among|across|within|without|with|off|up|down)"
)
# Verbs that cannot open a noun phrase, though nothing in their spelling says so.
_IRREGULAR_VERBS = (
    r"(?:came|come|comes|went|go|goes|fell|fall|falls|rose|rise|rises|grew|grow|grows|got|get|gets|left|"
    r"made|make|makes|took|take|takes|saw|see|sees|ran|run|runs|stayed|remain|remains|remained|live|lives|"
    r"lived|face|faces|faced|account|accounts|accounted|walked|crossed|entered|arrived|died|fled|"
    r"stood|stand|stands|hold|holds|held|owe|owes|hit|hits|lost|lose|loses|won|win|wins|became|become)"
)
_SCOPE_PREP = r"(?:on|in|at|outside|inside|under|among|across|within|into|from|held\s+by|not\s+in|out\s+of)"
_DETERMINERS = r"(?:the|a|an|its|their|his|her|our|those|these|them|whom|which)"
_WORD = r"[A-Za-z][\w'’.-]*"
# Heads that only point back to a quantity named before: "the total", "the figure", "it".
_ANAPHOR = re.compile(r"(?:(?:the|that|this|its|their|a)\s+)?(?:(?:overall|new|same|revised|final|latest|\w+)\s+)?"
                      r"(?:total|figure|number|count|tally|sum|amount|one|ones|estimate)|it|that|this|they|those|these",
                      re.I)
# What opens a list of labelled counts, or separates its items.
_LIST_BREAK = r"(?:[,;:—]|\b(?:and|or|including|included|includes?|such\s+as|like|were|was|are|is|with|of)\b)"


def _trim(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,.;:-–—\"“”'’(")
    return phrase


def _is_verb(word: str, following: str) -> bool:
    """Whether a word is a verb ("13,000 crossed the border") rather than part of a noun phrase
    ("13,000 convicted murderers"): a past form with no noun after it, or an irregular verb."""
    if re.fullmatch(_IRREGULAR_VERBS, word, re.I) and not word.lower().endswith("ed"):
        return True
    return bool(re.search(r"ed$", word)) and bool(
        re.match(rf"^\s*(?:$|[,.;:!?)—]|(?:{_STOP}|the|his|her|their|its|our|my|some|many|more)\b)", following))


def counted_noun(text: str, start: int, end: int) -> tuple[str, str] | None:
    """(noun phrase, scope) written right after the number, when one is: "2,450 students with
    chronic absences in district schools" -> ("students with chronic absences", "in district schools")."""
    right = text[end:]
    if re.match(rf"^\s+of\s+{_DETERMINERS}\b", right):
        return None
    m = re.match(rf"^\s*(?:-|\s)?((?:(?!{_STOP}\b){_WORD}\s*){{1,6}})", right)
    if not m:
        return None
    # The phrase ends at its first verb: "13,000 convicted murderers entered the country".
    words = list(re.finditer(r"\S+", m.group(1)))
    phrase_end = m.end(1)
    for i, word in enumerate(words):
        if _is_verb(word.group(0).strip(".,"), right[m.start(1) + word.end():]):
            if i == 0:
                return None
            phrase_end = m.start(1) + word.start()
            break
    subject = _trim(right[m.start(1):phrase_end])
    if phrase_end < m.end(1):
        return (subject, "") if subject else None
    # Participle modifiers belong to the phrase: "immigrants convicted of homicide".
    rest = right[m.end():]
    mod = re.match(rf"^\s*((?:of|with|for)\s+(?:(?!{_STOP}\b){_WORD}\s*){{1,5}})", rest)
    if not mod and re.search(r"(?:ed|en)$", subject.split()[-1] if subject else ""):
        mod = re.match(rf"^\s*((?:of|in|for|with|by)\s+(?:(?!{_STOP}\b){_WORD}\s*){{1,4}})", rest)
    if mod:
        subject = _trim(f"{subject} {mod.group(1)}")
        rest = rest[mod.end():]
    return (subject, _scope(rest)) if subject else None


def subject_and_scope(text: str, start: int, end: int, antecedent: tuple[str, str] = ("", "")) -> tuple[str, str]:
    """(subject, scope) of the number at ``text[start:end]`` (offsets in the sentence).

    ``antecedent`` is the (subject, scope) of the last noun a number counted before this one,
    used when this number's own noun is elided or only points back.
    """
    found = counted_noun(text, start, end)
    if found:
        return found
    right, left = text[end:], text[:start]
    before_subject, before_scope = antecedent
    # "13,099 of them with homicide convictions", "300 of them convicted murderers".
    elided = re.match(r"^\s+of\s+(?:them|those|these|whom|which)\b\s*(.*)", right)
    if elided and before_subject:
        rest = elided.group(1)
        mod = re.match(rf"^((?:with|for|in|who\s+(?:had|have|were|are))\s+(?:(?!{_STOP}\b){_WORD}\s*){{1,5}})", rest)
        if mod:
            phrase = re.sub(r"^who\s+(?:had|have)\b", "with", _trim(mod.group(1)))
            return f"{before_subject} {phrase}", before_scope
        noun = re.match(rf"^((?:(?!{_STOP}\b){_WORD}\s*){{1,5}})", rest)
        if noun:
            return f"{_trim(noun.group(1))} among {before_subject}", before_scope
        return before_subject, before_scope
    # "..., of whom 13,099 had homicide convictions".
    if before_subject and re.search(r"\bof\s+(?:whom|them|those|these)\s+(?:\w+\s+)?$", left):
        had = re.match(rf"^\s+(?:had|have|has|were|are|with)\s+((?:(?!{_STOP}\b){_WORD}\s*){{1,5}})", right)
        if had:
            return f"{before_subject} with {_trim(had.group(1))}", before_scope
        return before_subject, before_scope
    label = _list_label(text, start)
    if label:
        head = _list_head(text, start)
        return (f"{label} {head}" if head else label), _scope(right)
    clause = _clause_subject(left)
    first = re.match(rf"^\s*({_WORD})", right)  # "the 13,000 crossed": the number is the verb's subject
    verb_follows = bool(first) and _is_verb(first.group(1), right[first.end():])
    if before_subject and (verb_follows or not clause or _ANAPHOR.fullmatch(clause)):
        return before_subject, before_scope or _scope(right)
    return clause, _scope(right)


def _scope(rest: str) -> str:
    m = re.match(rf"^\s*,?\s*((?:who\s+(?:are|were)\s+)?{_SCOPE_PREP}\s+(?:[^,.;:()—]|\.(?=\S)){{2,60}})", rest)
    return _trim(m.group(1)) if m else ""


def _list_label(text: str, start: int) -> str:
    """"Homicide: 193", "homicide (13,099)": the label right before the number, cut at the
    comma, conjunction or verb that opens its item."""
    m = re.search(r"\s*[:(]\s*$", text[:start])
    if not m:
        return ""
    breaks = list(re.finditer(_LIST_BREAK, text[:m.start()], re.I))
    # "the total was lower: 56,280" is a clause, not a label.
    if breaks and re.fullmatch(r"were|was|are|is", breaks[-1].group(0), re.I):
        return ""
    label = _trim(text[breaks[-1].end() if breaks else 0:m.start()])
    if not label or len(label.split()) > 5 or re.search(r"\d", label) or re.search(rf"\b(?:{_STOP})$", label, re.I):
        return ""
    return label


def _list_head(text: str, start: int) -> str:
    """The noun a list of labelled counts enumerates: "Convictions for grave offenses included
    homicide (13,099), ..." -> "convictions for grave offenses"."""
    opening = re.search(r"\(\s*[\d.,]", text)
    if opening is None or opening.start() > start:
        return ""
    breaks = list(re.finditer(_LIST_BREAK, text[:opening.start()], re.I))
    if not breaks:
        return ""
    before = re.sub(rf"(?:\s*{_LIST_BREAK})+\s*$", "", text[:breaks[-1].end()], flags=re.I)
    # The last noun phrase: up to six words back, through "of", "for" and "with" but no other stop word.
    m = re.search(rf"((?:(?:(?!{_STOP}\b){_WORD}|of|for|with)\s+){{0,5}}(?!{_STOP}\b){_WORD})$", before, re.I)
    if not m:
        return ""
    head = re.sub(r"^(?:(?:of|for|with)\s+)+", "", m.group(1), flags=re.I)
    head = re.sub(r"^(?:the|these|those|its|their)\s+", "", head, flags=re.I)
    return _trim(head[:1].lower() + head[1:] if head[1:2].islower() else head)


def _clause_subject(left: str) -> str:
    """The words opening the number's clause ("X rose by N", "X was revised down by N")."""
    clause = re.split(r"[;:—(]|,\s", left)[-1]
    words = re.match(rf"^\s*((?:(?!{_STOP}\b){_WORD}\s*){{1,6}})", clause)
    return _trim(words.group(1)) if words else ""
