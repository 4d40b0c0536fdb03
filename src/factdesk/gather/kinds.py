"""What kind of outlet a gathered page comes from, by general rules only: the schema.org
type its publisher declares, its domain suffix, and the words of its publisher's name.
No list of outlets: a rule either says something about every site or nothing."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from factdesk.gather.page import PageSignals

KINDS = ("government", "official", "advocacy", "researcher", "media")
KIND_LABELS = {
    "government": "agency or government",
    "official": "official (elected officials, legislatures)",
    "advocacy": "advocacy",
    "researcher": "research",
    "media": "media",
}

_PUBLISHER_TYPES = {
    "GovernmentOrganization": "government",
    "NewsMediaOrganization": "media",
    "ResearchOrganization": "researcher",
    "EducationalOrganization": "researcher",
    "CollegeOrUniversity": "researcher",
    "NGO": "advocacy",
}
_GOVERNMENT_SECOND_LEVEL = {"gov", "mil", "gouv", "gob", "govt", "go"}  # gov.uk, gouv.fr, gob.mx, go.jp
_ACADEMIC_SECOND_LEVEL = {"ac", "edu"}  # ac.uk, edu.au
_LEGISLATIVE_LABELS = {
    "senate", "house", "congress", "parliament", "legislature", "assembly", "council", "mayor", "governor",
}

# Checked in this order: a name can hold words of several kinds ("Office of Senator X",
# "Police Foundation", "University Press"), and the earlier kind is the better reading.
_NAME_WORDS = [
    ("official", r"senator|senate|congress(?:man|woman)|representative|mayor|governor|parliament|"
                 r"legislat(?:ure|ive)|minister|city\s+council|assembly\s*(?:man|woman|member)"),
    ("advocacy", r"coalition|alliance|campaign|advocates?|advocacy|action\s+(?:fund|network|center)|union|"
                 r"league|federation|association|foundation|watch|society|network|movement|committee\s+for|"
                 r"council\s+(?:for|on)"),
    ("researcher", r"universit(?:y|ies)|college|institute|research|studies|laborator(?:y|ies)|academy|"
                   r"cent(?:er|re)\s+for|journal\s+of|think\s*tank|school\s+of"),
    ("government", r"department|ministry|agency|bureau|office\s+(?:of|for)|administration|commission|census|"
                   r"statistic(?:s|al)|authority|police|court|inspector\s+general|government"),
    ("media", r"news|times|post|tribune|herald|gazette|journal|courier|press|radio|television|tv|broadcast(?:ing)?|"
              r"media|daily|weekly|magazine|chronicle|observer|reporter|dispatch|inquirer|examiner|bulletin|"
              r"sentinel|globe|telegraph"),
]
_NAME_PATTERNS = [(kind, re.compile(rf"\b(?:{words})\b", re.I)) for kind, words in _NAME_WORDS]


def classify(url: str | None, publisher: str | None, signals: PageSignals, declared: str | None = None) -> str | None:
    """The kind of outlet (one of KINDS), or None when no rule speaks."""
    for schema_type in sorted(signals.publisher_types):
        if schema_type in _PUBLISHER_TYPES:
            return _PUBLISHER_TYPES[schema_type]
    by_domain = _by_domain(url)
    if by_domain:
        return by_domain
    for kind, pattern in _NAME_PATTERNS:
        if publisher and pattern.search(publisher):
            return kind
    for schema_type in sorted(signals.page_types):
        if schema_type.endswith("NewsArticle"):
            return "media"
        if schema_type == "ScholarlyArticle":
            return "researcher"
    return declared if declared in KINDS else None


def _by_domain(url: str | None) -> str | None:
    host = (urlsplit(url or "").hostname or "").rstrip(".").lower()
    labels = host.split(".")
    if len(labels) < 2:
        return None
    top, second = labels[-1], labels[-2]
    if top in ("gov", "mil") or (second in _GOVERNMENT_SECOND_LEVEL and len(top) == 2):
        below = labels[:-1] if top in ("gov", "mil") else labels[:-2]
        return "official" if _LEGISLATIVE_LABELS & set(below) else "government"
    if top == "int":  # intergovernmental organisations
        return "government"
    if top == "edu" or (second in _ACADEMIC_SECOND_LEVEL and len(top) == 2):
        return "researcher"
    return None
