"""What a fetched HTML page says about itself beyond its text: the canonical URL it
points to and the schema.org types of the page and its publisher (JSON-LD)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from factdesk.ingest.common import IngestError, decode, html_declared_charset
from factdesk.ingest.fetch import Fetched
from factdesk.ingest.html import canonical_href, json_ld_items, page_tree


@dataclass(slots=True)
class PageSignals:
    canonical: str | None = None
    page_types: set[str] = field(default_factory=set)  # e.g. NewsArticle, Report
    publisher_types: set[str] = field(default_factory=set)  # e.g. GovernmentOrganization, NGO


def page_signals(fetched: Fetched) -> PageSignals:
    """Signals of an HTML page; empty for other formats or unparseable HTML."""
    signals = PageSignals()
    if fetched.content_type not in ("", "text/html", "application/xhtml+xml"):
        return signals
    try:
        tree = page_tree(decode(fetched.body, fetched.charset or html_declared_charset(fetched.body)))
    except (IngestError, ValueError):
        return signals
    if tree is None:
        return signals
    href = canonical_href(tree)
    if href is not None:
        url = urljoin(fetched.final_url, href.strip())
        signals.canonical = url if urlsplit(url).scheme in ("http", "https") else None
    for item in json_ld_items(tree):
        publisher = item.get("publisher")
        if "publisher" in item or "headline" in item:  # an article-like item
            signals.page_types |= _types(item)
        else:  # a stand-alone Organization block describes the site's owner
            signals.publisher_types |= _types(item)
        for owner in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(owner, dict):
                signals.publisher_types |= _types(owner)
    return signals


def _types(item: dict) -> set[str]:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}
