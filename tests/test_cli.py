"""The commands a user types, run as a real process on a real SQLite library."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def factdesk(*args: str, db: Path | None = None, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "factdesk.cli", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, input=stdin, env=full_env, timeout=120)


@pytest.fixture(scope="module")
def example_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("lib") / "examples.db"
    proc = factdesk("ingest", str(EXAMPLES / "library"), db=db)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith("ingested 10 sources (0 duplicates, 0 failed)")
    return db


def test_sources_lists_every_example(example_db):
    out = json.loads(factdesk("sources", "--format", "json", db=example_db).stdout)
    assert len(out["sources"]) == 10
    assert all(s["url"].startswith("https://") and s["published"] for s in out["sources"])
    table = factdesk("sources", db=example_db).stdout
    assert "10 sources" in table


def test_reingest_is_a_duplicate_and_changes_nothing(example_db, tmp_path):
    before = sqlite3.connect(example_db).execute("select count(*) from figures").fetchone()
    proc = factdesk("ingest", str(EXAMPLES / "library"), db=example_db)
    assert proc.returncode == 0
    assert "ingested 0 sources (10 duplicates, 0 failed)" in proc.stdout
    assert sqlite3.connect(example_db).execute("select count(*) from figures").fetchone() == before


def test_bad_inputs_fail_one_line_each_and_keep_the_library(example_db, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    good = tmp_path / "good.txt"
    good.write_text("title: A made-up note\n\nThe county counted 4,210 new permits in 2023, the clerk said.\n")
    db = tmp_path / "copy.db"
    db.write_bytes(example_db.read_bytes())
    proc = factdesk("ingest", str(tmp_path / "empty.txt"), str(tmp_path / "broken.pdf"),
                    str(tmp_path / "binary.txt"), str(good), str(tmp_path / "missing.html"), db=db)
    assert proc.returncode == 1
    failures = [line for line in proc.stderr.splitlines() if line.startswith("failed:")]
    assert len(failures) == 4, proc.stderr
    for name in ("empty.txt", "broken.pdf", "binary.txt", "missing.html"):
        assert any(name in line for line in failures)
    assert "Traceback" not in proc.stderr
    assert "ingested 1 source (0 duplicates, 4 failed)" in proc.stdout
    out = json.loads(factdesk("sources", "--format", "json", db=db).stdout)
    assert len(out["sources"]) == 11


def test_show_prints_sentences_with_offsets(example_db):
    sources = json.loads(factdesk("sources", "--format", "json", db=example_db).stdout)["sources"]
    sid = sources[0]["id"]
    shown = json.loads(factdesk("show", sid[:8], "--format", "json", db=example_db).stdout)
    assert shown["sentences"]
    for s in shown["sentences"]:
        assert shown["text"][s["start"]:s["end"]] == s["text"]
    text = factdesk("show", sid, db=example_db).stdout
    assert f"id: {sid}" in text and "[0]" in text
    missing = factdesk("show", "ffffffffffff", db=example_db)
    assert missing.returncode == 1 and "no source" in missing.stderr and "Traceback" not in missing.stderr


def test_figures_are_grounded_in_their_source(example_db):
    payload = json.loads(factdesk("figures", "--format", "json", db=example_db).stdout)
    texts = {}
    for s in payload["sources"]:
        texts[s["n"]] = json.loads(factdesk("show", s["id"], "--format", "json", db=example_db).stdout)["text"]
    assert len(payload["figures"]) > 50
    for f in payload["figures"]:
        text = texts[f["source"]]
        assert text[f["start"]:f["end"]] == f["surface"]
        assert text[f["quote_start"]:f["quote_end"]] == f["quote"]
        assert f["kind"] in {"stock", "flow", "share", "rate", "change", "other"}
    values = {f["value"] for f in payload["figures"]}
    assert {425431, 435719, 13099}.issubset(values)


def test_figures_filters_and_csv(example_db):
    stocks = json.loads(factdesk("figures", "--kind", "stock", "--format", "json", db=example_db).stdout)
    assert stocks["figures"] and all(f["kind"] == "stock" for f in stocks["figures"])
    about = json.loads(factdesk("figures", "--about", "homicide", "--format", "json", db=example_db).stdout)
    assert about["figures"] and any(f["value"] == 13099 for f in about["figures"])
    csv_out = factdesk("figures", "--format", "csv", db=example_db).stdout.splitlines()
    assert csv_out[0].startswith("id,value,") and len(csv_out) > 10


def test_extract_reads_text_without_storing(tmp_path):
    text = "The agency said 1,204 permits were issued in fiscal year 2022, up 8% from the year before."
    proc = factdesk("extract", "-", "--published", "2023-02-01", "--format", "json", stdin=text,
                    env={"FACTDESK_DB": str(tmp_path / "never.db")})
    assert proc.returncode == 0, proc.stderr
    figs = json.loads(proc.stdout)["figures"]
    assert {f["value"] for f in figs} >= {1204, 8}
    for f in figs:
        assert text[f["start"]:f["end"]] == f["surface"]
    assert not (tmp_path / "never.db").exists()


def test_ask_gives_a_cited_report_in_every_format(example_db, tmp_path):
    question = (EXAMPLES / "question.txt").read_text().strip()
    report = json.loads(factdesk("ask", question, "--format", "json", db=example_db).stdout)
    assert report["mode"] == "question"
    assert report["answer"]["status"] in {"answered", "related_only", "no_evidence"}
    numbers = {s["n"] for s in report["sources"]}
    for para in report["summary"] + [p for s in report["sections"] for p in s["paragraphs"]]:
        assert set(para["cites"]) <= numbers
    assert report["engine"]["version"] and report["engine"]["source_hashes"]
    again = json.loads(factdesk("ask", question, "--format", "json", db=example_db).stdout)
    assert again == report  # deterministic
    md = factdesk("ask", question, db=example_db).stdout
    assert md.startswith("# ") and "## Executive summary" in md and "## Sources" in md
    out = tmp_path / "report.html"
    proc = factdesk("ask", question, "--format", "html", "-o", str(out), db=example_db)
    assert proc.returncode == 0 and out.read_text().startswith("<!doctype html>")


def test_check_gives_a_verdict_and_claimreview(example_db):
    claim = (EXAMPLES / "claims.txt").read_text().splitlines()[0]
    report = json.loads(factdesk("check", claim, "--format", "json", db=example_db).stdout)
    assert report["mode"] == "claim"
    assert report["verdict"]["label"] in {"supported", "contradicted", "misleading", "unverifiable", "mixed"}
    review = json.loads(factdesk("check", claim, "--format", "claimreview", db=example_db).stdout)
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == claim


def test_db_location_from_environment(tmp_path):
    target = tmp_path / "env.db"
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: Env test\n---\n\nThe town planted 320 trees last spring.\n")
    proc = factdesk("ingest", str(note), env={"FACTDESK_DB": str(target)})
    assert proc.returncode == 0, proc.stderr
    assert target.exists()


def test_not_a_library_is_refused_in_one_line(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("this is not a database")
    proc = factdesk("sources", db=bogus)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "bogus.db" in proc.stderr
