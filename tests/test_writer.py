"""The language-model writer: the verifier on hand-written answers, and the whole writer
against an OpenAI-compatible stand-in server started on 127.0.0.1 (no hosted calls)."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from factdesk.cli import main
from factdesk.library import Library
from factdesk.report.render import as_dict
from factdesk.writer import ChatClient, LLMConfig, WriterError, write_report
from factdesk.writer.prompt import build_package, evidence_json
from factdesk.writer.verify import VERDICT_LABELS, AnswerError, Proposal, parse_answer, verify

pytest.importorskip("openai")

# A small library in our own words: one county's overdose deaths, as three outlets report them.
SOURCES = {
    "health-dept.txt": """Title: Overdose deaths in Harbor County, 2023 annual summary
Publisher: Harbor County Health Department
Published: 2024-03-04

The Harbor County Health Department counted 412 residents who died of drug overdoses in 2023, up from 356 in 2022. \
Fentanyl was involved in 78% of those deaths, the department said. The county spent $7,500,000 on treatment and \
naloxone programs during 2023.
""",
    "gazette.txt": """Title: Medical examiner reports record overdose toll
Publisher: Harbor Gazette
Published: 2024-02-10

Overdose deaths in Harbor County reached 415 in 2023, according to preliminary figures from the county medical \
examiner. "We are losing young people faster than we can open treatment beds," said Dr. Maria Lopez, the county's \
chief medical examiner. The office reviewed 1,130 deaths of all causes that required an autopsy last year.
""",
    "alliance.txt": """Title: Treatment waits grow as deaths climb
Publisher: Harbor Recovery Alliance
Published: 2024-04-18

The Harbor Recovery Alliance, an advocacy group, said nearly 12% of residents who sought treatment in 2023 waited \
more than a month for a bed. "The county's budget for treatment has not kept up with the need," said Ana Ruiz, \
the alliance's director.
""",
}
CLAIM = "Overdose deaths in Harbor County rose to more than 400 in 2023."
QUESTION = "How many people died of drug overdoses in Harbor County in 2023?"
SHARE_QUESTION = "What share of people seeking treatment waited more than a month for a bed?"


@pytest.fixture(scope="module")
def library_path(tmp_path_factory):
    root = tmp_path_factory.mktemp("writer")
    for name, text in SOURCES.items():
        (root / name).write_text(text, encoding="utf-8")
    db = root / "library.db"
    with Library(str(db)) as lib:
        assert lib.ingest([str(root)]).failed == 0
    return str(db)


@pytest.fixture(scope="module")
def claim_report(library_path):
    with Library(library_path) as lib:
        return lib.check(CLAIM)


@pytest.fixture(scope="module")
def question_report(library_path):
    with Library(library_path) as lib:
        return lib.ask(QUESTION)


def fid(package, surface: str) -> str:
    """The short id the package gives the figure written ``surface``."""
    return next(key for key, f in package.figures.items() if f.surface == surface)


def draft_answer(package) -> list[dict]:
    """What a model that copies the draft, citing what the draft cites, would answer."""
    return [{"slot": d["slot"], "text": d["text"], "figures": d["figures"], "statements": d["statements"],
             "sources": d["sources"]} for d in evidence_json(package)["draft"]]


def cited_slot(package) -> str:
    """The first draft slot that cites a figure (any will do: a sentence may cite other figures)."""
    return next(key for key, s in package.slots.items() if s.draft.figure_ids)


# ---- the verifier on hand-written answers ----------------------------------------------------
def test_the_deterministic_draft_passes_its_own_verifier(claim_report, question_report):
    for report in (claim_report, question_report):
        package = build_package(report)
        for item in draft_answer(package):
            p = parse_answer(json.dumps({"sentences": [item]}))[0]
            assert verify(p, package) == [], item["text"]


def test_a_number_written_differently_but_equal_passes(claim_report, library_path):
    package = build_package(claim_report)
    slot = cited_slot(package)
    money = fid(package, "$7,500,000")
    good = Proposal(slot, "Harbor County put $7.5 million into treatment and naloxone programs in 2023.",
                    figures=[money])
    assert verify(good, package) == []
    with Library(library_path) as lib:
        share = build_package(lib.ask(SHARE_QUESTION))
    pct = fid(share, "nearly 12%")
    slot = next(iter(share.slots))
    assert verify(Proposal(slot, "About 12 percent of residents who sought treatment in 2023 waited more than "
                                 "a month for a bed, an advocacy group said.", figures=[pct]), share) == []


def test_an_invented_number_fails(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    bad = Proposal(slot, "Overdose deaths in Harbor County reached 418 in 2023.", figures=[fid(package, "415")])
    assert verify(bad, package) == ["“418” is not in any cited figure, statement or quote"]
    rounded = Proposal(slot, "Harbor County spent about $8 million on treatment in 2023.",
                       figures=[fid(package, "$7,500,000")])
    assert any("$8 million" in p for p in verify(rounded, package))


def test_a_wrong_citation_fails(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    unknown = Proposal(slot, "Overdose deaths reached 415 in 2023.", figures=["F99"])
    assert "cites figure F99, which was not given" in verify(unknown, package)
    # A real figure id, but not the figure the number comes from.
    elsewhere = Proposal(slot, "Overdose deaths reached 415 in 2023.", figures=[fid(package, "$7,500,000")])
    assert verify(elsewhere, package) == ["“415” is not in any cited figure, statement or quote"]
    ghost = Proposal(slot, "A spokesman said the count was final.", statements=["S7"])
    assert "cites statement S7, which was not given" in verify(ghost, package)


def test_an_uncited_factual_sentence_fails(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    with_number = Proposal(slot, "Overdose deaths in Harbor County reached 415 in 2023.")
    assert verify(with_number, package) == ["states a figure or a claim but cites nothing"]
    with_claim_word = Proposal(slot, "The medical examiner reported that deaths rose sharply.")
    assert verify(with_claim_word, package) == ["states a figure or a claim but cites nothing"]


def test_an_uncited_engine_sentence_may_be_reworded_but_not_extended(claim_report):
    package = build_package(claim_report)
    # The engine's own sentences about the library cite nothing ("This report rests only on the 2 sources ...").
    slot, draft = next((k, s.draft.text) for k, s in package.slots.items()
                       if not s.draft.cites and re.search(r"\d", s.draft.text))
    reworded = Proposal(slot, "In short: " + draft[0].lower() + draft[1:])
    assert verify(reworded, package) == []
    extended = Proposal(slot, draft + " Officials said 987 more exist.")
    assert verify(extended, package) == [
        "makes a claim (“say…”) that the draft sentence does not, and cites nothing",
        "“987” is not in the draft sentence it rewrites, and nothing is cited"]


def test_a_source_that_was_not_given_fails(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    listed = Proposal(slot, "Overdose deaths reached 415 in 2023.", figures=[fid(package, "415")], sources=[9])
    assert verify(listed, package) == ["cites source 9, which was not given"]
    marker = parse_answer(json.dumps({"sentences": [
        {"slot": slot, "text": "Overdose deaths reached 415 in 2023 [1][7].", "figures": [fid(package, "415")]}]}))[0]
    assert marker.text == "Overdose deaths reached 415 in 2023."
    assert verify(marker, package) == ["cites source 7, which was not given"]


def test_a_misquotation_and_a_changed_verdict_fail(claim_report, question_report):
    package = build_package(question_report)
    statement = next(k for k, s in package.statements.items() if "treatment beds" in s.text)
    slot = cited_slot(package)
    faithful = Proposal(slot, "The chief medical examiner warned: “We are losing young people faster than we "
                              "can open treatment beds.”", statements=[statement])
    assert verify(faithful, package) == []
    misquoted = Proposal(slot, "The chief medical examiner warned: “We are losing a whole generation to "
                               "overdoses.”", statements=[statement])
    assert verify(misquoted, package) == [
        "the quotation “We are losing a whole generation to overdoses.” is not in a cited statement or quote"]
    claim = build_package(claim_report)
    other = next(label for label in VERDICT_LABELS if label != claim_report.verdict)
    changed = Proposal(cited_slot(claim), f"The claim is {other}.", figures=["F1"])
    assert verify(changed, claim) == [f"calls the claim “{other}”, but the verdict is “{claim_report.verdict}”"]


def test_answers_that_are_not_the_json_asked_for():
    fenced = '```json\n{"sentences": [{"slot": "summary.0", "text": "Fine.", "sources": ["1"]}]}\n```'
    assert parse_answer(fenced)[0].sources == [1]
    for content, message in (("I cannot help with that.", "no JSON object"),
                             ('{"sentences": [', "no JSON object"),
                             ('{"text": "x"}', 'no "sentences" list')):
        with pytest.raises(AnswerError, match=message):
            parse_answer(content)
    odd = parse_answer('{"sentences": [{"slot": "summary.0", "text": "", "figures": "F1"}]}')[0]
    assert odd.malformed == ['"text" is missing or empty', '"figures" must be a list of ids']


# ---- the writer against an OpenAI-compatible stand-in server -----------------------------------
@dataclass
class StandIn:
    """POST /v1/chat/completions answered by scripted replies, one per request, in order.

    A reply is a function of the request's evidence package (the JSON in the user message)
    returning (HTTP status, answer content or error body, seconds to wait first)."""

    replies: list
    requests: list = field(default_factory=list)
    headers: list = field(default_factory=list)

    def __enter__(self) -> "StandIn":
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append(body)
                stand_in.headers.append({k.lower(): v for k, v in self.headers.items()})
                user = body["messages"][-1]["content"]
                evidence = json.loads(user.split("\n", 1)[1].split("\n\n")[0])
                status, content, delay = stand_in.replies.pop(0)(evidence, user)
                time.sleep(delay)
                if status == 200:
                    payload = {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}]}
                else:
                    payload = {"error": {"message": content, "type": "server_error"}}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def client(self, timeout: float = 5.0) -> ChatClient:
        return ChatClient(LLMConfig("stand-in-model", self.base_url, "test-key", timeout))


def answer(sentences: list[dict]) -> str:
    return "Here is the report:\n```json\n" + json.dumps({"sentences": sentences}) + "\n```"


def copy_draft(evidence, user):
    return 200, answer([{k: d[k] for k in ("slot", "text", "figures", "statements", "sources")}
                        for d in evidence["draft"]]), 0


def with_invented_number(slot: str):
    """The draft, except one sentence for ``slot`` that states a number no source gives."""
    def reply(evidence, user):
        sentences = json.loads(copy_draft(evidence, user)[1].split("```json\n")[1].split("\n```")[0])["sentences"]
        for s in sentences:
            if s["slot"] == slot:
                s["text"] = "Overdose deaths in Harbor County reached 418 in 2023."
        return 200, answer(sentences), 0
    return reply


def prose(report) -> list[tuple[str, list[int]]]:
    paragraphs = report.summary + report.verdict_explanation + report.limitations
    paragraphs += [p for s in report.sections for p in s.paragraphs]
    return [(p.text, p.cites) for p in paragraphs]


def test_success_standin_server(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    money = fid(package, "$7,500,000")

    def fluent(evidence, user):
        status, content, _ = copy_draft(evidence, user)
        sentences = json.loads(content.split("```json\n")[1].split("\n```")[0])["sentences"]
        for s in sentences:
            if s["slot"] == slot:
                s.update(text="In 2023 the county put $7.5 million into treatment and naloxone.", figures=[money],
                         statements=[], sources=[])
        return 200, answer(sentences), 0

    with StandIn([fluent]) as server:
        out = write_report(claim_report, client=server.client())
    assert server.requests[0]["model"] == "stand-in-model"
    assert server.headers[0]["authorization"] == "Bearer test-key"
    record = out.extra["writer"]
    assert record["requests"] == 1 and record["model"] == "stand-in-model"
    assert record["counts"] == {"verified": len(package.slots), "rewritten": 0, "replaced": 0}
    rewritten = [p for p in out.limitations + out.summary + [q for s in out.sections for q in s.paragraphs]
                 if p.text.startswith("In 2023 the county put $7.5 million")]
    source = claim_report.source_number(package.figures[money].source_id)
    assert [(p.cites, p.figure_ids) for p in rewritten] == [([source], [package.figures[money].id])]
    assert as_dict(out)["writer"]["counts"]["verified"] == len(package.slots)
    assert "writer" not in claim_report.extra  # the deterministic report is not changed


def test_one_bad_sentence_then_a_good_retry_standin_server(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    fixed = "Preliminary medical examiner figures put 2023 overdose deaths in Harbor County at 415."

    def retry(evidence, user):
        assert f"- {slot}: “418” is not in any cited figure, statement or quote" in user
        return 200, answer([{"slot": slot, "text": fixed, "figures": [fid(package, "415")], "sources": []}]), 0

    with StandIn([with_invented_number(slot), retry]) as server:
        out = write_report(claim_report, client=server.client())
    record = out.extra["writer"]
    assert record["requests"] == 2
    assert record["counts"] == {"verified": len(package.slots) - 1, "rewritten": 1, "replaced": 0}
    entry = next(e for e in record["sentences"] if e["slot"] == slot)
    assert entry["status"] == "rewritten" and entry["text"] == fixed
    assert fixed in [text for text, _ in prose(out)]


def test_a_bad_sentence_twice_is_replaced_by_the_deterministic_one_standin_server(claim_report):
    package = build_package(claim_report)
    slot = cited_slot(package)
    again = lambda evidence, user: (200, answer([{"slot": slot, "text": "Deaths reached 420 in 2023.",
                                                  "figures": ["F1"], "sources": [1]}]), 0)
    with StandIn([with_invented_number(slot), again]) as server:
        out = write_report(claim_report, client=server.client())
    record = out.extra["writer"]
    assert record["counts"] == {"verified": len(package.slots) - 1, "rewritten": 0, "replaced": 1}
    entry = next(e for e in record["sentences"] if e["slot"] == slot)
    assert entry["status"] == "replaced"
    assert entry["retry_problems"] == ["“420” is not in any cited figure, statement or quote"]
    assert entry["text"] == package.slots[slot].draft.text
    assert prose(out) == prose(claim_report)  # every other sentence was the draft's own words


@pytest.mark.parametrize("status, message, expected", [
    (500, "the model crashed", "answered HTTP 500"),
    (429, "slow down", "rate limit (HTTP 429)"),
])
def test_http_errors_fall_back_to_the_deterministic_report_standin_server(question_report, status, message,
                                                                          expected):
    warnings: list[str] = []
    with StandIn([lambda e, u: (status, message, 0)]) as server:
        out = write_report(question_report, client=server.client(), warn=warnings.append)
    assert len(server.requests) == 1  # no silent retries against a failing endpoint
    assert prose(out) == prose(question_report)
    assert len(warnings) == 1 and expected in warnings[0] and "deterministic report" in warnings[0]
    assert out.extra["writer"]["name"] == "deterministic" and expected in out.extra["writer"]["fallback"]


def test_a_timeout_falls_back_with_one_message_on_stderr_standin_server(question_report, capsys):
    with StandIn([lambda e, u: (200, answer([]), 2.0)]) as server:
        began = time.perf_counter()
        out = write_report(question_report, client=server.client(timeout=0.4))
        assert time.perf_counter() - began < 1.8
    assert prose(out) == prose(question_report)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"factdesk: language-model writer unavailable (no answer from {server.base_url} within 0.4 s); "
                   "showing the deterministic report"]


def test_an_unreachable_server_and_missing_configuration(question_report, monkeypatch):
    with StandIn([]) as server:
        url = server.base_url  # a port that was just closed
    warnings: list[str] = []
    out = write_report(question_report, client=ChatClient(LLMConfig("m", url, None, 2)), warn=warnings.append)
    assert prose(out) == prose(question_report) and "cannot reach" in warnings[0]
    for name in ("FACTDESK_LLM_MODEL", "FACTDESK_LLM_BASE_URL", "FACTDESK_LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(WriterError, match="FACTDESK_LLM_MODEL is not set"):
        LLMConfig.from_env()
    monkeypatch.setenv("FACTDESK_LLM_MODEL", "m")
    with pytest.raises(WriterError, match="FACTDESK_LLM_API_KEY or OPENAI_API_KEY"):
        LLMConfig.from_env()
    monkeypatch.setenv("FACTDESK_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("FACTDESK_LLM_TIMEOUT", "soon")
    with pytest.raises(WriterError, match="FACTDESK_LLM_TIMEOUT must be a number of seconds, not 'soon'"):
        LLMConfig.from_env()


def test_library_and_cli_writer_option_standin_server(library_path, monkeypatch, capsys):
    with StandIn([copy_draft, lambda e, u: (503, "overloaded", 0)]) as server:
        monkeypatch.setenv("FACTDESK_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("FACTDESK_LLM_MODEL", "stand-in-model")
        monkeypatch.delenv("FACTDESK_LLM_API_KEY", raising=False)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        with Library(library_path) as lib:
            assert lib.check(CLAIM, writer="llm").extra["writer"]["name"] == "llm"
            assert "writer" not in lib.check(CLAIM).extra
        assert main(["check", CLAIM, "--db", library_path, "--writer", "llm", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["writer"]["fallback"].endswith("answered HTTP 503: overloaded")
    assert captured.err.count("language-model writer unavailable") == 1
    with pytest.raises(SystemExit):
        main(["ask", QUESTION, "--db", library_path, "--writer", "poet"])
