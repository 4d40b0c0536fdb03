"""What a number counts: the noun phrase after it (or the one it refers back to) and its scope.

Grammar-shaped, with no topic words: the words after the number up to a verb or a clause break
are the counted phrase ("immigrants convicted of homicide"); a prepositional phrase after it
is the scope ("on ICE's non-detained docket"). When nothing follows the number ("of whom
13,099 had ...", "homicide (13,099)", "X rose by 818,000"), the phrase is taken from before it.
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
_SCOPE_PREP = r"(?:on|in|at|outside|inside|under|among|across|within|into|from|held\s+by|not\s+in|out\s+of)"
_DETERMINERS = r"(?:the|a|an|its|their|his|her|our|those|these|them|whom|which)"
_WORD = r"[A-Za-z][\w'’.-]*"


def _trim(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,.;:-–—\"“”'’(")
    return phrase


def subject_and_scope(text: str, start: int, end: int) -> tuple[str, str]:
    """(subject, scope) of the number at ``text[start:end]`` (offsets in the sentence)."""
    right = text[end:]
    subject = ""
    # "13,000 of them", "150,000 of them in September": the counted noun is elided.
    elided = re.match(rf"^\s+of\s+{_DETERMINERS}\b", right)
    if not elided:
        m = re.match(rf"^\s*(?:-|\s)?((?:(?!{_STOP}\b){_WORD}\s*){{1,6}})", right)
        if m:
            subject = _trim(m.group(1))
            # Participle modifiers belong to the phrase: "immigrants convicted of homicide".
            rest = right[m.end():]
            mod = re.match(rf"^\s*((?:of|with|for)\s+(?:(?!{_STOP}\b){_WORD}\s*){{1,5}})", rest)
            if not mod and re.search(r"(?:ed|en)$", subject.split()[-1] if subject else ""):
                mod = re.match(rf"^\s*((?:of|in|for|with|by)\s+(?:(?!{_STOP}\b){_WORD}\s*){{1,4}})", rest)
            if mod:
                subject = _trim(f"{subject} {mod.group(1)}")
                rest = rest[mod.end():]
            scope = _scope(rest)
            if subject:
                return subject, scope
    return _subject_before(text, start), _scope(right)


def _scope(rest: str) -> str:
    m = re.match(rf"^\s*,?\s*((?:who\s+(?:are|were)\s+)?{_SCOPE_PREP}\s+(?:[^,.;:()—]|\.(?=\S)){{2,60}})", rest)
    return _trim(m.group(1)) if m else ""


def _subject_before(text: str, start: int) -> str:
    """The noun phrase the number refers back to: the clause's subject, or a label before it."""
    left = text[:start]
    # "Homicide: 193", "homicide (13,099)": a label right before the number.
    m = re.search(rf"((?:{_WORD}\s+){{0,4}}{_WORD})\s*[:(]\s*$", left)
    if m:
        return _trim(m.group(1))
    # "X rose by N", "X was revised down by N": the words opening the clause.
    clause = re.split(r"[;:—(]|,\s", left)[-1]
    words = re.match(rf"^\s*((?:(?!{_STOP}\b){_WORD}\s*){{1,6}})", clause)
    return _trim(words.group(1)) if words else ""
