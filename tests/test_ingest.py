"""Ingest: every format on small fixtures, every failure kind, and URL fetching against a
real HTTP server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from factdesk.ingest import Loaded, expand_targets, read
from factdesk.ingest import fetch as fetch_module
from factdesk.ingest.common import human_size, normalise_date, outlet_kind_for, too_large
from factdesk.ingest.fetch import FetchError, fetch

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def only(target, **kwargs) -> Loaded:
    results = list(read(str(target), **kwargs))
    assert len(results) == 1, results
    return results[0]


def loaded_source(target, **kwargs):
    result = only(target, **kwargs)
    assert result.error is None, result.error
    return result.source


# --- HTML ---------------------------------------------------------------------------------


def test_html_news_page_metadata_from_json_ld_and_meta_tags():
    source = loaded_source(FIXTURES / "news.html")
    assert source.title == "Harbor docking fees to rise 12% next year"
    assert source.authors == ["Mara Lind", "Tomas Oyelaran"]
    assert source.publisher == "Coastline Courier"
    assert source.published == "2024-03-05T14:20"  # the time of day survives
    # relative canonical link resolved against og:url, and it outranks og:url's tracking query
    assert source.url == "https://coastline.example.com/news/harbor-fees"
    assert source.origin == str(FIXTURES / "news.html")
    assert source.retrieved and source.retrieved.endswith("Z")


def test_html_text_keeps_paragraphs_and_drops_page_furniture():
    text = loaded_source(FIXTURES / "news.html").text
    assert "about 340 vessels using the harbor in 2023" in text
    assert "third increase since 2021. According" in text
    assert "\n\nThe authority's annual report" in text  # paragraph break kept
    assert "in 2019.\nOwners of small" in text  # <br> kept as a line break
    for furniture in ("Reader99", "outrageous", "All rights reserved", "Sports"):
        assert furniture not in text


def test_html_meta_charset_is_used_when_not_utf8(tmp_path):
    page = (
        '<html><head><meta charset="iso-8859-7"><title>Athens</title></head><body><article>'
        "<p>" + "Η τιμή αυξήθηκε κατά 5% το 2023 σύμφωνα με την υπηρεσία. " * 6 + "</p>"
        "</article></body></html>"
    )
    path = tmp_path / "greek.html"
    path.write_bytes(page.encode("iso-8859-7"))
    assert "Η τιμή αυξήθηκε κατά 5%" in loaded_source(path).text


def test_html_without_article_text_fails_clearly(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>x</title></head><body><nav>Home</nav></body></html>")
    assert only(path).error == "no article text found in the HTML"


# --- PDF ----------------------------------------------------------------------------------


def make_pdf(pages: list[list[tuple[int, int, str]]], info: dict[str, str] | None = None) -> bytes:
    """A minimal, valid PDF: each page is a list of (x, y, text) lines in Helvetica 11."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    contents = []
    for lines in pages:
        stream = b"".join(
            b"BT /F1 11 Tf %d %d Td (%s) Tj ET\n" % (x, y, words.encode("latin-1")) for x, y, words in lines
        )
        contents.append(add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)))
    pages_id = len(objects) + len(pages) + 1
    kids = [
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)
        )
        for content in contents
    ]
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    entries = b" ".join(b"/%s (%s)" % (k.encode(), v.encode("latin-1")) for k, v in (info or {}).items())
    info_id = add(b"<< " + entries + b" >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, info_id, xref
    )
    return bytes(out)


LEFT = [(72, 700 - 14 * i, f"West column line {i} on reservoir levels") for i in range(5)]
RIGHT = [(330, 700 - 14 * i, f"East column line {i} on river flow") for i in range(5)]
PAGE_TWO = [(72, 700, "Page two starts with 61 percent"), (72, 686, "of capacity in October.")]


def test_pdf_two_columns_read_in_order_with_page_offsets(tmp_path):
    path = tmp_path / "report.pdf"
    # the right column is drawn first: only layout analysis can restore the reading order
    info = {"Title": "Reservoir Bulletin", "Author": "Hydrology Unit"}
    path.write_bytes(make_pdf([RIGHT + LEFT, PAGE_TWO], info))
    source = loaded_source(path)
    text = source.text
    assert text.index("West column line 4") < text.index("East column line 0")
    assert text.index("West column line 0") < text.index("West column line 1")
    assert source.title == "Reservoir Bulletin"
    assert source.authors == ["Hydrology Unit"]
    assert len(source.pages) == 2 and source.pages[0] == 0
    assert text[source.pages[1] :].startswith("Page two starts with 61 percent of capacity")
    assert source.page_of(text.index("61 percent")) == 2
    assert source.page_of(text.index("East column line 3")) == 1


def test_pdf_title_falls_back_to_first_line(tmp_path):
    path = tmp_path / "untitled.pdf"
    path.write_bytes(make_pdf([[(72, 720, "Annual Water Summary"), (72, 600, "Use fell by 4% in 2023.")]]))
    assert loaded_source(path).title == "Annual Water Summary"


@pytest.mark.parametrize(
    "content, error",
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog broken", "corrupt PDF"),
        (make_pdf([LEFT])[:400], "corrupt PDF"),
        (b"This is a plain text file wearing a .pdf name.\n", "not a PDF (no %PDF header)"),
        (
            make_pdf([LEFT]).replace(
                b"trailer\n<< ",
                b"trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <"
                + b"11" * 32 + b"> /P -4 >> /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] ",
            ),
            "encrypted PDF (needs a password)",
        ),
    ],
    ids=["garbage", "truncated", "not-pdf", "encrypted"],
)
def test_bad_pdfs_fail_with_a_clear_reason(tmp_path, content, error):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    result = only(path)
    assert result.source is None
    assert result.error.startswith(error)
    assert "\n" not in result.error


# --- text and Markdown ----------------------------------------------------------------------


def test_text_front_matter():
    source = loaded_source(FIXTURES / "budget-note.txt")
    assert source.url == "https://finance.example.gov/notes/water-budget-2025"
    assert source.title == "Water utility budget for 2025"
    assert source.publisher == "Riverton Finance Office"
    assert source.published == "2024-11-14"
    assert source.authors == ["Priya Natarajan", "Leo Brandt"]
    assert source.outlet_kind == "government"  # from the .gov domain
    assert source.text.startswith("Riverton's water utility plans to spend $48.2 million")
    assert "---" not in source.text and "tags:" not in source.text


def test_text_header_lines():
    source = loaded_source(FIXTURES / "headers.txt")
    assert source.title == "Clinic wait times in the northern district"
    assert source.publisher == "Valley Health Review"
    assert source.published == "2024-03-03"
    assert source.authors == ["Ines Carvalho"]
    assert source.text.startswith("The median wait for a first appointment")


def test_text_whose_first_line_only_looks_like_a_header_stays_body(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Note: the agency counted 52 sites.\nIt revised that to 55 later.\n")
    source = loaded_source(path)
    assert source.text == "Note: the agency counted 52 sites.\nIt revised that to 55 later."


def test_text_bad_date_in_metadata_names_the_field(tmp_path):
    path = tmp_path / "bad-date.txt"
    path.write_text("---\ntitle: x\npublished: sometime soon\n---\nBody text.\n")
    assert only(path).error == "metadata field 'published' is not a date: 'sometime soon'"


def test_markdown_is_stored_as_the_text_a_reader_sees():
    source = loaded_source(FIXTURES / "transit.md")
    assert source.title == "Ridership on the Eastline tram"
    text = source.text
    assert "tram carried 2.4 million riders in 2023,\naccording to the operator's yearly summary." in text
    assert text.count("Eastline tram") == 2  # the heading and the former link text
    assert "- Weekday boardings averaged 7,800.\n- Weekend boardings averaged 4,100." in text
    for markup in ("](", "**", "# ", "[summary]", "tram.jpg", "transit.example.org"):
        assert markup not in text


def test_windows_1252_text_decodes_when_not_utf8(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\u00e9 prices rose 5% \u2013 the owners said.\r\nSecond line.".encode("cp1252"))
    assert loaded_source(path).text == "Caf\u00e9 prices rose 5% \u2013 the owners said.\nSecond line."


def test_utf8_bom_is_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfTitle: With a BOM\n\nThe body mentions 12 cases.")
    source = loaded_source(path)
    assert (source.title, source.text) == ("With a BOM", "The body mentions 12 cases.")


# --- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_loads_good_lines_and_names_bad_ones():
    path = FIXTURES / "sources.jsonl"
    results = list(read(str(path)))
    assert [r.origin for r in results] == [f"{path}:{n}" for n in (1, 2, 3, 4)]
    first, missing, broken, last = results
    assert first.source.title == "Payrolls rose in May"
    assert first.source.text == "Employers added 140,000 jobs in May.\n\nThe unemployment rate held at 4.1%."
    assert first.source.outlet_kind == "government"
    assert first.source.origin == f"{path}:1"
    assert missing.source is None and missing.error == "missing field 'text'"
    assert broken.source is None and broken.error.startswith("invalid JSON at column 1")
    assert last.source.published == "2024-09-06T08:30"
    assert last.source.authors == [] and last.source.outlet_kind is None


@pytest.mark.parametrize(
    "line, error",
    [
        ('{"text": 5}', "field 'text' must be a string"),
        ('{"text": "  "}', "field 'text' is empty"),
        ('{"text": "x", "published": "the other day"}', "field 'published' is not a date: 'the other day'"),
        ('{"text": "x", "outlet_kind": "blog"}', "field 'outlet_kind' must be one of"),
        ('{"text": "x", "authors": [1, 2]}', "field 'authors' must be a string or a list of strings"),
        ('["text"]', "not a JSON object"),
    ],
)
def test_jsonl_field_errors(tmp_path, line, error):
    path = tmp_path / "one.jsonl"
    path.write_text(line + "\n")
    result = only(path)
    assert result.origin == f"{path}:1"
    assert result.error.startswith(error)


def shared_dir() -> Path | None:
    candidates = [Path(__file__).resolve().parents[2] / "shared"]
    if os.environ.get("FACTDESK_SHARED"):
        candidates.insert(0, Path(os.environ["FACTDESK_SHARED"]))
    return next((c for c in candidates if (c / "corpus").is_dir()), None)


def test_labelled_corpus_loads_without_errors():
    shared = shared_dir()
    if shared is None:
        pytest.skip("the shared corpus is not available (set FACTDESK_SHARED)")
    files = expand_targets([str(shared / "corpus" / "dev")])
    results = [r for f in files if f.endswith("sources.jsonl") for r in read(f)]
    assert results and all(r.error is None for r in results)
    assert all(r.source.published and len(r.source.published) == 10 for r in results)


# --- failures and targets -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("controls.txt", bytes(range(1, 9)) * 40, "binary file"),
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n\t \n", "empty file"),
        ("only-metadata.txt", b"---\ntitle: Nothing here\n---\n\n", "empty file (metadata but no text)"),
        ("undecodable.txt", b"Prices \x81\x8d\x9d rose", "cannot decode text"),
        ("empty.jsonl", b"\n\n", "empty file"),
    ],
)
def test_bad_files_fail_with_one_line_reasons(tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    result = only(path)
    assert result.source is None and result.origin == str(path)
    assert result.error.startswith(error)


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Forty-two tonnes were shipped. " * 40)
    assert only(path, max_bytes=1_000).error == "file too large (1.2 kB > 1.0 kB)"
    assert only(path).error is None


def test_sizes_read_well_and_stay_distinct():
    assert human_size(12_000_000) == "12 MB" and human_size(150) == "150 bytes"
    assert str(too_large(12_000_000, 10_000_000)) == "file too large (12 MB > 10 MB)"
    assert str(too_large(10_000_001, 10_000_000)) == "file too large (10,000,001 bytes > 10,000,000 bytes)"


def test_missing_path_and_directory_fail_in_read(tmp_path):
    assert only(tmp_path / "nope.txt").error == "no such file or directory"
    assert only(tmp_path).error.startswith("is a directory")


def test_unsupported_url_scheme(tmp_path):
    assert only("ftp://example.org/file.txt").error.startswith("unsupported URL scheme 'ftp'")


def test_expand_targets_walks_directories_sorted_and_keeps_the_rest(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for relative in ("b/z.md", "b/a.TXT", "a.html", "notes.docx", ".hidden/x.txt", "c.jsonl", "d.pdf"):
        (tmp_path / relative).write_text("x")
    targets = expand_targets([str(tmp_path), "missing.txt", "https://example.org/a"])
    names = [str(Path(t).relative_to(tmp_path)) for t in targets[:-2]]
    assert names == ["a.html", "b/a.TXT", "b/z.md", "c.jsonl", "d.pdf"]
    assert targets[-2:] == ["missing.txt", "https://example.org/a"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-09-28", "2024-09-28"),
        ("2024-09-28T09:30:00-04:00", "2024-09-28T09:30"),
        ("2024-09-28T00:00:00Z", "2024-09-28"),
        ("Sept. 28, 2024, 9:30 AM EDT", "2024-09-28T09:30"),
        ("28 September 2024", "2024-09-28"),
        ("July 2024", "2024-07"),
        ("2024", "2024"),
        ("3 in 4", None),
        ("next Tuesday-ish", None),
    ],
)
def test_normalise_date(value, expected):
    assert normalise_date(value) == expected


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://www.ice.gov/news", "government"),
        ("https://www.army.mil/x", "government"),
        ("https://www.ons.gov.uk/employment", "government"),
        ("https://cis.org/report", None),
        ("https://governing.com/x", None),
        (None, None),
    ],
)
def test_outlet_kind_only_from_unambiguous_suffixes(url, kind):
    assert outlet_kind_for(url) == kind


# --- fetching -------------------------------------------------------------------------------

PAGE = (FIXTURES / "news.html").read_bytes()


class Handler(BaseHTTPRequestHandler):
    seen_user_agents: list[str] = []
    seen_hosts: list[str] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def send(self, status: int, content_type: str, body: bytes, *, length: bool = True, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.seen_user_agents.append(self.headers.get("User-Agent", ""))
        Handler.seen_hosts.append(self.headers.get("Host", ""))
        routes = {
            "/news": lambda: self.send(200, "text/html; charset=utf-8", PAGE),
            "/note.txt": lambda: self.send(200, "text/plain", b"Title: Plain note\n\nA count of 17 bridges."),
            "/moved": lambda: self.send(302, "text/html", b"", headers=[("Location", "/news")]),
            "/to-private": lambda: self.send(
                302, "text/html", b"", headers=[("Location", "http://[::ffff:10.0.0.1]/x")]
            ),
            "/loop": lambda: self.send(302, "text/html", b"", headers=[("Location", "/loop")]),
            "/big": lambda: self.send(200, "text/plain", b"9 " * 50_000),
            "/big-unannounced": lambda: self.send(200, "text/plain", b"9 " * 50_000, length=False),
            "/image": lambda: self.send(200, "image/png", b"\x89PNG\r\n"),
            "/missing": lambda: self.send(404, "text/html", b"gone"),
            "/slow": self.slow,
        }
        routes.get(self.path, routes["/missing"])()

    def slow(self):
        time.sleep(1.5)
        try:
            self.send(200, "text/plain", b"too late")
        except OSError:
            pass  # the client has given up


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_private_address_refused_without_allow_private(server):
    result = only(f"{server}/news")
    assert result.source is None
    assert result.error == "refused private address 127.0.0.1"


def test_fetched_page_becomes_a_source(server):
    Handler.seen_user_agents.clear()
    source = loaded_source(f"{server}/moved", allow_private=True)
    assert source.origin == f"{server}/moved"
    assert source.url == f"{server}/news"  # the final URL after the redirect
    assert source.authors == ["Mara Lind", "Tomas Oyelaran"]
    assert source.published == "2024-03-05T14:20"
    assert "about 340 vessels" in source.text
    assert source.retrieved.endswith("Z")
    assert Handler.seen_user_agents and all(ua.startswith("factdesk/") for ua in Handler.seen_user_agents)


def test_fetched_plain_text(server):
    source = loaded_source(f"{server}/note.txt", allow_private=True)
    assert (source.title, source.text) == ("Plain note", "A count of 17 bridges.")


def test_connection_goes_to_the_checked_address_with_the_host_name(server, monkeypatch):
    port = int(server.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo

    answers = iter(["127.0.0.1"])

    def fake_dns(host, *args, **kwargs):
        # Rebinding: the first answer is the server, any later one an address where nothing
        # listens, so the fetch only succeeds if it connects to the address it checked.
        if host == "news.example":
            host = next(answers, "127.0.0.2")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    Handler.seen_hosts.clear()
    fetched = fetch(f"http://news.example:{port}/news", allow_private=True)
    assert fetched.status == 200 and fetched.content_type == "text/html" and fetched.charset == "utf-8"
    assert fetched.final_url == f"http://news.example:{port}/news"
    assert Handler.seen_hosts == [f"news.example:{port}"]
    answers = iter(["127.0.0.1"])
    with pytest.raises(FetchError, match="refused private address 127.0.0.1"):
        fetch(f"http://news.example:{port}/news")


def test_redirect_to_a_private_address_is_refused(server, monkeypatch):
    # Let the test server's loopback address pass as public so the second hop is what is checked.
    real_check = fetch_module._is_private
    monkeypatch.setattr(fetch_module, "_is_private", lambda a: str(a) != "127.0.0.1" and real_check(a))
    with pytest.raises(FetchError, match=r"^refused private address 10\.0\.0\.1$"):
        fetch(f"{server}/to-private")
    assert fetch(f"{server}/news").status == 200


def test_redirect_loop_stops(server):
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        fetch(f"{server}/loop", allow_private=True)


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_size_cap(server, path):
    result = only(f"{server}{path}", allow_private=True, max_bytes=20_000)
    assert result.error.startswith("response too large")
    assert loaded_source(f"{server}{path}", allow_private=True).text.startswith("9 9 9")


def test_wrong_content_type(server):
    assert only(f"{server}/image", allow_private=True).error == "unsupported content type image/png"


def test_http_error_status(server):
    assert only(f"{server}/missing", allow_private=True).error == "HTTP 404 Not Found"


def test_timeout(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 0.3 s"):
        fetch(f"{server}/slow", allow_private=True, timeout=0.3)
    assert time.monotonic() - started < 1.2


def test_unreachable_url():
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = only(f"http://127.0.0.1:{port}/", allow_private=True)
    assert result.source is None
    assert result.error.startswith("cannot fetch 127.0.0.1:")
