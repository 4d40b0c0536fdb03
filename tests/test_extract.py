"""factdesk.extract: kinds, times, subjects, speakers and statements, on sentences written for
these tests, plus a scored run over the labelled dev corpus when ../shared is present."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from factdesk.extract import extract
from factdesk.extract.attribution import find_speaker, speaker_kind
from factdesk.extract.subject import subject_and_scope
from factdesk.extract.timex import find_times
from factdesk.model import Figure, Source
from factdesk.segment import segment


def run(text: str, published: str = "2024-09-28"):
    source = Source(text=text, url="https://example.org/a", published=published)
    figures, statements = extract(source, segment(text, source.id))
    for f in figures:
        assert source.text[f.start:f.end] == f.surface
        assert source.text[f.quote_start:f.quote_end] == f.quote
        assert f.quote_start <= f.start < f.end <= f.quote_end
    return source, figures, statements


def one(figures: list[Figure], surface: str) -> Figure:
    found = [f for f in figures if f.surface == surface]
    assert len(found) == 1, [f.surface for f in figures]
    return found[0]


# --- kinds ---------------------------------------------------------------------------------

def test_stock_with_as_of_date_takes_the_year_from_the_publication_date():
    _, figures, _ = run("As of March 3, the county jail held 1,284 inmates awaiting trial.")
    f = one(figures, "1,284")
    assert (f.kind, f.as_of) == ("stock", "2024-03-03")


def test_currently_dates_a_stock_to_the_publication_month():
    _, figures, _ = run("There are currently about 52,000 open warrants in the state.", published="2023-05-17")
    f = one(figures, "about 52,000")
    assert (f.kind, f.as_of, f.approx) == ("stock", "2023-05", "about")


def test_flow_in_a_fiscal_year_ends_in_that_year():
    _, figures, _ = run("Customs officers seized 27,000 pounds of fentanyl at ports of entry in fiscal year 2023.")
    f = one(figures, "27,000 pounds")
    assert f.kind == "flow"
    assert f.time.startswith("2023")
    assert f.period.start == "2022-10"


def test_flow_last_year_is_relative_to_the_publication_date():
    _, figures, _ = run("The clinic treated 4,100 patients for heat stroke last year.", published="2014-06-19")
    f = one(figures, "4,100")
    assert (f.kind, f.time) == ("flow", "2013")


def test_flow_in_a_month_and_a_period_through_a_month():
    _, figures, _ = run(
        "Hospitals admitted 3,200 flu patients in January 2024. "
        "Over the 12 months through March 2024, the city issued 9,450 building permits."
    )
    assert one(figures, "3,200").time == "2024-01"
    permits = one(figures, "9,450")
    assert (permits.kind, permits.time) == ("flow", "2024-03")


def test_changes_from_comparatives_revisions_and_percent_moves():
    _, figures, _ = run(
        "The agency said payrolls grew by 310,000 fewer jobs than first reported. "
        "Overdose deaths fell 12% in 2023. "
        "The estimate was revised down by 45,000. "
        "The budget office reported an increase of 2,300 teachers."
    )
    for surface in ("310,000", "12%", "45,000", "2,300"):
        assert one(figures, surface).kind == "change", surface


def test_share_and_rate():
    _, figures, _ = run(
        "About 38% of the county's residents rent their homes. "
        "The state recorded 412 burglaries per 100,000 residents in 2022."
    )
    assert one(figures, "About 38%").kind == "share"
    rate = [f for f in figures if f.kind == "rate"]
    assert rate and rate[0].value == 412
    assert rate[0].time == "2022"


def test_other_for_durations_and_counts_of_speakers():
    _, figures, _ = run("Four city officials said the program has run for six years.")
    assert one(figures, "Four").kind == "other"
    assert one(figures, "six years").kind == "other"


def test_level_of_a_rate_is_a_share_but_a_move_in_it_is_a_change():
    _, figures, _ = run("The jobless rate rose to 4.1% in June from 3.9% in May, an increase of 0.2 percentage points.", published="2024-07-05")
    assert one(figures, "4.1%").kind == "share"
    assert one(figures, "4.1%").time == "2024-06"
    assert one(figures, "3.9%").time == "2024-05"
    assert any(f.kind == "change" and f.value == 0.2 for f in figures)


# --- time carried between sentences ---------------------------------------------------------

def test_time_carries_forward_within_a_paragraph_but_not_past_it():
    text = (
        "As of July 1, 2024, the registry listed 8,120 licensed child care centers. "
        "Of those, 1,930 were in rural counties.\n\n"
        "Inspectors visited 5,600 centers in 2023."
    )
    _, figures, _ = run(text)
    assert one(figures, "1,930").time == "2024-07-01"
    assert one(figures, "5,600").time == "2023"


def test_a_number_that_refers_back_takes_the_earlier_figures_kind_and_time():
    text = (
        "In fiscal year 2019 the program enrolled 12,480 veterans in job training.\n\n"
        "Most of the 12,480 finished the course."
    )
    _, figures, _ = run(text)
    later = [f for f in figures if f.surface == "12,480"][1]
    assert later.kind == "flow" and later.time.startswith("2019")


# --- times that count from other times -----------------------------------------------------

def test_the_previous_year_counts_back_from_the_period_under_discussion():
    text = (
        "The survey covers the 12 months through June 2025. "
        "Its count fell by 41,000, smaller than the previous year's drop of 63,000."
    )
    _, figures, _ = run(text, published="2025-10-02")
    assert one(figures, "63,000").time == "2024-06"
    assert one(figures, "41,000").time == "2025-06"


def test_the_last_few_years_end_when_the_speaker_spoke():
    text = "On Oct. 3 the senator said that 52,000 permits were issued over the last two years."
    _, figures, _ = run(text, published="2024-11-20")
    assert one(figures, "52,000").time == "2024-10"


def test_since_opens_a_period_that_runs_to_the_latest_dated_state():
    text = (
        "The waiting list held 20,400 families as of the end of May 2023.\n\n"
        "The list is up by 1,350 since the start of the school year."
    )
    _, figures, _ = run(text, published="2023-07-11")
    f = one(figures, "1,350")
    assert (f.kind, f.time) == ("change", "2023-05")


def test_a_record_since_a_year_is_not_the_figures_period():
    text = "Tuition rose 9% in the year to August 2024, the largest rise since 2009."
    _, figures, _ = run(text, published="2024-09-01")
    assert one(figures, "9%").time == "2024-08"


def test_a_year_used_as_an_adjective_takes_the_finer_date_of_that_year():
    text = "The 2018 recount added 2,900 ballots to the first November 2018 tally."
    _, figures, _ = run(text, published="2020-01-15")
    assert one(figures, "2,900").time == "2018-11"


def test_now_before_a_reporting_verb_does_not_date_the_figure():
    text = "Enrolment grew in the year through March 2024. The ministry now says 4,800 students enrolled over the period."
    _, figures, _ = run(text, published="2024-08-01")
    f = one(figures, "4,800")
    assert f.kind == "flow" and f.time == "2024-03"


def test_a_time_after_another_number_belongs_to_that_number():
    text = "Vacancies were 6.1% in May.\n\nThe vacancy rate climbed to 6.4% from 6.1% in April."
    _, figures, _ = run(text, published="2024-06-10")
    assert one(figures, "6.4%").time != "2024-04"
    assert [f for f in figures if f.surface == "6.1%"][1].time == "2024-04"


def test_then_points_back_to_the_time_just_named():
    text = "Since fiscal year 2015 the waitlist has doubled: it held 3,100 applicants then and 6,200 in FY 2024."
    _, figures, _ = run(text, published="2024-12-01")
    assert one(figures, "3,100").time == "2015"
    assert one(figures, "6,200").time == "2024"


def test_an_undated_present_tense_stock_is_as_of_publication():
    _, figures, _ = run("Over 2,000 bridges in the state are rated structurally deficient.", published="2024-05-09")
    f = one(figures, "Over 2,000")
    assert (f.kind, f.time) == ("stock", "2024-05")


def test_a_headline_figure_takes_the_date_of_a_later_mention_of_the_same_value():
    text = (
        "Clinics Turned Away 48,500 Patients\n\n"
        "Clinics reported results for the year ending in June 2023. "
        "They turned away 48,500 patients, state records show."
    )
    _, figures, _ = run(text, published="2023-09-01")
    first, second = [f for f in figures if f.surface == "48,500"]
    assert second.time == "2023-06"
    assert first.time == second.time


# --- subjects, scope, speakers --------------------------------------------------------------

def test_subject_and_scope_after_the_number():
    text = "The report counted 2,450 students with chronic absences in district schools."
    start = text.index("2,450")
    subject, scope = subject_and_scope(text, start, start + 5)
    assert subject == "students with chronic absences"
    assert scope == "in district schools"


def test_elided_subject_is_taken_from_the_label_before_the_number():
    text = "Burglary: 1,075"
    start = text.index("1,075")
    assert subject_and_scope(text, start, start + 5)[0] == "Burglary"


def _subject(text: str, number: str, antecedent: tuple[str, str] = ("", "")) -> tuple[str, str]:
    start = text.index(number)
    return subject_and_scope(text, start, start + len(number), antecedent)


def test_elided_subject_of_them_is_the_counted_noun_with_its_qualifier():
    text = "The audit found 9,210 unpaid fines on the ledger, 1,140 of them with late penalties."
    assert _subject(text, "9,210") == ("unpaid fines", "on the ledger")
    assert _subject(text, "1,140", ("unpaid fines", "on the ledger")) == ("unpaid fines with late penalties", "on the ledger")
    _, figures, _ = run(text)
    assert one(figures, "1,140").subject == "unpaid fines with late penalties"


def test_of_whom_had_reads_as_with():
    text = "The board reviewed 3,400 applicants, of whom 610 had prior licences."
    assert _subject(text, "610", ("applicants", ""))[0] == "applicants with prior licences"


def test_an_anaphoric_total_takes_the_previous_sentences_noun():
    text = (
        "Between 2016 and 2019 the state closed 812 rural post offices. "
        "From 2020 through May 2023, the total was higher: 1,045."
    )
    _, figures, _ = run(text, published="2023-08-01")
    assert one(figures, "812").subject == "rural post offices"
    assert one(figures, "1,045").subject == "rural post offices"


def test_a_verb_after_the_number_is_never_its_subject():
    text = "Rangers tagged 640 migrating cranes this spring. Nobody knows where the 640 went afterwards."
    _, figures, _ = run(text, published="2024-06-01")
    later = [f for f in figures if f.surface == "640"][1]
    assert later.subject == "migrating cranes"
    assert _subject("Officials think 2,000 arrived before the storm.", "2,000", ("evacuees", "")) == ("evacuees", "")
    assert _subject("12,000 seasonal workers entered the valley.", "12,000")[0] == "seasonal workers"


def test_a_labelled_list_item_joins_its_label_to_the_list_head():
    text = "Citations for unsafe driving included speeding (4,210), tailgating (980) and running red lights (655)."
    assert _subject(text, "4,210")[0] == "speeding citations for unsafe driving"
    assert _subject(text, "980")[0] == "tailgating citations for unsafe driving"
    assert _subject(text, "655")[0] == "running red lights citations for unsafe driving"


def test_speaker_forms_and_kinds():
    assert find_speaker("The rate rose to 7%, according to the Bureau of Justice Statistics.") == "Bureau of Justice Statistics"
    assert find_speaker("Sen. Ann Cole said the count was too low.") == "Sen. Ann Cole"
    assert find_speaker("The numbers come from data the agency provided to lawmakers.") == "the agency"
    assert speaker_kind("A spokesman for the Department of Health") == "government"
    assert speaker_kind("Sen. Ann Cole") == "official"
    assert speaker_kind("an economist at Ridgeview University") == "researcher"
    assert speaker_kind("the Center for Fair Housing") == "advocacy"
    assert speaker_kind("") == "unknown"


def test_figures_carry_attribution_and_hedges():
    _, figures, _ = run(
        "The preliminary count found 640 homeless veterans in the city, according to the Department of Housing. "
        "The total may include people counted twice."
    )
    f = one(figures, "640")
    assert f.attribution == "Department of Housing"
    assert f.speaker_kind == "government"
    assert any("preliminary" in h for h in f.hedges)
    assert any(h.startswith("may") for h in f.hedges)


# --- statements -----------------------------------------------------------------------------

def test_quotations_and_reported_positions_with_speakers():
    text = (
        "“We are not hiding anything from the public,” Mayor Lena Ortiz said.\n\n"
        "A spokeswoman for the Water Agency told reporters in a statement: “The samples were handled correctly.”\n\n"
        "Researchers at Lakeside University said the testing schedule was too sparse to catch spikes."
    )
    source, _, statements = run(text)
    by_text = {s.text: s for s in statements}
    mayor = by_text["We are not hiding anything from the public,"]
    assert (mayor.speaker, mayor.speaker_kind) == ("Mayor Lena Ortiz", "official")
    agency = by_text["The samples were handled correctly."]
    assert agency.speaker_kind == "government"
    reported = [s for s in statements if s.text.startswith("the testing schedule")]
    assert reported and reported[0].speaker_kind == "researcher"
    for s in statements:
        assert source.text[s.start:s.end] == s.text


def test_time_expressions_with_offsets():
    text = "Between October 2022 and January 2023, and again in FY 24, through Sept. 30."
    refs = find_times(text, "2024-10-15")
    spans = {text[r.start:r.end]: (r.kind, r.value) for r in refs}
    assert spans["Between October 2022 and January 2023"] == ("period", "2023-01")
    assert spans["FY 24"] == ("period", "2024")
    assert spans["through Sept. 30"] == ("period", "2024-09-30")


def test_the_verb_may_is_not_a_month():
    assert find_times("Officials may revise the count.", "2024-01-01") == []


# --- the labelled dev corpus ----------------------------------------------------------------

def _shared() -> Path | None:
    for candidate in (Path(__file__).resolve().parents[2] / "shared", Path(os.environ.get("FACTDESK_SHARED", "/nonexistent"))):
        if (candidate / "corpus" / "dev").is_dir():
            return candidate
    return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, 0.005 * abs(b))


@pytest.mark.parametrize("topic", ["ice-docket", "jobs-revision"])
def test_dev_corpus_scores_hold(topic):
    shared = _shared()
    if shared is None or not (shared / "corpus" / "dev" / topic / "figures.json").exists():
        pytest.skip("the shared dev corpus is not present")
    folder = shared / "corpus" / "dev" / topic
    gold = json.loads((folder / "figures.json").read_text())
    predicted: dict[str, list[Figure]] = {}
    for line in (folder / "sources.jsonl").read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            source, figures, _ = run(row["text"], row.get("published"))
            predicted[row["url"]] = figures
    used, matched, kind_ok, time_ok, time_n = set(), 0, 0, 0, 0
    for g in gold:
        for i, f in enumerate(predicted.get(g["url"], [])):
            if (g["url"], i) in used or not _close(f.value, g["value"]):
                continue
            used.add((g["url"], i))
            matched += 1
            kind_ok += f.kind == g["kind"]
            if g.get("time"):
                time_n += 1
                time_ok += (f.time or "").startswith(g["time"])
            break
    n_pred = sum(len(v) for v in predicted.values())
    precision, recall = matched / n_pred, matched / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95
    assert kind_ok / matched >= 0.90
    assert time_ok / time_n >= 0.90


@pytest.mark.parametrize("text, published, kind, value, begin", [
    ("In the first six months of 2024, deaths fell.", "2024-07-18", "period", "2024-06", "2024-01"),
    ("In the first six months of fiscal 2024, seizures rose.", "2024-04-11", "period", "2024-03", "2023-10"),
    ("Filings rose in the first quarter.", "2024-04-22", "period", "2024-03", "2024-01"),
    ("Output fell in the third quarter.", "2024-04-22", "period", "2023-09", "2023-07"),
    ("Sales in Q2 2023 were flat.", "2024-04-22", "period", "2023-06", "2023-04"),
    ("Year to date, the county has spent more.", "2024-04-22", "period", "2024-04", "2024-01"),
    ("Fires have burned more so far this year.", "2024-09-09", "period", "2024-09", "2024-01"),
    ("Scores rose last spring.", "2024-11-20", "point", "2024", None),
    ("Scores rose last fall.", "2024-11-20", "point", "2023", None),
    ("He asked for more next year.", "2024-07-18", "point", "2025", None),
    ("It was 95% contained as of Sunday.", "2024-09-09", "as_of", "2024-09-08", None),
    ("It reached its peak four years ago.", "2024-11-13", "point", "2020", None),
])
def test_parts_of_years_and_relative_times(text, published, kind, value, begin):
    (ref,) = find_times(text, published)
    assert (ref.kind, ref.value, ref.begin) == (kind, value, begin)


def test_a_weekday_after_a_reporting_verb_dates_the_saying_not_the_figure():
    assert find_times("The office said Wednesday that 5,000 voted.", "2024-11-13") == []


def test_a_comparison_baseline_does_not_date_the_figure_or_the_next_sentence():
    text = "ER visits reached 212,000 in January, 14% more than in January 2024. Flu caused one in eight."
    _, figures, _ = run(text, published="2025-02-03")
    assert [(f.surface, f.kind, f.time) for f in figures] == [
        ("212,000", "flow", "2025-01"), ("14%", "change", "2025-01"), ("one in eight", "share", "2025-01")]


def test_planned_amounts_are_other_and_changes_stay_changes():
    text = "The chief wants to add 25 officers. Spending would rise by $3.4 billion, or 4.1%, under the plan."
    _, figures, _ = run(text, published="2025-01-10")
    assert [(f.surface, f.kind) for f in figures] == [("25", "other"), ("$3.4 billion", "change"), ("4.1%", "change")]


def test_rates_per_n_residents_and_the_rate_they_are_compared_with():
    _, figures, _ = run("The death rate was 38 per 100,000 residents in 2023, above the national rate of 32.6.")
    assert [(f.kind, f.time) for f in figures] == [("rate", "2023"), ("rate", "2023")]


def test_a_speaker_named_after_the_verb_is_found():
    text = ('"The waiting list is longer than it has ever been," said Dr. Lena Park, who runs the clinic. '
            '"We will add beds next spring," Park said.')
    source = Source(text=text)
    _, statements = extract(source, segment(text, source.id))
    assert [s.speaker for s in statements] == ["Dr. Lena Park", "Park"]


def test_a_count_over_a_whole_year_or_month_with_no_state_word_is_a_flow():
    text = ("Tally finds 212 overdose deaths last year. Records show the county had 87 house fires in 2021. "
            "The agency was monitoring 3,400 parolees in 2022. "
            "In May, 9,100 residents were without power and waiting for crews.")
    _, figures, _ = run(text, published="2024-02-06")
    assert [(f.surface, f.kind, f.time) for f in figures] == [
        ("212", "flow", "2023"), ("87", "flow", "2021"),
        ("3,400", "stock", "2022"), ("9,100", "stock", "2023-05")]


def test_recommended_amounts_are_other():
    text = ("The panel says the state should spend $40 million a year on treatment. "
            "Advocates called for 300 more counselors.")
    _, figures, _ = run(text, published="2024-02-06")
    assert [(f.surface, f.kind) for f in figures] == [("$40 million", "other"), ("300", "other")]


def test_an_as_of_date_later_in_the_clause_dates_the_stock():
    text = "The agency's budget for fiscal 2023 shows 12,480 patients on the waiting list as of March 3, 2021."
    source = Source(text=text, published="2023-05-01")
    figures, _ = extract(source, segment(text, source.id))
    fig = next(f for f in figures if f.value == 12480)
    assert fig.kind == "stock" and fig.as_of == "2021-03-03"


def test_the_year_a_figure_is_compared_with_does_not_date_it():
    text = ("Clinics treated 4,300 patients a month between April 2023 and March 2024. "
            "By her reckoning, 4,300 a month beat the 2019 average.")
    source = Source(text=text, published="2024-06-01")
    figures, _ = extract(source, segment(text, source.id))
    assert [f.time for f in figures if f.value == 4300] == ["2024-03", "2024-03"]
