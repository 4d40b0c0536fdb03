"""Synthetic sources and questions for the benchmarks: templates filled with random
vocabulary (topics, places, agencies, numbers, dates), reproducible from a seed."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import time
from dataclasses import replace
from pathlib import Path

from factdesk.library import analyse_text
from factdesk.model import Figure, Sentence, Source, Statement
from factdesk.store import SQLiteStore

NOUNS = ["arrests", "overdose deaths", "jobs", "hospital admissions", "evictions", "burglaries",
         "vaccinations", "unemployment claims", "shelter beds", "teachers", "traffic fatalities",
         "asylum applications", "prescriptions", "housing permits", "wildfires", "nurses", "tax refunds",
         "homicides", "small business grants", "school closures", "bridge inspections", "water violations",
         "measles cases", "deportations", "apprenticeships", "food stamp recipients", "prison inmates",
         "court filings", "bankruptcies", "charter schools", "clinic visits", "pension payments",
         "road repairs", "power outages", "student loans", "car thefts", "rent subsidies", "doctors",
         "farm subsidies", "border crossings"]
SCOPES = ["for drug possession", "involving fentanyl", "in manufacturing", "for influenza", "of renters",
          "of homes", "of children", "by young workers", "for families", "in public schools",
          "on rural roads", "at the southern border", "for opioids", "for new homes", "on federal land",
          "in rural clinics", "issued late", "with firearms", "in low-income areas", "among veterans",
          "in the last quarter", "under the new program", "for seniors", "across urban districts",
          "at state prisons", "in coastal towns", "among new arrivals", "for first-time buyers",
          "in county jails", "by private contractors"]
PLACES = ["Ohio", "Texas", "the county", "Maine", "the city", "Arizona", "Oregon", "Georgia",
          "the region", "Nevada", "Utah", "Iowa", "Vermont", "the state", "Kansas", "Idaho", "Florida",
          "Michigan", "Colorado", "Alabama", "Montana", "Delaware", "Kentucky", "Wisconsin", "Missouri",
          "Nebraska", "Virginia", "New Mexico", "Louisiana", "Minnesota", "Oklahoma", "Tennessee"]
AGENCIES = ["the health department", "the police department", "the labor bureau", "the treasury",
            "the housing authority", "the statistics office", "the state auditor", "the governor's office",
            "a university study", "an advocacy group", "the census office", "the inspector general"]
VERBS = ["reported", "counted", "recorded", "estimated", "published", "tallied"]
TRENDS = ["rose", "fell", "climbed", "dropped", "grew", "declined"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
FILLER = ["Officials cautioned that the data are preliminary.",
          "Critics questioned how the figures were gathered.",
          "The report did not say how the count was made.",
          "Local leaders welcomed the news at a press conference.",
          "Researchers said more data would be needed to explain the change.",
          "A spokesperson declined to comment further."]


def _number(rng: random.Random) -> str:
    value = rng.choice([rng.randint(12, 999), rng.randint(1000, 999_999), rng.randint(1, 90)])
    return f"{value:,}"


def _sentence(rng: random.Random, subject: str, scope: str, place: str) -> str:
    year = rng.randint(2012, 2024)
    agency = rng.choice(AGENCIES)
    pick = rng.randrange(6)
    if pick == 0:
        return (f"{agency.capitalize()} {rng.choice(VERBS)} {_number(rng)} {subject} {scope} "
                f"in {place} in {year}.")
    if pick == 1:
        return (f"As of {rng.choice(MONTHS)} {year}, there were {_number(rng)} {subject} {scope} "
                f"in {place}, according to {agency}.")
    if pick == 2:
        return (f"The number of {subject} in {place} {rng.choice(TRENDS)} by {rng.randint(2, 60)} percent "
                f"between {year - rng.randint(1, 5)} and {year}.")
    if pick == 3:
        return f"About {rng.randint(2, 95)} percent of {subject} {scope} were in {place}, {agency} said."
    if pick == 4:
        return (f"\"We have seen {_number(rng)} {subject} this year alone,\" said a director at "
                f"{agency} in {place}.")
    return rng.choice(FILLER)


def make_source(n: int, seed: int = 7) -> Source:
    """The n-th synthetic source: a short news-like article on one random topic."""
    rng = random.Random(seed * 1_000_003 + n)
    subject, scope = rng.choice(NOUNS), rng.choice(SCOPES)
    place = rng.choice(PLACES)
    year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    sentences = [_sentence(rng, subject, scope, rng.choice([place, place, rng.choice(PLACES)]))
                 for _ in range(rng.randint(6, 16))]
    sentences.append(f"Story number {n} was filed from {place}.")  # keeps every text distinct
    return Source(
        text=" ".join(sentences),
        url=f"https://news.example/{n}",
        title=f"{subject.capitalize()} {scope} in {place}",
        publisher=rng.choice(["Daily Ledger", "Metro Times", "State Wire", "Plains Herald"]),
        published=f"{year}-{month:02d}-{day:02d}",
        origin=f"synthetic:{n}",
    )


def questions(count: int = 20, seed: int = 11) -> list[str]:
    """Questions over the same vocabulary, in the shapes people ask them."""
    rng = random.Random(seed)
    shapes = [
        "How many {s} {c} are there in {p} each year?",
        "How many {s} {c} were there in {p} in {y}?",
        "What share of {s} {c} are in {p}?",
        "Did {s} in {p} rise or fall since {y}?",
        "How many {s} did {a} report in {y}?",
    ]
    asked = []
    for i in range(count):
        subject, scope = rng.choice(NOUNS), rng.choice(SCOPES)
        asked.append(shapes[i % len(shapes)].format(
            s=subject, c=scope, p=rng.choice(PLACES), y=rng.randint(2015, 2024), a=rng.choice(AGENCIES)))
    return asked


CACHE = Path(__file__).resolve().parent / ".cache"


def _analysed(n: int):
    source = make_source(n)
    return (source, *analyse_text(source))


def cached_library(count: int, *, workers: int | None = None, log=print) -> Path:
    """The SQLite library of ``count`` synthetic sources, built once and kept under
    bench/.cache/. Up to BASE sources are each generated and extracted (in parallel);
    a larger library adds variants of those (see ``variant``), since extracting 100k
    sources takes most of an hour on a small machine."""
    path = CACHE / f"synthetic-{count}.db"
    if path.exists():
        return path
    base = cached_library(BASE, workers=workers, log=log) if count > BASE else None
    CACHE.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    began = time.perf_counter()
    with SQLiteStore(partial) as store:
        if base is None:
            with multiprocessing.Pool(workers or os.cpu_count()) as pool:
                analysed = pool.imap(_analysed, range(count), chunksize=64)
                _fill(store, analysed, count, began, log)
        else:
            with SQLiteStore(base) as originals:
                stored = [(s, originals.sentences(s.id), originals.figures(source_id=s.id),
                           originals.statements(source_ids=[s.id])) for s in originals.sources()]
            copies = (variant(*stored[n % BASE], n // BASE) for n in range(count * 2))
            _fill(store, copies, count, began, log)
    partial.rename(path)
    return path


def _fill(store: SQLiteStore, analysed, count: int, began: float, log) -> None:
    done = 0
    for source, sentences, figures, statements in analysed:
        done += store.add(source, sentences, figures, statements).added
        if done % 5000 == 0 or done == count:
            log(f"built {done}/{count} sources in {time.perf_counter() - began:.0f} s")
        if done == count:
            return


BASE = 10_000
_VOCABULARY = (NOUNS, SCOPES, PLACES, AGENCIES, VERBS)  # not TRENDS: a fall is not a rise


def variant(source: Source, sentences: list[Sentence], figures: list[Figure],
            statements: list[Statement], k: int):
    """Copy ``k`` of an extracted source: every vocabulary word is replaced by another
    word of its kind and length (a rotation within each), so the topic, places and
    agencies change while every offset of the extraction stays true. k = 0 is the original."""
    groups: dict[tuple[int, int], list[str]] = {}
    for kind, words in enumerate(_VOCABULARY):
        for w in words:
            groups.setdefault((kind, len(w)), []).append(w)
    mapping = {}
    for group in groups.values():
        for i, w in enumerate(group):
            swapped = group[(i + k) % len(group)]
            mapping[w], mapping[w.capitalize()] = swapped, swapped.capitalize()
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, mapping), key=len, reverse=True)) + r")\b")

    def swap(text):
        return pattern.sub(lambda m: mapping[m.group(1)], text) if text else text

    text = swap(source.text)
    new = Source(text=text, url=f"{source.url}/v{k}", title=swap(source.title), publisher=source.publisher,
                 published=source.published, origin=f"{source.origin}/v{k}")
    sid = new.id
    return (
        new,
        [Sentence(sid, s.index, s.start, s.end, swap(s.text)) for s in sentences],
        [replace(f, source_id=sid, id="", quote=swap(f.quote), subject=swap(f.subject), scope=swap(f.scope),
                 attribution=swap(f.attribution), hedges=[swap(h) for h in f.hedges]) for f in figures],
        [replace(st, source_id=sid, id="", text=swap(st.text), speaker=swap(st.speaker)) for st in statements],
    )
