"""One shared PostgreSQL library under several `factdesk` processes at once, and copies into it."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import make_source

from factdesk.cli import main
from factdesk.library import Library
from factdesk.model import Source
from factdesk.store import SQLiteStore, open_store
from factdesk.store.copy import copy_library

FACTDESK = [sys.executable, "-m", "factdesk.cli"]
PLACES = ["Arden", "Brill", "Corvo", "Dunmore", "Elston", "Farrow", "Galt", "Hessle"]


def write_articles(folder: Path, n: int) -> list[Path]:
    """Short articles, each with figures and a quotation, all different."""
    paths = []
    for i in range(n):
        place = PLACES[i % len(PLACES)]
        text = (
            f"# Clinic visits in {place}, report {i}\n\n"
            f"The health office of {place} counted {1000 + 37 * i:,} clinic visits in {2010 + i % 14}. "
            f"That was {i % 9 + 2} percent more than a year before. "
            f'"Waiting lists are shorter now," said a nurse named in report {i}.\n'
        )
        path = folder / f"article_{i:02d}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


ENV = {k: v for k, v in os.environ.items() if k != "FACTDESK_DB"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*FACTDESK, *args], capture_output=True, text=True, timeout=120, env=ENV)


def test_parallel_ingests_of_overlapping_batches_lose_and_duplicate_nothing(pg_url, tmp_path):
    articles = write_articles(tmp_path, 24)
    open_store(pg_url).close()  # the schema exists before the writers race
    # Four writers; every article is in two of their batches, in a different order each time.
    batches = [articles[k * 6 : k * 6 + 12] for k in range(3)] + [articles[:6] + articles[18:]]
    batches = [batch if k % 2 else batch[::-1] for k, batch in enumerate(batches)]
    writers = [
        subprocess.Popen([*FACTDESK, "ingest", "--db", pg_url, "-q", *map(str, batch)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        for batch in batches
    ]
    reads, read_errors, stop = [], [], threading.Event()

    def reader() -> None:  # a reader (as `serve` would be) alongside the writers
        with open_store(pg_url) as store:
            while not stop.is_set():
                try:
                    reads.append(len(store.search("health office", limit=100)))
                except Exception as e:  # noqa: BLE001 - reported below
                    read_errors.append(e)
                stop.wait(0.05)

    watcher = threading.Thread(target=reader)
    watcher.start()
    outputs = [w.communicate(timeout=120) for w in writers]
    stop.set()
    watcher.join()
    assert [w.returncode for w in writers] == [0] * len(writers), outputs
    assert read_errors == [] and reads

    # Every article once; every writer's "duplicates" are exactly the ones another stored first.
    added = sum(int(out.split()[1]) for out, _ in outputs)
    duplicates = sum(int(out.split("(")[1].split()[0]) for out, _ in outputs)
    assert (added, duplicates) == (24, sum(map(len, batches)) - 24)

    with Library(str(tmp_path / "alone.db")) as alone:
        assert alone.ingest(map(str, articles)).failed == 0
        store = alone.store
        expected = (store.count(), sorted(s.id for s in store.sources()), sorted(f.id for f in store.figures()))
    with open_store(pg_url) as shared:
        got = (shared.count(), sorted(s.id for s in shared.sources()), sorted(f.id for f in shared.figures()))
        assert got == expected and expected[0]["sources"] == 24
        assert len(shared.search("health office", limit=100)) == 24


def test_copy_from_sqlite_to_postgres_twice_is_idempotent(pg_url, tmp_path):
    articles = write_articles(tmp_path, 12)
    file = tmp_path / "desk.db"
    with Library(str(file)) as lib:
        assert lib.ingest(map(str, articles)).failed == 0

    first = run("copy", "--from", str(file), "--to", pg_url, "--batch", "5")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("copied 12 sources (0 already there)")
    assert "copy: 5/12 sources" in first.stderr and "copy: 12/12 sources" in first.stderr
    again = run("copy", "--from", str(file), "--to", pg_url, "-q")
    assert again.stdout.startswith("copied 0 sources (12 already there)") and again.stderr == ""

    with SQLiteStore(file) as a, open_store(pg_url) as b:
        assert b.count() == a.count()
        assert b.sources() == a.sources()
        assert [b.sentences(s.id) for s in b.sources()] == [a.sentences(s.id) for s in a.sources()]
        assert b.figures() == a.figures() and b.statements() == a.statements()
        assert {h.source_id for h in b.search("Arden")} == {h.source_id for h in a.search("Arden")} != set()


def test_copy_keeps_version_chains_and_finishes_an_interrupted_copy(pg_url, tmp_path):
    url = "https://example.org/budget"
    with SQLiteStore(tmp_path / "v.db") as file:
        # The newer version carries an older date, so date order is not version order.
        old, old_sentences = make_source("The budget was 12 million.", url, published="2024-03-01")
        new, new_sentences = make_source("The budget was 14 million.", url, published="2023-01-01")
        other, other_sentences = make_source("Another town spent 3 million.", published="2022-01-01")
        file.add(old, old_sentences, [], [])
        assert file.add(new, new_sentences, [], []).new_version_of == old.id
        file.add(other, other_sentences, [], [])
        with open_store(pg_url) as target:
            target.add(other, other_sentences, [], [])  # as if a first copy stopped after one source
            seen = []
            result = copy_library(file, target, batch_size=2, progress=lambda done, total: seen.append(done))
            assert (result.copied, result.skipped) == (2, 1) and seen == [0, 2, 3]
            assert [s.id for s in target.sources_by_url(url)] == [old.id, new.id]
            again = target.add(Source(text="The budget was 15 million.", url=url), [], [], [])
            assert again.new_version_of == new.id


@pytest.mark.parametrize("bad", [["--from", "", "--to", "x.db"], ["--from", "a.db", "--to", "b.db", "--batch", "0"]])
def test_copy_refuses_bad_arguments_in_one_line(bad, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["copy", *bad]) == 1
    err = capsys.readouterr().err
    assert err.startswith("factdesk copy: ") and err.count("\n") == 1
