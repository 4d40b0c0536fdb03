"""Gather: searching, polite fetching, caching, de-duplication and balance, against a
stand-in web on 127.0.0.1 (a search API in SearxNG's JSON format plus the pages it finds).
Nothing here reaches the internet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from factdesk.gather import GatherError, attach, gather
from factdesk.gather.dedupe import Copy, choose_original, fingerprint, near_duplicate, normalise_url
from factdesk.gather.engines import Bing, Brave, SearxNG, engine_from_env
from factdesk.gather.kinds import classify
from factdesk.gather.page import PageSignals
from factdesk.gather.queries import build_queries
from factdesk.library import Library

QUESTION = "How many bridges in Marlow County were rated in poor condition in 2023?"


# --- the stand-in web ---------------------------------------------------------------------------


class StandInWeb:
    """A stand-in for the web on one loopback address: answers /search in SearxNG's JSON
    format, serves /robots.txt and the pages it holds, and records every request."""

    def __init__(self, host: str = "127.0.0.1"):
        self.pages: dict[str, tuple[str, bytes]] = {}  # path -> (content type, body)
        self.results: list[dict] = []
        self.robots: str | None = None  # None: 404
        self.robots_status = 200
        self.apis: dict[str, dict] = {}  # path -> JSON answer (other engines' formats)
        self.headers: list[dict[str, str]] = []
        self.search_fails_after: int | None = None  # searches answered before HTTP 500
        self.search_delay = 0.0
        self.rotate = False  # each search's results start one further along (different tops)
        self.requests: list[tuple[float, str, str]] = []  # (time, path, user agent)
        web = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                web.requests.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
                web.headers.append(dict(self.headers))
                parts = urlsplit(self.path)
                if parts.path == "/search":
                    return self._search(parse_qs(parts.query))
                if parts.path in web.apis:
                    return self._send(200, "application/json", json.dumps(web.apis[parts.path]).encode())
                if parts.path == "/robots.txt" and web.robots is not None:
                    return self._send(web.robots_status, "text/plain", web.robots.encode())
                if parts.path in web.pages:
                    return self._send(200, *web.pages[parts.path])
                self._send(404, "text/plain", b"not here")

            def _search(self, params):
                searches = sum(1 for _, p, _ in web.requests if p.startswith("/search"))
                if web.search_fails_after is not None and searches > web.search_fails_after:
                    return self._send(500, "text/plain", b"engine broke")
                time.sleep(web.search_delay)
                shift = (searches - 1) % len(web.results) if web.rotate and web.results else 0
                body = {"query": params.get("q", [""])[0], "results": web.results[shift:] + web.results[:shift]}
                self._send(200, "application/json", json.dumps(body).encode())

            def _send(self, status, content_type, body):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def page(self, path: str, html: str, *, title: str = "", date: str | None = None) -> str:
        self.pages[path] = ("text/html; charset=utf-8", html.encode())
        url = self.base + path
        self.results.append({"url": url, "title": title, "content": "", "publishedDate": date})
        return url

    def fetched(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if urlsplit(p).path == path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def web():
    server = StandInWeb("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def mirror():
    """A second stand-in host, for reposted copies."""
    server = StandInWeb("127.0.0.2")
    yield server
    server.stop()


@pytest.fixture
def lib(tmp_path):
    with Library(str(tmp_path / "lib.db")) as library:
        yield library


def run(lib, web, tmp_path, **kwargs):
    options = dict(engine=SearxNG(web.base, timeout=5), allow_private=True, cache_dir=tmp_path / "cache", delay=0)
    options.update(kwargs)
    return gather(lib, QUESTION, **options)


# --- articles, written for these tests ----------------------------------------------------------


def article(title: str, paragraphs: list[str], *, publisher: str = "", publisher_type: str = "Organization",
            published: str | None = None, canonical: str | None = None) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "publisher": {"@type": publisher_type, "name": publisher}}
    if published:
        ld["datePublished"] = published
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>{title}</title>{link}"
            f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
            f"<body><nav>Home | Local | Weather</nav><article><h1>{title}</h1>{body}</article>"
            "<footer>Contact us</footer></body></html>")


BRIDGES = [
    "Marlow County engineers inspected 412 road bridges during 2023 and rated 57 of them in poor "
    "condition, up from 49 the year before.",
    "The county's transport office said the rise reflects a backlog of deck repairs that were "
    "postponed while steel prices were high, not a change in how inspectors score a structure.",
    "Repairing every bridge rated poor would cost about $38 million, according to the office's "
    "capital plan, which sets aside $9 million for the work in the coming fiscal year.",
    "Drivers should expect lane closures on the river crossings from April, when the first "
    "contracts are due to start, the office added in its annual summary.",
]
BUDGET = [
    "A taxpayers' group in Marlow County argues that the bridge figures overstate the problem, "
    "because many of the structures rated poor carry fewer than 200 vehicles a day.",
    "The group wants the county to close 12 little-used crossings instead of repairing them, a "
    "step it says would save roughly $14 million over ten years.",
    "County engineers answered that closing crossings would lengthen school bus routes and "
    "emergency response times in the northern townships by as much as 15 minutes.",
]


# --- searching, fetching and storing ------------------------------------------------------------


def test_stand_in_results_are_ingested_with_their_urls_and_dates(lib, web, tmp_path):
    first = web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES, publisher="Marlow Daily News",
                                             publisher_type="NewsMediaOrganization", published="2024-02-14"))
    # no date on the page itself: the search result's date is used
    second = web.page("/views/bridges", article("Close, don't fix", BUDGET, publisher="Marlow Taxpayers Alliance"),
                      date="2024-03-02T00:00:00")
    result = run(lib, web, tmp_path)

    assert [t.url for t in result.taken] == [first, second]
    assert [t.published for t in result.taken] == ["2024-02-14", "2024-03-02"]
    assert [t.kind for t in result.taken] == ["media", "advocacy"]
    assert all(t.status == "ingested" for t in result.taken)
    stored = {s.url: s for s in lib.sources()}
    assert set(stored) == {first, second}
    assert stored[first].published == "2024-02-14" and stored[first].retrieved.endswith("Z")
    assert stored[first].outlet_kind == "media"
    assert any(f.value == 57 for f in lib.figures(source=stored[first].id))
    # every query was searched, and every request named factdesk
    assert len(result.queries) == len(build_queries(QUESTION)) and all(q.results == 2 for q in result.queries)
    assert all("factdesk" in agent for _, _, agent in web.requests)
    lines = "\n".join(result.lines())
    assert "taken 2 origins" in lines and first in lines
    assert "warning: The gathered sources include no agency or government, official" in lines


def test_stand_in_pages_are_refused_without_allow_private(lib, web, tmp_path):
    url = web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    result = run(lib, web, tmp_path, allow_private=False)
    assert result.taken == []
    assert [(s.url, s.reason) for s in result.skipped] == [(url, "refused private address 127.0.0.1")]
    assert web.fetched("/news/bridges") == 0 and lib.sources() == []


def test_empty_results_take_nothing_and_say_so(lib, web, tmp_path):
    result = run(lib, web, tmp_path)
    assert result.taken == [] and result.skipped == []
    assert result.warnings == [
        "No sources were gathered: the searches found nothing that could be fetched and read."
    ]
    assert lib.sources() == []


def test_failing_stand_in_engine_stops_before_anything_is_fetched_or_stored(lib, web, tmp_path):
    web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    web.search_fails_after = 2  # the third search breaks
    with pytest.raises(GatherError, match=r"search failed for .*: searxng answered HTTP 500 .*nothing was fetched"):
        run(lib, web, tmp_path)
    assert web.fetched("/news/bridges") == 0
    assert lib.sources() == []
    assert not (tmp_path / "cache").exists()  # no half-cached searches either


def test_stand_in_engine_timeout_is_one_clear_error(lib, web, tmp_path):
    web.search_delay = 1.0
    with pytest.raises(GatherError, match=r"searxng did not answer within 0.2 s"):
        run(lib, web, tmp_path, engine=SearxNG(web.base, timeout=0.2))
    assert lib.sources() == []


def test_duplicate_urls_are_fetched_once(lib, web, tmp_path):
    url = web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    variant = url.replace("http://127.0.0.1", "HTTP://127.0.0.1") + "/?utm_source=feed&fbclid=abc"
    web.results.append({"url": variant, "title": "same"})
    web.results.append({"url": url, "title": "again"})
    result = run(lib, web, tmp_path)
    assert [t.url for t in result.taken] == [url]
    assert [(s.url, s.reason) for s in result.skipped] == [(variant, f"same page as {url}")]
    assert web.fetched("/news/bridges") == 1


def test_reposted_article_on_another_host_counts_as_one_origin(lib, web, mirror, tmp_path):
    original = web.base + "/news/bridges"
    web.pages["/news/bridges"] = ("text/html", article(
        "Poor bridges rise to 57", BRIDGES, publisher="Marlow Daily News", published="2024-02-14").encode())
    # The repost: found first, later date, an added credit line, pointing at the original.
    reposted = mirror.page("/syndicated/bridges-57", article(
        "Poor bridges rise to 57", ["This story first ran in the Marlow Daily News."] + BRIDGES,
        publisher="Valley Wire", published="2024-02-15", canonical=original))
    mirror.results.append({"url": original, "title": "original"})
    mirror.results.append({"url": web.page("/views/bridges", article("Close, don't fix", BUDGET)), "title": "view"})
    result = run(lib, mirror, tmp_path)

    assert [t.url for t in result.taken] == [original, web.base + "/views/bridges"]
    assert result.taken[0].copies == [reposted]
    assert ("the same article as " + original) in next(s.reason for s in result.skipped if s.url == reposted)
    assert {s.url for s in lib.sources()} == {original, web.base + "/views/bridges"}
    report = attach(lib.ask(QUESTION), result)
    assert any(reposted in p.text and "counted as one source" in p.text for p in report.limitations)
    assert report.extra["gather"]["taken"][0]["copies"] == [reposted]


def test_robots_txt_disallow_is_respected(lib, web, tmp_path):
    web.robots = "User-agent: *\nDisallow: /private/\n"
    allowed = web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    hidden = web.page("/private/bridges", article("Close, don't fix", BUDGET))
    result = run(lib, web, tmp_path)
    assert [t.url for t in result.taken] == [allowed]
    assert [(s.url, s.reason) for s in result.skipped] == [(hidden, "disallowed by robots.txt")]
    assert web.fetched("/private/bridges") == 0 and web.fetched("/robots.txt") == 1


def test_robots_txt_rules_for_factdesk_by_name(lib, web, tmp_path):
    web.robots = "User-agent: factdesk\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    url = web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    result = run(lib, web, tmp_path)
    assert result.taken == [] and [(s.url, s.reason) for s in result.skipped] == [(url, "disallowed by robots.txt")]


def test_robots_txt_server_error_means_disallowed(lib, web, tmp_path):
    web.robots, web.robots_status = "down", 503
    web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    result = run(lib, web, tmp_path)
    assert result.taken == [] and "robots.txt unavailable (HTTP 503" in result.skipped[0].reason
    assert web.fetched("/news/bridges") == 0


def test_max_results_counts_origins_and_leaves_the_rest_unfetched(lib, web, tmp_path):
    web.page("/a", article("Poor bridges rise to 57", BRIDGES))
    web.page("/b", article("Close, don't fix", BUDGET))
    web.rotate = True  # the first search's top result is /a, the second's /b
    result = run(lib, web, tmp_path, max_results=1)
    assert len(result.taken) == 1 and result.not_tried == 1 and web.fetched("/b") == 0
    assert "not fetched: 1 further results" in "\n".join(result.lines())


def test_requests_to_one_host_are_spaced_by_the_delay(lib, web, tmp_path):
    web.page("/a", article("Poor bridges rise to 57", BRIDGES))
    web.page("/b", article("Close, don't fix", BUDGET))
    result = run(lib, web, tmp_path, delay=0.3)
    assert len(result.taken) == 2
    times = [t for t, path, _ in web.requests if not path.startswith("/search")]  # robots.txt, /a, /b
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= 0.29, gaps


def test_offline_rebuilds_the_same_sources_from_the_cache_with_the_stand_in_stopped(web, tmp_path):
    web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES, published="2024-02-14"))
    web.page("/views/bridges", article("Close, don't fix", BUDGET), date="2024-03-02")
    with Library(str(tmp_path / "online.db")) as online:
        first = run(online, web, tmp_path)
        online_sources = {(s.id, s.url, s.published, s.retrieved) for s in online.sources()}
    web.stop()
    with Library(str(tmp_path / "offline.db")) as offline:
        again = run(offline, web, tmp_path, offline=True, engine=None)
        assert {(s.id, s.url, s.published, s.retrieved) for s in offline.sources()} == online_sources
    assert [t.source_id for t in again.taken] == [t.source_id for t in first.taken]
    assert again.engine == "searxng" and again.offline
    with Library(str(tmp_path / "empty.db")) as other:
        with pytest.raises(GatherError, match="offline: nothing cached for this question"):
            gather(other, "What was the fare for a city bus ride in 2020?", offline=True, cache_dir=tmp_path / "cache")


def test_cache_sits_beside_the_library_by_default(lib, web, tmp_path, monkeypatch):
    monkeypatch.delenv("FACTDESK_CACHE", raising=False)
    web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES))
    result = gather(lib, QUESTION, engine=SearxNG(web.base), allow_private=True, delay=0)
    assert result.cache_dir == str(tmp_path / "lib.db.cache")
    assert list((tmp_path / "lib.db.cache" / "pages").glob("*.body"))


# --- the parts ---------------------------------------------------------------------------------


def test_queries_cover_topic_period_statistics_agencies_and_both_sides():
    queries = {q.aim: q.text for q in build_queries(QUESTION)}
    assert queries["topic"] == "bridges marlow county rated poor condition"
    assert queries["period"] == "bridges marlow county rated poor condition 2023"
    assert queries["statistics"] == "bridges marlow county rated poor condition statistics data 2023"
    assert queries["agency"].endswith("site:.gov")
    assert queries["asked"] == QUESTION
    assert queries["checked"].endswith("fact check")
    claim = {q.aim: q.text for q in build_queries("Overdose deaths in the state fell 10% in fiscal 2023.", "claim")}
    assert claim["period"].endswith("fiscal 2023") and "10" not in claim["topic"]


def test_url_normalisation():
    assert normalise_url("HTTPS://Example.ORG:443/a/b/?utm_medium=x&id=3&fbclid=z#top") == "https://example.org/a/b?id=3"
    assert normalise_url("http://example.org") == "http://example.org/"
    assert normalise_url("http://example.org/a?b=2&a=1") == normalise_url("http://example.org/a/?a=1&b=2")
    assert normalise_url("http://example.org/a") != normalise_url("http://example.org/b")


def test_near_duplicates_and_the_original():
    original = fingerprint(" ".join(BRIDGES))
    edited = fingerprint("Reposted with permission. " + " ".join(BRIDGES).replace("57", "fifty-seven", 1))
    assert near_duplicate(original, edited)
    assert not near_duplicate(original, fingerprint(" ".join(BUDGET)))
    assert not near_duplicate(original, fingerprint(" ".join(BRIDGES[:2])))  # half an article is not a copy
    earliest = [Copy("https://b.example/x", None, "2024-02-15", 0), Copy("https://a.example/y", None, "2024-02-14", 1)]
    assert choose_original(earliest)[0].url == "https://a.example/y"
    pointed = [Copy("https://b.example/x", "https://c.example/z", None, 0),
               Copy("https://c.example/z", None, "2024-02-20", 1)]
    assert choose_original(pointed)[0].url == "https://c.example/z"
    elsewhere = [Copy("https://b.example/x", "https://d.example/o", None, 0),
                 Copy("https://c.example/z", "https://d.example/o", None, 1)]
    assert choose_original(elsewhere) == (elsewhere[0], "https://d.example/o")


def test_outlet_kinds_by_general_rules():
    none = PageSignals()
    assert classify("https://www.transport.gov/report", None, none) == "government"
    assert classify("https://www.ons.gov.uk/data", None, none) == "government"
    assert classify("https://www.senate.gov/press", None, none) == "official"
    assert classify("https://stats.example.edu/paper", None, none) == "researcher"
    assert classify("https://x.example.org/a", "Bureau of Road Statistics", none) == "government"
    assert classify("https://x.example.org/a", "Office of Senator Jane Doe", none) == "official"
    assert classify("https://x.example.org/a", "Institute for Transport Studies", none) == "researcher"
    assert classify("https://x.example.com/a", "Riverside Evening Herald", none) == "media"
    assert classify("https://x.example.org/a", "Families for Safe Roads Coalition", none) == "advocacy"
    assert classify("https://x.example.org/a", None, PageSignals(publisher_types={"NGO"})) == "advocacy"
    assert classify("https://x.example.com/a", None, PageSignals(page_types={"NewsArticle"})) == "media"
    assert classify("https://x.example.com/a", "Acme", none) is None


def test_brave_and_bing_answers_are_read_with_their_keys(web):
    web.apis["/brave"] = {"web": {"results": [
        {"url": "https://a.example/x", "title": "A", "description": "a", "page_age": "2024-05-02T08:00:00"},
        {"title": "no url"}]}}
    web.apis["/bing"] = {"webPages": {"value": [
        {"url": "https://b.example/y", "name": "B", "snippet": "b", "datePublished": "2024-06-01"}]}}
    brave = Brave("brave-key", url=web.base + "/brave").search("bridges", 5)
    bing = Bing("bing-key", url=web.base + "/bing").search("bridges", 5)
    assert [(r.url, r.title, r.published) for r in brave] == [("https://a.example/x", "A", "2024-05-02")]
    assert [(r.url, r.title, r.published) for r in bing] == [("https://b.example/y", "B", "2024-06-01")]
    assert web.headers[0]["X-Subscription-Token"] == "brave-key"
    assert web.headers[1]["Ocp-Apim-Subscription-Key"] == "bing-key"


def test_engine_configuration_errors_are_one_line(monkeypatch):
    for name in ("FACTDESK_SEARXNG_URL", "FACTDESK_BRAVE_API_KEY", "FACTDESK_BING_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(Exception, match="no search engine configured"):
        engine_from_env()
    with pytest.raises(Exception, match="brave needs FACTDESK_BRAVE_API_KEY"):
        engine_from_env("brave")
    monkeypatch.setenv("FACTDESK_BING_API_KEY", "k")
    assert engine_from_env().name == "bing"
    monkeypatch.setenv("FACTDESK_SEARXNG_URL", "http://127.0.0.1:9")
    assert engine_from_env().name == "searxng"  # SearxNG is the default when configured


# --- the command line --------------------------------------------------------------------------


def factdesk(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "factdesk.cli", *args], capture_output=True, text=True,
                          env=dict(os.environ, **env), timeout=60)


def test_cli_gather_and_ask_with_gather(web, tmp_path):
    url = web.page("/news/bridges", article("Poor bridges rise to 57", BRIDGES, published="2024-02-14"))
    env = {"FACTDESK_SEARXNG_URL": web.base, "FACTDESK_CACHE": str(tmp_path / "cache")}
    db = str(tmp_path / "cli.db")
    proc = factdesk("gather", QUESTION, "--db", db, "--allow-private", "--delay", "0", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "taken 1 origin:" in proc.stdout and url in proc.stdout
    proc = factdesk("ask", QUESTION, "--db", db, "--gather", "--offline", "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["gather"]["offline"] and report["gather"]["taken"][0]["url"] == url
    assert report["gather"]["taken"][0]["status"] == "duplicate"  # already stored by `gather`
    assert any("include no" in p["text"] for p in report["limitations"])
    assert "searched the cache" in proc.stderr


def test_cli_gather_without_an_engine_is_one_line(tmp_path, monkeypatch, capsys):
    from factdesk.cli import main

    monkeypatch.delenv("FACTDESK_BRAVE_API_KEY", raising=False)
    assert main(["gather", QUESTION, "--db", str(tmp_path / "x.db"), "--engine", "brave"]) == 1
    assert capsys.readouterr().err == "factdesk gather: brave needs FACTDESK_BRAVE_API_KEY\n"
