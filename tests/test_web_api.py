"""The JSON API and the pages' safety, through a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'factdesk[web]'")
pytest.importorskip("multipart", reason="python-multipart is not installed: pip install 'factdesk[web]'")
import httpx  # noqa: E402
import uvicorn  # noqa: E402

from factdesk.cli import main as factdesk_main  # noqa: E402
from factdesk.library import Library  # noqa: E402
from factdesk.web.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
QUESTION = (EXAMPLES / "question.txt").read_text(encoding="utf-8").strip()
CLAIM = next(c for c in (EXAMPLES / "claims.txt").read_text(encoding="utf-8").splitlines() if c.strip())

# A source written to attack the pages: script and event-handler payloads in its title and
# text, next to a real figure so that the figure's span is marked around them.
SCRIPT = "<script>window.__pwned = 'script'; alert('script')</script>"
ONERROR = "<img src=x onerror=\"window.__pwned = 'onerror'; alert('onerror')\">"
HOSTILE_TEXT = (
    f"title: Harbor tally {ONERROR}\n"
    "publisher: The Test Gazette\n"
    "published: 2023-05-02\n\n"
    f"The harbor office counted 7,340 container inspections in 2022 {SCRIPT}, the port director said.\n\n"
    f"Inspectors flagged 312 containers for a second look {ONERROR} during the same year.\n"
)


@contextmanager
def running(app):
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def build_library(folder: Path) -> tuple[Path, str]:
    """The example library plus the hostile source; returns the file and that source's id."""
    db = folder / "desk.db"
    hostile = folder / "hostile.md"
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    with Library(str(db)) as lib:
        summary = lib.ingest([str(EXAMPLES / "library"), str(hostile)])
        assert summary.failed == 0, [o.message for o in summary.outcomes]
        hostile_id = next(o.source_id for o in summary.outcomes if o.origin.endswith("hostile.md"))
    return db, hostile_id


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    db, hostile_id = build_library(tmp_path_factory.mktemp("web"))
    with running(create_app(str(db), None, max_upload_bytes=200_000)) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            client.hostile_id = hostile_id
            yield client


@pytest.fixture(scope="module")
def web_of_pages():
    """A plain HTTP server on 127.0.0.1 with one text page, to be ingested by URL."""
    body = b"The clinic reported 1,284 flu vaccinations in March 2024, its director said.\n"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A desk with a token that may fetch private addresses (as `serve --allow-private`)."""
    db, _ = build_library(tmp_path_factory.mktemp("guarded"))
    with running(create_app(str(db), "s3cret-token", allow_private=True)) as base:
        yield base


# ---- the verbs ---------------------------------------------------------------------------------
def test_ask_returns_the_json_report_with_traceable_figures(desk):
    r = desk.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    report = r.json()
    assert report["question"] == QUESTION and report["mode"] == "question"
    assert report["answer"]["status"] in ("answered", "related_only", "no_evidence")
    assert report["figures"] and report["sources"]
    numbers = {s["n"]: s["id"] for s in report["sources"]}
    texts = {}
    for fig in report["figures"]:
        sid = numbers[fig["source"]]
        if sid not in texts:
            texts[sid] = desk.get(f"/api/sources/{sid}").json()["text"]
        assert texts[sid][fig["start"]:fig["end"]] == fig["surface"]
        assert texts[sid][fig["quote_start"]:fig["quote_end"]] == fig["quote"]


def test_check_returns_a_verdict(desk):
    r = desk.post("/api/check", json={"claim": CLAIM})
    assert r.status_code == 200
    report = r.json()
    assert report["mode"] == "claim"
    assert report["verdict"]["label"] in ("supported", "contradicted", "misleading", "unverifiable", "mixed")


def test_sources_list_and_one_source_with_figure_spans(desk):
    listing = desk.get("/api/sources", params={"limit": 5}).json()
    examples = sum(1 for f in (EXAMPLES / "library").iterdir() if not f.name.startswith("."))
    assert listing["total"] == examples + 1 and len(listing["sources"]) == 5
    assert "text" not in listing["sources"][0]
    one = desk.get(f"/api/sources/{listing['sources'][0]['id']}").json()
    assert one["figures"], "every example source states figures"
    for fig in one["figures"]:
        assert one["text"][fig["start"]:fig["end"]] == fig["surface"]


def test_figures_filters(desk):
    stocks = desk.get("/api/figures", params={"kind": "stock"}).json()
    assert stocks["figures"] and all(f["kind"] == "stock" for f in stocks["figures"])
    about = desk.get("/api/figures", params={"about": "homicide"}).json()
    assert about["figures"] and all("homicide" in (f["subject"] + f["quote"]).lower() for f in about["figures"])
    one = desk.get("/api/figures", params={"source": desk.hostile_id}).json()
    assert {f["source_id"] for f in one["figures"]} == {desk.hostile_id}
    assert {f["value"] for f in one["figures"]} >= {7340.0, 312.0}
    assert [s["id"] for s in one["sources"]] == [desk.hostile_id]


# ---- errors: JSON with a clear message and the right status ---------------------------------
@pytest.mark.parametrize("method,path,kwargs,status,words", [
    ("post", "/api/ask", {"json": {"question": "   "}}, 422, "question"),
    ("post", "/api/ask", {"json": {"q": "x"}}, 422, "question: Field required"),
    ("post", "/api/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "not valid JSON"),
    ("post", "/api/check", {"json": {"claim": 12}}, 422, "claim"),
    ("get", "/api/sources/ffffffffffffffff", {}, 404, "no source with id"),
    ("get", "/api/figures", {"params": {"kind": "bogus"}}, 422, "kind"),
    ("get", "/api/figures", {"params": {"source": "ffffffffffff"}}, 404, "no source"),
    ("post", "/api/sources", {"json": {"url": "ftp://example.org/x"}}, 400, "url: expected an http"),
    ("post", "/api/sources", {"json": {"url": "http://127.0.0.1/admin"}}, 400, "refused private address"),
    ("post", "/api/sources", {"files": {"file": ("empty.txt", b"")}}, 422, "upload:empty.txt: empty file"),
    ("post", "/api/sources", {"files": {"file": ("big.txt", b"x" * 1_300_000)}}, 413, "too large"),
    ("post", "/api/sources", {"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "multipart"),
    ("get", "/api/nothing-here", {}, 404, "Not Found"),
])
def test_errors_are_json_with_a_message(desk, method, path, kwargs, status, words):
    r = getattr(desk, method)(path, **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and words in body["error"]


def test_a_body_streamed_past_the_limit_is_refused(desk):
    def chunks():  # no Content-Length: the limit must hold while the body streams in
        for _ in range(40):
            yield b"y" * 50_000

    r = desk.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["error"]


# ---- adding sources -----------------------------------------------------------------------------
def test_upload_adds_a_source_once(desk):
    note = b"title: Ferry counts\n\nThe ferry line carried 48,200 riders in June 2023, the operator said.\n"
    first = desk.post("/api/sources", files={"file": ("../../ferry notes.md", note, "text/markdown")})
    assert first.status_code == 201, first.text
    outcome = first.json()["outcomes"][0]
    assert outcome["status"] == "ingested" and outcome["origin"] == "upload:ferry_notes.md"
    again = desk.post("/api/sources", files={"file": ("ferry.md", note)})
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    stored = desk.get(f"/api/sources/{outcome['source_id']}").json()
    assert stored["title"] == "Ferry counts" and any(f["value"] == 48200 for f in stored["figures"])


def test_url_ingest_with_token_and_allow_private(guarded, web_of_pages):
    auth = {"Authorization": "Bearer s3cret-token"}
    ok = httpx.post(f"{guarded}/api/sources", json={"url": f"{web_of_pages}/clinic.txt"}, headers=auth, timeout=30)
    assert ok.status_code == 201, ok.text
    assert ok.json()["outcomes"][0]["status"] == "ingested"
    with socket.socket() as s:  # a port that nothing listens on: the upstream fails
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    bad = httpx.post(f"{guarded}/api/sources", json={"url": f"http://127.0.0.1:{closed}/x"}, headers=auth, timeout=30)
    assert bad.status_code == 502 and "cannot fetch" in bad.json()["error"]


# ---- authentication and the Host check ---------------------------------------------------------
def test_token_is_needed_for_every_api_call_and_page(guarded):
    for path in ("/api/sources", "/openapi.json", "/docs"):
        r = httpx.get(guarded + path)
        assert r.status_code == 401 and "bearer token" in r.json()["error"]
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert httpx.post(f"{guarded}/api/ask", json={"question": QUESTION},
                      headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(f"{guarded}/api/sources", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    spec = httpx.get(f"{guarded}/openapi.json", headers={"Authorization": "Bearer s3cret-token"}).json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_pages_sign_in_with_a_cookie(guarded):
    html = {"Accept": "text/html"}
    with httpx.Client(base_url=guarded, headers=html) as browser:
        r = browser.get("/figures?kind=stock")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Ffigures%3Fkind%3Dstock"
        wrong = browser.post("/login", data={"token": "nope", "next": "/figures"})
        assert wrong.status_code == 401 and "wrong token" in wrong.text
        right = browser.post("/login", data={"token": "s3cret-token", "next": "//evil.example/"})
        assert right.status_code == 303 and right.headers["location"] == "/"  # no open redirect
        cookie = right.headers["set-cookie"]
        assert "s3cret-token" not in cookie and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert browser.get("/figures?kind=stock").status_code == 200
        assert browser.get("/api/sources").status_code == 200  # the page's own scripts use the API


def test_without_a_token_only_loopback_host_names_are_served(desk):
    assert desk.get("/api/sources", headers={"Host": "localhost:8000"}).status_code == 200
    r = desk.get("/api/sources", headers={"Host": "attacker.example"})
    assert r.status_code == 400 and "loopback" in r.json()["error"]


def test_serve_refuses_a_public_host_without_a_token(tmp_path, capsys):
    assert factdesk_main(["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "x.db")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("factdesk serve: refusing to serve on 0.0.0.0 without --token") and "\n" not in err


# ---- docs ---------------------------------------------------------------------------------------
def test_openapi_and_offline_docs(desk):
    spec = desk.get("/openapi.json").json()
    assert {"/api/ask", "/api/check", "/api/sources", "/api/sources/{source_id}", "/api/figures"} <= set(spec["paths"])
    assert set(spec["paths"]["/api/sources"]["post"]["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    page = desk.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)
    assert assets and all(a.startswith("/") for a in assets), assets  # nothing from a CDN
    for asset in assets:
        assert desk.get(asset).status_code == 200, asset


# ---- escaping -----------------------------------------------------------------------------------
def test_source_text_is_escaped_on_every_page(desk):
    html = {"Accept": "text/html"}
    pages = [
        desk.get(f"/sources/{desk.hostile_id}", params={"mark": "0-40"}, headers=html),
        desk.get("/figures", params={"source": desk.hostile_id}, headers=html),
        desk.get("/sources", headers=html),
        desk.get("/", params={"q": f"How many container inspections did the harbor office count? {SCRIPT}"},
                 headers=html),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.text
        assert "<script>window" not in text and "<img src=x" not in text
        assert "onerror=\"window" not in text
        assert "&lt;script&gt;" in text or "&lt;img src=x onerror=" in text
        assert "script-src 'self'" in page.headers["content-security-policy"]
    source_page = pages[0].text
    assert "&lt;script&gt;window.__pwned = &#39;script&#39;; alert(&#39;script&#39;)&lt;/script&gt;" in source_page
    assert "&lt;img src=x onerror=&#34;window.__pwned" in source_page
    assert re.search(r'<span class="fig" id="f\d+"[^>]*>7,340</span>', source_page)
    assert '<mark class="cited" id="c0">' in source_page
    desk_page = pages[3].text
    assert "&lt;script&gt;window.__pwned" in desk_page  # the question is echoed escaped


# ---- concurrency --------------------------------------------------------------------------------
def test_parallel_asks_and_uploads_on_one_library(desk):
    before = desk.get("/api/sources", params={"limit": 1}).json()["total"]

    def ask(i: int) -> int:
        body = {"question": QUESTION} if i % 2 else {"claim": CLAIM}
        return desk.post("/api/ask" if i % 2 else "/api/check", json=body).status_code

    def upload(i: int) -> int:
        note = f"title: Depot {i}\n\nDepot {i} shipped {1000 + i:,} crates in 2021, its manager said.\n"
        return desk.post("/api/sources", files={"file": (f"depot-{i}.txt", note.encode())}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        asks = [pool.submit(ask, i) for i in range(14)]
        uploads = [pool.submit(upload, i) for i in range(6)]
        statuses = [f.result() for f in asks + uploads]
    assert statuses == [200] * 14 + [201] * 6
    after = desk.get("/api/sources", params={"limit": 1}).json()
    assert after["total"] == before + 6
    assert json.dumps(after)  # the library is still readable
