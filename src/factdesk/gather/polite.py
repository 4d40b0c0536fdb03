"""Fetching as a polite crawler: robots.txt obeyed, one request per host at a time spaced
out, and every request through the safe fetcher (private addresses refused, timeouts,
size caps, a User-Agent naming factdesk)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from factdesk.ingest.common import IngestError, decode
from factdesk.ingest.fetch import FetchError, Fetched, fetch

ROBOT_NAME = "factdesk"  # the product token robots.txt rules are matched against
MAX_CRAWL_DELAY = 10.0  # a site's Crawl-delay is honoured up to this many seconds
_HTTP_STATUS = re.compile(r"^HTTP (\d{3})\b")


class Disallowed(FetchError):
    """robots.txt forbids the URL (or cannot be read, which RFC 9309 treats alike)."""


class PoliteFetcher:
    def __init__(
        self,
        *,
        allow_private: bool = False,
        delay: float = 1.0,
        timeout: float = 15.0,
        max_bytes: int = 20_000_000,
    ):
        self.allow_private = allow_private
        self.delay = delay
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._last_request: dict[str, float] = {}  # host -> monotonic time of its last request
        self._robots: dict[str, RobotFileParser | None] = {}  # origin -> rules (None: allow all)

    def fetch(self, url: str) -> Fetched:
        """GET ``url`` if robots.txt allows it; raises FetchError (Disallowed for robots)."""
        rules = self._rules_for(url)
        if rules is not None and not rules.can_fetch(ROBOT_NAME, url):
            raise Disallowed("disallowed by robots.txt")
        return self._get(url, self._spacing(rules), self.max_bytes)

    def _spacing(self, rules: RobotFileParser | None) -> float:
        crawl_delay = rules.crawl_delay(ROBOT_NAME) if rules is not None else None
        return max(self.delay, min(float(crawl_delay or 0), MAX_CRAWL_DELAY))

    def _get(self, url: str, spacing: float, max_bytes: int) -> Fetched:
        host = (urlsplit(url).hostname or "").lower()
        wait = self._last_request.get(host, float("-inf")) + spacing - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            return fetch(url, allow_private=self.allow_private, timeout=self.timeout, max_bytes=max_bytes)
        finally:
            self._last_request[host] = time.monotonic()

    def _rules_for(self, url: str) -> RobotFileParser | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return self._robots[origin]

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        """The rules of ``origin``; None when it has no robots.txt (RFC 9309: a 4xx allows all)."""
        try:
            fetched = self._get(origin + "/robots.txt", self.delay, 500_000)
        except FetchError as error:
            message = str(error)
            status = _HTTP_STATUS.match(message)
            if status and int(status.group(1)) >= 500:
                raise Disallowed(f"robots.txt unavailable ({message}), so the site is treated as disallowed") from None
            if status or message.startswith("unsupported content type"):
                return None  # no robots.txt here
            raise  # the host itself cannot be fetched (refused address, timeout): the page's reason
        rules = RobotFileParser()
        try:
            rules.parse(decode(fetched.body).splitlines())
        except IngestError:  # empty or undecodable: no rules
            return None
        return rules
