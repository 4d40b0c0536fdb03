"""Ask and check on a small invented library (tests/fixtures/analyze/marlow.jsonl), plus the
pieces of analysis that decide: framing, value fitting, conflicts.

The library is about a made-up county, so that these tests exercise the engine on a topic
that the development corpora do not cover.
"""

from __future__ import annotations

import html as html_lib
from pathlib import Path

import pytest

from factdesk.analyze.frame import frame_claim, frame_question
from factdesk.analyze.judge import value_fits
from factdesk.analyze.relate import consistent, looks_like_typo
from factdesk.library import Library
from factdesk.model import Figure, Source
from factdesk.report import render

FIXTURE = Path(__file__).parent / "fixtures" / "analyze" / "marlow.jsonl"


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    library = Library(str(tmp_path_factory.mktemp("marlow") / "marlow.db"))
    summary = library.ingest([str(FIXTURE)])
    assert summary.failed == 0
    yield library
    library.close()


def values(report) -> set[float]:
    return {f.value for f in report.figures}


# ---- framing -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question, kind, time",
    [
        ("How many people died of overdoses in the county in 2023?", "flow", "2023"),
        ("How many patients are on the waiting list as of June 2024?", "stock", "2024-06"),
        ("What share of voters turned out in the 2022 election?", "share", "2022"),
        ("How many fewer homes were built in the year to March 2024 than first reported?", "change", "2024-03"),
        ("How many students are enrolled in the district?", "stock", None),
    ],
)
def test_frame_question_kind_and_time(question, kind, time):
    frame = frame_question(question)
    assert frame.kind == kind
    assert frame.time == time


def test_frame_question_subject_skips_measure_words():
    assert frame_question("What share of overdose deaths involved fentanyl?").subject == "overdose deaths"
    assert frame_question("How many convicted criminals did the agency release in 2023?").premises[-1] == "release"


def test_frame_claim_reads_value_comparator_and_actor():
    frame = frame_claim("Under Governor Lane, the state cut more than 1,200 teaching jobs in 2023.")
    assert frame.value == 1200 and frame.comparator == "more_than"
    assert frame.actor == "Governor Lane" and frame.time == "2023"
    comparison = frame_claim("Lane's administration hired far more nurses than Ortiz's did.")
    assert comparison.value is None and comparison.compared_to == "Ortiz" and comparison.subject == "nurses"


# ---- deciding pieces ---------------------------------------------------------------------------
def _figure(value: float, approx: str = "exact", **kw) -> Figure:
    return Figure(source_id="s", sentence_index=0, start=0, end=1, surface=str(value), value=value,
                  quote="x", approx=approx, **kw)


@pytest.mark.parametrize(
    "claim, figure_value, approx, fits",
    [
        ("The county had more than 400 deaths.", 412, "exact", True),
        ("The county had more than 400 deaths.", 389, "exact", False),
        ("The county had nearly 420 deaths.", 412, "exact", True),
        ("The county had 13,000 deaths.", 13099, "exact", True),  # a round claim, an exact source
        ("The county had 175,000 deaths.", 174000, "exact", False),  # same precision, other value
        ("The county had about 600 deaths.", 412, "exact", False),
    ],
)
def test_value_fits_respects_comparator_and_rounding(claim, figure_value, approx, fits):
    assert value_fits(frame_claim(claim), _figure(figure_value, approx)) is fits


def test_conflicts_ignore_rounding_but_flag_typos():
    assert consistent(_figure(435000, "more_than"), _figure(435719))
    assert not consistent(_figure(7_400_000, "more_than"), _figure(7_500_000, "more_than"))
    assert looks_like_typo(662566, 662556)
    assert not looks_like_typo(425000, 435000)


# ---- ask ---------------------------------------------------------------------------------------
def test_answered_question_cites_both_counts_and_their_conflict(lib):
    report = lib.ask("How many people died of drug overdoses in Marlow County in 2023?")
    assert report.status == "answered"
    assert {412, 415} <= values(report)
    assert any({412, 415} <= {f.value for f in report.figures if f.id in c.figure_ids} for c in report.conflicts)
    numbers = {s.n for s in report.sources}
    for paragraph in report.summary + [p for s in report.sections for p in s.paragraphs] + report.limitations:
        assert set(paragraph.cites) <= numbers
    assert report.summary[0].cites, "the first summary sentence names its source"


def test_stock_question_is_answered_by_the_stock(lib):
    report = lib.ask("How many people are in addiction treatment in Marlow County?")
    assert report.status == "answered"
    assert 2300 in values(report)


def test_share_question_is_answered_by_the_share(lib):
    report = lib.ask("What share of overdose deaths in Marlow County involved fentanyl?")
    assert report.status == "answered"
    assert 71 in values(report)


def test_part_of_a_year_does_not_answer_for_the_year(lib):
    report = lib.ask("How many people died of overdoses in Marlow County in 2024?")
    assert report.status == "related_only"
    assert 180 in values(report)
    assert "2024-06" in " ".join(p.text for s in report.sections for p in s.paragraphs)


def test_question_the_library_cannot_answer_says_so(lib):
    report = lib.ask("How many people in Marlow County were arrested for drug dealing in 2023?")
    assert report.status == "no_evidence"
    assert "does not estimate" in report.summary[0].text
    assert any(s.title == "What data would answer the question" for s in report.sections)


def test_figures_in_a_report_are_traced_to_their_characters(lib):
    report = lib.ask("How many people died of drug overdoses in Marlow County in 2023?")
    for fig in report.figures:
        text = lib.source(fig.source_id).text
        assert text[fig.start:fig.end] == fig.surface
        assert text[fig.quote_start:fig.quote_end] == fig.quote


def test_same_library_and_question_give_the_same_report(lib):
    question = "How many people died of drug overdoses in Marlow County in 2023?"
    assert render.as_dict(lib.ask(question)) == render.as_dict(lib.ask(question))


# ---- check -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "claim, verdict",
    [
        ("Marlow County had more than 400 overdose deaths in 2023.", "supported"),
        ("Marlow County lost 600 people to overdoses in 2023.", "contradicted"),
        ("Marlow County had 415 overdose deaths in 2023.", "mixed"),  # 415 preliminary vs 412 final
        ("1,850 people died of overdoses in Marlow County in 2023.", "misleading"),  # a five-year total
        ("Fentanyl was involved in 71% of Marlow County's overdose deaths in 2023.", "supported"),
        ("Marlow County had only 180 overdose deaths in 2024.", "misleading"),  # the first six months
        ("Marlow County's overdose death rate was 38 per 100,000 residents in 2023.", "supported"),
        ("Half of the overdose deaths in Marlow County were among teenagers.", "unverifiable"),
        ("The sheriff's office made 900 drug arrests in 2023.", "unverifiable"),
    ],
)
def test_check_verdicts(lib, claim, verdict):
    report = lib.check(claim)
    assert report.verdict == verdict, " ".join(p.text for p in report.verdict_explanation)
    assert report.verdict_explanation


def test_misleading_verdict_explains_the_span(lib):
    report = lib.check("1,850 people died of overdoses in Marlow County in 2023.")
    assert "several years" in " ".join(p.text for p in report.verdict_explanation)


def test_claimreview_carries_the_verdict(lib):
    review = render.claimreview(lib.check("Marlow County lost 600 people to overdoses in 2023."))
    assert review["reviewRating"]["alternateName"] == "contradicted"


# ---- rendering ---------------------------------------------------------------------------------
def test_html_report_escapes_source_text(tmp_path):
    hostile = ('The board counted 42 complaints in 2023.<script>alert(1)</script> '
               'Another 17 arrived <img src=x onerror=alert(2)> in 2024.')
    with Library(str(tmp_path / "h.db")) as library:
        library.add_source(Source(text=hostile, url="javascript:alert(3)", title="<b>Complaints</b>",
                                  published="2024-05-01"))
        page = render.html(library.ask("How many complaints did the board count in 2023?"))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert html_lib.escape("<script>alert(1)</script>") in page or "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "&lt;b&gt;Complaints&lt;/b&gt;" in page


def test_html_citations_open_the_source_at_their_figure(lib):
    import re

    page = render.html(lib.ask("How many people died of drug overdoses in Marlow County in 2023?"))
    anchors = set(re.findall(r'<mark id="(s\d+-\d+)">', page))
    targets = re.findall(r'class="cite" href="#(s\d+-\d+)"', page)
    assert targets and set(targets) <= anchors
    report = lib.ask("How many people died of drug overdoses in Marlow County in 2023?")
    for fig in report.figures:
        n = report.source_number(fig.source_id)
        assert f'<mark id="s{n}-{fig.start}">{html_lib.escape(fig.surface, quote=False)}</mark>' in page


# ---- a second invented topic: a city's homicide counts -----------------------------------------
@pytest.fixture(scope="module")
def city(tmp_path_factory):
    library = Library(str(tmp_path_factory.mktemp("city") / "city.db"))
    assert library.ingest([str(FIXTURE.parent / "portalder.jsonl")]).failed == 0
    yield library
    library.close()


@pytest.mark.parametrize(
    "question, status, value",
    [
        ("How many homicides were there in Port Alder in 2023?", "answered", 58),
        ("How much did homicides change in Port Alder in 2023?", "answered", 12),
        ("What is Port Alder's homicide rate?", "answered", 14.5),
        ("How many homicides were there in Port Alder in 2021?", "related_only", 66),
        ("How many robberies were reported in Port Alder in 2023?", "no_evidence", None),
    ],
)
def test_city_questions(city, question, status, value):
    report = city.ask(question)
    assert report.status == status
    if value is not None:
        assert value in values(report)


def test_city_counts_that_disagree_are_a_conflict(city):
    report = city.ask("How many homicides were there in Port Alder in 2023?")
    assert any({58, 63} <= {f.value for f in report.figures if f.id in c.figure_ids} for c in report.conflicts)


@pytest.mark.parametrize(
    "claim, verdict",
    [
        ("Homicides in Port Alder fell 12% in 2023.", "supported"),
        ("Homicides in Port Alder fell by half in 2023.", "contradicted"),  # a 12% fall, not half
        ("Port Alder had more than 70 homicides in 2023.", "contradicted"),
        ("290 people were killed in Port Alder in 2023.", "misleading"),  # five years' total
        ("Port Alder police solved 61% of homicides in 2023.", "supported"),
        ("Port Alder has the highest homicide rate in the state.", "unverifiable"),
    ],
)
def test_city_claims(city, claim, verdict):
    assert city.check(claim).verdict == verdict


def test_frame_question_keeps_the_asked_event():
    frame = frame_question("How many patients with long waits are discharged into hospices each month?")
    assert "discharged into hospices" in frame.premises and "each month" in frame.premises
