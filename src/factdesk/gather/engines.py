"""Web search APIs: SearxNG (self-hostable, no key), Brave Search and Bing Web Search.

Configuration comes from the environment: FACTDESK_SEARXNG_URL (the base URL of a SearxNG
instance with JSON output enabled), FACTDESK_BRAVE_API_KEY, FACTDESK_BING_API_KEY. The
search API is the user's own choice of service, so it is called directly (a SearxNG on the
local network is normal); the pages it returns go through the safe fetcher.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import httpx

from factdesk.ingest.common import normalise_date
from factdesk.ingest.fetch import USER_AGENT

ENGINES = ("searxng", "brave", "bing")
BRAVE_URL = "https://api.search.brave.com/res/v1/web/search"
BING_URL = "https://api.bing.microsoft.com/v7.0/search"


class SearchError(Exception):
    """A search that failed; the message is one line."""


@dataclass(slots=True)
class SearchResult:
    url: str
    title: str = ""
    snippet: str = ""
    published: str | None = None  # ISO date when the engine gives one


class Engine(Protocol):
    name: str

    def search(self, query: str, count: int) -> list[SearchResult]: ...


class _JsonApi:
    """One GET that must answer JSON; every failure becomes a one-line SearchError."""

    name = ""

    def __init__(self, timeout: float = 15.0):
        self.timeout = timeout

    def _get(self, url: str, params: dict, headers: dict | None = None) -> dict:
        try:
            with httpx.Client(timeout=self.timeout, trust_env=False, verify=_tls()) as client:
                response = client.get(url, params=params, headers={"User-Agent": USER_AGENT, **(headers or {})})
        except httpx.TimeoutException:
            raise SearchError(f"{self.name} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise SearchError(f"cannot reach {self.name} at {url}: {' '.join(str(error).split())[:120]}") from None
        if response.status_code != 200:
            raise SearchError(f"{self.name} answered HTTP {response.status_code} {response.reason_phrase}".strip()
                              + self._hint(response.status_code))
        try:
            data = response.json()
        except ValueError:
            raise SearchError(f"{self.name} answered with something other than JSON") from None
        if not isinstance(data, dict):
            raise SearchError(f"{self.name} answered JSON of an unexpected shape")
        return data

    def _hint(self, status: int) -> str:
        return " (check the API key)" if status in (401, 403) else ""


class SearxNG(_JsonApi):
    name = "searxng"

    def __init__(self, base_url: str, timeout: float = 15.0):
        super().__init__(timeout)
        self.base_url = base_url.rstrip("/")

    def search(self, query: str, count: int) -> list[SearchResult]:
        data = self._get(f"{self.base_url}/search", {"q": query, "format": "json"})
        return [
            SearchResult(r["url"], r.get("title") or "", r.get("content") or "", _date(r.get("publishedDate")))
            for r in _items(data.get("results"))
        ][:count]

    def _hint(self, status: int) -> str:
        # SearxNG refuses format=json unless settings.yml lists it under search.formats.
        return " (enable the json format under search.formats in its settings.yml)" if status == 403 else ""


class Brave(_JsonApi):
    name = "brave"

    def __init__(self, api_key: str, timeout: float = 15.0, url: str = BRAVE_URL):
        super().__init__(timeout)
        self.api_key, self.url = api_key, url

    def search(self, query: str, count: int) -> list[SearchResult]:
        data = self._get(self.url, {"q": query, "count": min(count, 20)},
                         {"X-Subscription-Token": self.api_key, "Accept": "application/json"})
        web = data.get("web") if isinstance(data.get("web"), dict) else {}
        return [
            SearchResult(r["url"], r.get("title") or "", r.get("description") or "", _date(r.get("page_age")))
            for r in _items(web.get("results"))
        ][:count]


class Bing(_JsonApi):
    name = "bing"

    def __init__(self, api_key: str, timeout: float = 15.0, url: str = BING_URL):
        super().__init__(timeout)
        self.api_key, self.url = api_key, url

    def search(self, query: str, count: int) -> list[SearchResult]:
        data = self._get(self.url, {"q": query, "count": min(count, 50), "responseFilter": "Webpages"},
                         {"Ocp-Apim-Subscription-Key": self.api_key})
        pages = data.get("webPages") if isinstance(data.get("webPages"), dict) else {}
        return [
            SearchResult(r["url"], r.get("name") or "", r.get("snippet") or "", _date(r.get("datePublished")))
            for r in _items(pages.get("value"))
        ][:count]


def engine_from_env(name: str | None = None, *, timeout: float = 15.0) -> Engine:
    """The engine named, or the first configured one (SearxNG, then Brave, then Bing)."""
    if name is not None and name not in ENGINES:
        raise SearchError(f"unknown search engine {name!r} (choose from {', '.join(ENGINES)})")
    searxng = os.environ.get("FACTDESK_SEARXNG_URL", "").strip()
    brave = os.environ.get("FACTDESK_BRAVE_API_KEY", "").strip()
    bing = os.environ.get("FACTDESK_BING_API_KEY", "").strip()
    if name == "searxng" or (name is None and searxng):
        if not searxng:
            raise SearchError("searxng needs FACTDESK_SEARXNG_URL (the base URL of a SearxNG instance)")
        return SearxNG(searxng, timeout)
    if name == "brave" or (name is None and brave):
        if not brave:
            raise SearchError("brave needs FACTDESK_BRAVE_API_KEY")
        return Brave(brave, timeout)
    if name == "bing" or (name is None and bing):
        if not bing:
            raise SearchError("bing needs FACTDESK_BING_API_KEY")
        return Bing(bing, timeout)
    raise SearchError(
        "no search engine configured: set FACTDESK_SEARXNG_URL, FACTDESK_BRAVE_API_KEY or FACTDESK_BING_API_KEY"
    )


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every search: loading the CA bundle costs tens of milliseconds."""
    return httpx.create_ssl_context()


def _items(value) -> list[dict]:
    """Result objects that carry an http(s) URL; anything else in the list is ignored."""
    if not isinstance(value, list):
        return []
    return [
        r for r in value
        if isinstance(r, dict) and isinstance(r.get("url"), str)
        and r["url"].lower().startswith(("http://", "https://"))
    ]


def _date(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    date = normalise_date(value)
    return date[:10] if date else None
