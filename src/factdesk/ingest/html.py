"""HTML pages: main text through trafilatura, metadata from JSON-LD and meta tags.

trafilatura finds the article body well but keeps only the day of publication and often
only the first author, so the page's own JSON-LD (schema.org ``NewsArticle``/``Article``)
and meta tags are read first and trafilatura's metadata fills what they leave empty.
"""

from __future__ import annotations

import json
import re
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

from factdesk.ingest.common import IngestError, normalise_date, split_authors
from factdesk.model import Source

_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report)$")


def parse(html: str, base_url: str | None = None) -> Source:
    """One page to a Source (origin, retrieved and url policy are the caller's)."""
    doc = trafilatura.bare_extraction(
        html, url=base_url, include_comments=False, with_metadata=True
    )
    body = _render_body(doc.body) if doc is not None and doc.body is not None else ""
    if not body.strip():
        raise IngestError("no article text found in the HTML")
    page = _page_metadata(html, base_url)
    return Source(
        text=body,
        url=page.get("url") or (doc.url if _is_web_url(doc.url) else None),
        title=page.get("title") or doc.title or None,
        publisher=page.get("publisher") or doc.sitename or None,
        authors=page.get("authors") or split_authors(doc.author or None),
        published=page.get("published") or (normalise_date(doc.date) if doc.date else None),
    )


# --- the article text ---------------------------------------------------------------------


def _render_body(body: etree._Element) -> str:
    """trafilatura's XML body as plain text: blocks apart by a blank line, line breaks kept."""
    blocks: list[str] = []
    for element in body:
        blocks.extend(_blocks(element))
    return "\n\n".join(b for b in blocks if b)


def _blocks(element: etree._Element) -> list[str]:
    if element.tag == "list":
        items = [_inline(item) for item in element.iter("item")]
        return ["\n".join(f"- {item}" for item in items if item)]
    if element.tag == "table":
        rows = []
        for row in element.iter("row"):
            cells = [_inline(cell) for cell in row if cell.tag == "cell"]
            rows.append(" | ".join(c for c in cells if c))
        return ["\n".join(r for r in rows if r)]
    if element.tag in ("quote", "div") and any(child.tag in ("p", "list", "head") for child in element):
        return [block for child in element for block in _blocks(child)]
    return [_inline(element)]


def _inline(element: etree._Element) -> str:
    """An element's text with <lb/> as a newline and runs of other whitespace as one space."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _inline(child))
        parts.append(child.tail or "")
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --- metadata -----------------------------------------------------------------------------


def page_tree(html: str):
    """The page parsed for reading its metadata (an lxml element), or None when it cannot be."""
    try:
        return lxml.html.fromstring(html.encode("utf-8"))
    except (etree.ParserError, ValueError):
        return None


def canonical_href(tree) -> str | None:
    """The href of the page's first <link rel="canonical">, as written (not resolved)."""
    hrefs = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    return hrefs[0] if hrefs else None


def json_ld_items(tree) -> Iterator[dict]:
    """Every object of the page's JSON-LD scripts in page order, the items of an
    ``@graph`` after the object holding it; a script that is not JSON is skipped."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        yield from _walk_json_ld(data)


def _page_metadata(html: str, base_url: str | None) -> dict:
    """title, authors, publisher, published and canonical url from JSON-LD, then meta tags."""
    tree = page_tree(html)
    if tree is None:
        return {}
    found: dict = {}
    article = _json_ld_article(tree)
    if article:
        found["title"] = _text(article.get("headline"))
        found["authors"] = _names(article.get("author"))
        found["publisher"] = (_names(article.get("publisher")) or [None])[0]
        found["published"] = _date(article.get("datePublished"))
        found["url"] = _web_url(_text(article.get("url")), base_url)
    meta = _meta_tags(tree)
    # a relative canonical link in a saved page can still be resolved against og:url
    base_url = base_url or _web_url(meta.get("og:url"), None)
    fallbacks = {
        "title": meta.get("og:title"),
        "authors": [a for a in split_authors(meta.get("author")) if not _is_web_url(a)],
        "publisher": meta.get("og:site_name"),
        "published": _date(meta.get("article:published_time") or meta.get("date")),
        # the canonical link outranks og:url and JSON-LD: it is what the page says it is
        "url": _web_url(canonical_href(tree), base_url)
        or _web_url(meta.get("og:url"), base_url),
    }
    if fallbacks["url"]:
        found["url"] = fallbacks.pop("url")
    for key, value in fallbacks.items():
        if value and not found.get(key):
            found[key] = value
    return {key: value for key, value in found.items() if value}


def _json_ld_article(tree) -> dict | None:
    for item in json_ld_items(tree):
        types = item.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and _ARTICLE_TYPE.search(t) for t in types):
            return item
    return None


def _walk_json_ld(data):
    if isinstance(data, list):
        for item in data:
            yield from _walk_json_ld(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk_json_ld(data["@graph"])


def _meta_tags(tree) -> dict[str, str]:
    """The first value of each <meta property|name=...> tag, keys lowercased."""
    tags: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        value = meta.get("content", "").strip()
        if key and value:
            tags.setdefault(key, value)
    return tags


def _names(value) -> list[str]:
    """Names from JSON-LD people or organisations: a string, an object or a list of either."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):  # some sites nest a list of names in one Person
            names.extend(split_authors([n for n in name if isinstance(n, str)]))
        elif isinstance(name, str) and name.strip() and not _is_web_url(name):
            names.extend(split_authors(name))
    return list(dict.fromkeys(names))


def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date(value) -> str | None:
    return normalise_date(value) if isinstance(value, str) else None


def _is_web_url(value: str | None) -> bool:
    return bool(value) and urlsplit(value).scheme in ("http", "https")


def _web_url(value: str | None, base_url: str | None) -> str | None:
    if not value:
        return None
    url = urljoin(base_url, value.strip()) if base_url else value.strip()
    return url if _is_web_url(url) else None
