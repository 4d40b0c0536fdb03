"""What a fetched HTML page says about itself beyond its text: the canonical URL it
points to and the schema.org types of the page and its publisher (JSON-LD)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from factdesk.ingest.common import IngestError, decode, html_declared_charset
from factdesk.ingest.fetch import Fetched


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
        html = decode(fetched.body, fetched.charset or html_declared_charset(fetched.body))
        tree = lxml.html.fromstring(html.encode("utf-8"))
    except (IngestError, etree.ParserError, ValueError):
        return signals
    canonical = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    if canonical:
        url = urljoin(fetched.final_url, canonical[0].strip())
        signals.canonical = url if urlsplit(url).scheme in ("http", "https") else None
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        for item in _items(data):
            publisher = item.get("publisher")
            if "publisher" in item or "headline" in item:  # an article-like item
                signals.page_types |= _types(item)
            else:  # a stand-alone Organization block describes the site's owner
                signals.publisher_types |= _types(item)
            for owner in publisher if isinstance(publisher, list) else [publisher]:
                if isinstance(owner, dict):
                    signals.publisher_types |= _types(owner)
    return signals


def _items(data):
    if isinstance(data, list):
        for item in data:
            yield from _items(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _items(data["@graph"])


def _types(item: dict) -> set[str]:
    value = item.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}
