"""One page, one origin: URLs that name the same page, and texts that are the same article.

URLs are compared after normalising what does not change the page (scheme and host case,
default ports, fragments, tracking parameters, a trailing slash). Texts are compared by
their word 5-shingles: a syndicated or reposted copy shares almost all of them with the
original (Jaccard >= 0.8), or holds nearly all of it with some added material (containment
>= 0.9 while the shorter text is at least 0.7 of the longer). An excerpt, or an article that
quotes a short release whole and adds its own reporting, is a different page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from factdesk.terms import words

SHINGLE = 5
JACCARD = 0.8
CONTAINMENT = 0.9
MIN_SHINGLES = 20  # texts shorter than this are compared by Jaccard only
MIN_SIZE_RATIO = 0.7  # containment counts only between texts of comparable length

# Parameters that say how a reader arrived, not which page they read.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_NAMES = {
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "twclid", "ttclid", "ocid", "cmpid",
    "ref", "ref_src", "ref_url", "referrer", "_ga", "_gl", "smid", "sr_share",
}


def normalise_url(url: str) -> str:
    """The form two URLs of one page share."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if ":" in host:
        netloc = f"[{host}]" + netloc[len(host):]
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    path = parts.path.rstrip("/") or "/"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower() in _TRACKING_NAMES or k.lower().startswith(_TRACKING_PREFIXES))
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def fingerprint(text: str) -> frozenset[int]:
    """The set of hashed word 5-shingles of ``text`` (whole text as one when shorter)."""
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return frozenset({hash(" ".join(tokens))}) if tokens else frozenset()
    return frozenset(hash(" ".join(tokens[i : i + SHINGLE])) for i in range(len(tokens) - SHINGLE + 1))


def near_duplicate(a: frozenset[int], b: frozenset[int]) -> bool:
    """Whether two fingerprints are the same article (reposted, syndicated, lightly edited)."""
    if not a or not b:
        return False
    shared = len(a & b)
    if shared / len(a | b) >= JACCARD:
        return True
    smaller, larger = sorted((len(a), len(b)))
    return smaller >= MIN_SHINGLES and smaller / larger >= MIN_SIZE_RATIO and shared / smaller >= CONTAINMENT


@dataclass(slots=True)
class Copy:
    """A page in a group of copies of one article, with what decides which is the original."""

    url: str  # normalised
    canonical: str | None  # normalised canonical URL the page declares
    published: str | None
    found: int  # order in which it was found


def choose_original(group: list[Copy]) -> tuple[Copy | None, str | None]:
    """The original of a group of copies and, when the copies all declare a canonical URL
    that is not in the group, that URL (the original was not fetched but is known).

    The page the others' canonical links point to wins; then the earliest published; then
    the first found."""
    urls = {c.url for c in group}
    pointed = [c.canonical for c in group if c.canonical and c.canonical != c.url]
    in_group = [u for u in pointed if u in urls]
    if in_group:
        target = max(set(in_group), key=in_group.count)
        return next(c for c in group if c.url == target), None
    if pointed and len(set(pointed)) == 1 and len(pointed) == len(group):
        outside = pointed[0]
    else:
        outside = None
    ordered = sorted(group, key=lambda c: (c.published is None, c.published or "", c.found))
    return ordered[0], outside
