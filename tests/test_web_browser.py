"""The desk in real headless Chromium: ask, read the report, hover a citation, open its source.

Drives Debian's chromium (/usr/bin/chromium, or $FACTDESK_CHROMIUM) through Playwright's
executable_path; `make test` installs it where it can. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'factdesk[web]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install 'factdesk[dev]'")

from test_web_api import HOSTILE_TEXT, QUESTION, build_library, running  # noqa: E402

from factdesk.web.app import create_app  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("FACTDESK_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no chromium found (install Debian's chromium, `make test` does it as root, "
                    "or set FACTDESK_CHROMIUM to a Chromium binary)")
    folder = tmp_path_factory.mktemp("browser")
    db, hostile_id = build_library(folder)
    ARTIFACTS.mkdir(exist_ok=True)
    with running(create_app(str(db), None)) as base, sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(folder / "profile"), executable_path=chromium, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1200, "height": 900}, base_url=base,
        )
        tab = context.new_page()
        tab.dialogs = []
        tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        tab.hostile_id = hostile_id
        try:
            yield tab
        finally:
            context.close()


def test_ask_filter_the_ledger_hover_a_citation_and_open_the_marked_source(page):
    page.goto("/")
    page.fill("textarea[name=q]", QUESTION)
    page.check("input[name=mode][value=question]")
    page.click("form.ask button[type=submit]")
    page.wait_for_selector("#report")
    assert page.inner_text("#report h1") == QUESTION
    assert page.locator("#report .status").inner_text().startswith("Answer:")
    page.screenshot(path=str(ARTIFACTS / "web-report.png"))

    rows = page.locator("table#ledger tbody tr")
    total = rows.count()
    kind = sorted(set(rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")))[0]
    page.select_option("[data-filter=kind]", kind)
    visible = page.locator("table#ledger tbody tr:visible")
    assert 0 < visible.count() <= total
    assert set(visible.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {kind}
    assert page.inner_text("[data-count]") == f"{visible.count()} of {total} figures"

    cite = page.locator("#report p.summary a.cite:has(.tip), #report li a.cite:has(.tip)").first
    tip = cite.locator(".tip")
    assert not tip.is_visible()
    cite.hover()
    tip.wait_for(state="visible")
    quote = tip.inner_text().strip()
    assert len(quote) > 20
    page.screenshot(path=str(ARTIFACTS / "web-citation-hover.png"))

    cite.click()
    page.wait_for_url("**/sources/**")
    marked = page.locator("mark.cited")
    assert marked.count() == 1 and marked.is_visible()
    assert " ".join(marked.inner_text().split()) == " ".join(quote.split())
    assert page.evaluate("location.hash") == "#" + marked.get_attribute("id")
    assert marked.locator(".fig").count() >= 1  # the figure itself is marked inside the sentence
    page.screenshot(path=str(ARTIFACTS / "web-source-marked.png"))


def test_hostile_source_text_shows_as_text_and_never_runs(page):
    page.goto("/figures?source=" + page.hostile_id)
    page.goto(f"/sources/{page.hostile_id}")
    body = page.inner_text("#text")
    assert "<script>window.__pwned = 'script'; alert('script')</script>" in body
    assert "onerror=\"window.__pwned = 'onerror'" in body
    assert page.locator("#text script, #text img, h1 img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert HOSTILE_TEXT.splitlines()[0].removeprefix("title: ") == page.inner_text("h1")


def test_upload_shows_progress_and_lists_the_new_source(page, tmp_path):
    note = tmp_path / "bridge-traffic.txt"
    note.write_text("title: Bridge traffic\n\nThe toll bridge logged 2,915,000 crossings in 2022, "
                    "the authority reported.\n", encoding="utf-8")
    page.goto("/sources")
    page.set_input_files("#file", str(note))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#intake-log li.ingested")
    assert "upload:bridge-traffic.txt" in page.inner_text("#intake-log")
    page.wait_for_selector("#source-list a:text('Bridge traffic')")
    page.screenshot(path=str(ARTIFACTS / "web-sources.png"))
