import multiprocessing
import sqlite3
import threading

import pytest

from factdesk.model import Figure, Period, Sentence, Source, Statement
from factdesk.segment import segment
from factdesk.store import SQLiteStore, StoreError, open_store
from factdesk.store import sqlite as sqlite_module


def make_source(text: str, url: str | None = None, **fields) -> tuple[Source, list[Sentence]]:
    source = Source(text=text, url=url, **fields)
    return source, segment(text, source.id)


def figure_at(source: Source, sentences: list[Sentence], surface: str, **fields) -> Figure:
    start = source.text.index(surface)
    sentence = next(s for s in sentences if s.start <= start < s.end)
    return Figure(
        source_id=source.id, sentence_index=sentence.index, start=start, end=start + len(surface),
        surface=surface, value=float(surface.replace(",", "")), quote=sentence.text,
        quote_start=sentence.start, quote_end=sentence.end, **fields,
    )


def dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def store(tmp_path):
    with SQLiteStore(tmp_path / "lib.db") as opened:
        yield opened


DOCKET = (
    "The agency listed 435,719 people with convictions on its docket in July. "
    "A spokesman said the list releases no new facts. "
    "About 7.5 million cases were pending."
)


def test_round_trip_of_every_field(store):
    source, sentences = make_source(
        DOCKET, "https://example.org/docket", title="Docket count", publisher="Example News",
        authors=["Ann Lee", "Bo Ruiz"], published="2024-09-28", retrieved="2024-10-01T10:00:00",
        outlet_kind="media", origin="/tmp/docket.html", pages=[0, 120],
    )
    figure = figure_at(
        source, sentences, "435,719", value_high=440000.0, approx="more_than", unit="count",
        subject="people with convictions", scope="on the docket", kind="stock", as_of="2024-07",
        period=Period("2023-10", "2024-07"), year="2024", attribution="the agency",
        speaker_kind="government", hedges=["according to the agency", "preliminary"],
    )
    bare = figure_at(source, sentences, "7.5")
    statement = Statement(
        source.id, 1, sentences[1].start, sentences[1].end, sentences[1].text,
        speaker="A spokesman", speaker_kind="government",
    )
    result = store.add(source, sentences, [figure, bare], [statement])
    assert (result.added, result.new_version_of, result.source_id) == (True, None, source.id)

    assert store.source(source.id) == source
    assert store.sources() == [source] and store.sources_by_url(source.url) == [source]
    assert store.has_source(source.id) and not store.has_source("0" * 16)
    assert store.sentences(source.id) == sentences
    assert store.sentence(source.id, 1) == sentences[1] and store.sentence(source.id, 9) is None
    assert store.figures() == [figure, bare]
    assert store.figures()[1].period is None
    assert store.statements() == [statement]
    assert store.count() == {"sources": 1, "sentences": 3, "figures": 2, "statements": 1}


def test_duplicate_changes_nothing(store):
    source, sentences = make_source(DOCKET, "https://example.org/a")
    store.add(source, sentences, [], [])
    before = dump(store.path)
    again = store.add(Source(text=DOCKET, url="https://example.org/b"), sentences, [], [])
    assert again.added is False and again.source_id == source.id
    assert dump(store.path) == before


def test_same_url_with_new_text_is_a_new_version(store):
    first, first_sentences = make_source(DOCKET, "https://example.org/a")
    second, second_sentences = make_source(DOCKET + " A correction was added.", "https://example.org/a")
    third, third_sentences = make_source(DOCKET + " Two corrections.", "https://example.org/a")
    assert store.add(first, first_sentences, [], []).new_version_of is None
    assert store.add(second, second_sentences, [], []).new_version_of == first.id
    assert store.add(third, third_sentences, [], []).new_version_of == second.id
    assert [s.id for s in store.sources_by_url("https://example.org/a")] == [first.id, second.id, third.id]


def test_failure_midway_rolls_back_everything(store, monkeypatch):
    kept, kept_sentences = make_source("An earlier source counted 12 cases.", "https://example.org/kept")
    store.add(kept, kept_sentences, [figure_at(kept, kept_sentences, "12")], [])
    before = dump(store.path)

    source, sentences = make_source(DOCKET)
    figures = [figure_at(source, sentences, "435,719"), figure_at(source, sentences, "7.5")]
    # A real constraint failure on the second figure: the same id twice.
    clash = figure_at(source, sentences, "7.5", id=figures[0].id)
    with pytest.raises(StoreError, match=source.id):
        store.add(source, sentences, [figures[0], clash], [])
    assert dump(store.path) == before

    # Any other exception midway (here on the second figure row) also leaves nothing behind.
    calls = []
    real_row = sqlite_module._figure_row

    def failing_row(rowid, figure):
        calls.append(figure)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real_row(rowid, figure)

    monkeypatch.setattr(sqlite_module, "_figure_row", failing_row)
    with pytest.raises(RuntimeError):
        store.add(source, sentences, figures, [])
    assert dump(store.path) == before
    assert not store.has_source(source.id) and store.search("docket") == []

    monkeypatch.setattr(sqlite_module, "_figure_row", real_row)
    assert store.add(source, sentences, figures, []).added


def test_items_of_another_source_are_refused(store):
    source, sentences = make_source(DOCKET)
    other, _ = make_source("Another text entirely.")
    with pytest.raises(StoreError, match="belongs to source"):
        store.add(other, sentences, [], [])


@pytest.fixture
def searchable(store):
    texts = [
        "The agency releases a yearly report on border arrests.",
        "Officials released 435,719 records on Tuesday.",
        "The border wall budget rose to 7.5 billion dollars.",
        "Arrests fell sharply in the spring, the report said.",
        "A river runs near the town.",
    ]
    for text in texts:
        source, sentences = make_source(text)
        store.add(source, sentences, [], [])
    return store


def hit_texts(store, query, limit=50):
    return [store.sentence(h.source_id, h.index).text for h in store.search(query, limit)]


def test_search_and_first_then_or(searchable):
    # With limit 2, one AND hit (>= limit // 2) is enough: no OR fallback.
    assert hit_texts(searchable, "yearly report border", limit=2) == [
        "The agency releases a yearly report on border arrests."
    ]
    # With a large limit, too few AND hits: the OR query ranks the full match first.
    results = hit_texts(searchable, "yearly report border", limit=10)
    assert results[0] == "The agency releases a yearly report on border arrests."
    assert "Arrests fell sharply in the spring, the report said." in results
    assert "The border wall budget rose to 7.5 billion dollars." in results
    hits = searchable.search("yearly report border", limit=10)
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert searchable.search("the of and") == [] and searchable.search("") == []


def test_search_numbers_stemming_and_safety(searchable):
    released = "Officials released 435,719 records on Tuesday."
    assert hit_texts(searchable, "435719") == [released]
    assert hit_texts(searchable, "435,719") == [released]
    assert hit_texts(searchable, "435") == []
    assert hit_texts(searchable, "7.5 billion") == ["The border wall budget rose to 7.5 billion dollars."]
    assert set(hit_texts(searchable, "released", limit=2)) == {
        released,
        "The agency releases a yearly report on border arrests.",
    }
    assert hit_texts(searchable, "arrest") and len(hit_texts(searchable, "arrest", limit=2)) == 2
    for hostile in ['"', '" OR *', "river NEAR town", "NEAR(river town)", "-river", "body:river",
                    "river*", "(river", "river AND NOT town", "^river", "river'); DROP TABLE sources;--"]:
        searchable.search(hostile)  # must not raise
    assert hit_texts(searchable, "NEAR river") == ["A river runs near the town."]
    assert searchable.count()["sources"] == 5


def test_figures_filters(store):
    a, a_sentences = make_source("The city counted 1,200 shelter beds. It also recorded 300 evictions.")
    b, b_sentences = make_source("The state reported 48 percent of beds were empty in March.")
    beds = figure_at(a, a_sentences, "1,200", subject="shelter beds", scope="in the city", kind="stock")
    evictions = figure_at(a, a_sentences, "300", subject="evictions", kind="flow")
    share = figure_at(b, b_sentences, "48", subject="empty beds", unit="percent", kind="share")
    store.add(a, a_sentences, [beds, evictions], [])
    store.add(b, b_sentences, [share], [])

    assert store.figures(source_id=a.id) == [beds, evictions]
    assert store.figures(kind="flow") == [evictions]
    assert store.figures(source_ids=[b.id]) == [share] and store.figures(source_ids=[]) == []
    assert {f.id for f in store.figures(about="bed")} == {beds.id, share.id}
    assert store.figures(about="city shelter") == [beds]
    assert store.figures(about="shelter", kind="flow") == []
    assert store.figures(about="evictions", source_id=a.id) == [evictions]
    assert store.figures(about="nothing matches zebra") == []
    assert len(store.figures(limit=2)) == 2


def test_source_by_prefix(store):
    for suffix in ("111111111111", "222222222222"):
        store.add(Source(text=f"Text {suffix}.", id="abcd" + suffix), [], [], [])
    store.add(Source(text="Other text.", id="ffff000000000000"), [], [], [])
    assert store.source("ffff").id == "ffff000000000000"
    assert store.source("abcd1").id == "abcd111111111111"
    assert store.source("fff") is None  # shorter than a prefix may be
    assert store.source("9999") is None and store.source("abc%") is None and store.source("ab_d") is None
    with pytest.raises(StoreError, match="'abcd' is ambiguous: it matches abcd111111111111, abcd222222222222"):
        store.source("abcd")


def test_sources_are_ordered_by_date_then_id(store):
    for text, published in [("Late.", "2024-05-01"), ("Undated.", None), ("Early.", "2023-01-02")]:
        store.add(Source(text=text, published=published), [], [], [])
    assert [s.text for s in store.sources()] == ["Early.", "Late.", "Undated."]


def _add_many(path: str, tag: str, n: int) -> None:
    with SQLiteStore(path) as writer:
        for i in range(n):
            source, sentences = make_source(f"Writer {tag} stored item {i} with {i * 7} cases.")
            writer.add(source, sentences, [figure_at(source, sentences, str(i * 7))], [])


def test_concurrent_writers_from_threads_lose_nothing(store):
    errors = []

    def work(tag):
        try:
            _add_many(str(store.path), tag, 15)
            for _ in range(5):
                store.search("stored item")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count() == {"sources": 90, "sentences": 90, "figures": 90, "statements": 0}


def test_concurrent_writers_from_two_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    SQLiteStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_many, args=(path, f"p{n}", 30)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    with SQLiteStore(path) as reader:
        assert reader.count()["sources"] == 60 and reader.count()["figures"] == 60
        assert len(reader.search("writer stored item", limit=100)) == 60


def test_a_version_1_library_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in sqlite_module._statements(sqlite_module._V1):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('application', 'factdesk'), ('schema_version', '1')")
    conn.execute("INSERT INTO sources(id, text, url) VALUES ('aaaa000000000000', 'Old text.', 'u')")
    conn.execute(
        "INSERT INTO figures(rowid, id, source_id, sentence_index, start, \"end\", surface, value, quote,"
        " quote_start, quote_end, approx, unit, subject, scope, kind, attribution, speaker_kind)"
        " VALUES (1, 'aaaa000000000000:0', 'aaaa000000000000', 0, 0, 2, '12', 12, 'Old text.', 0, 9,"
        " 'exact', 'count', 'ferry crossings', '', 'flow', '', '')"
    )
    conn.commit()
    conn.close()

    with SQLiteStore(path) as migrated:
        assert [f.id for f in migrated.figures(about="ferry")] == ["aaaa000000000000:0"]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
        sqlite_module.SCHEMA_VERSION
    )
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'sources_url'").fetchone()
    conn.close()


def test_foreign_and_newer_files_are_refused_by_name(tmp_path):
    newer = tmp_path / "newer.db"
    SQLiteStore(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"newer\.db.*newer factdesk"):
        SQLiteStore(newer)

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE birds (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"other\.db is not a factdesk library"):
        SQLiteStore(other)

    text = tmp_path / "x.db"
    text.write_text("just some notes, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"x\.db is not a factdesk library"):
        SQLiteStore(text)

    with pytest.raises(StoreError, match="does not exist"):
        SQLiteStore(tmp_path / "missing" / "lib.db")
    with pytest.raises(StoreError, match="is a folder"):
        SQLiteStore(tmp_path)


def test_open_store_locations(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTDESK_DB", str(tmp_path / "from_env.db"))
    open_store(None).close()
    assert (tmp_path / "from_env.db").exists()
    monkeypatch.delenv("FACTDESK_DB")
    monkeypatch.chdir(tmp_path)
    open_store().close()
    assert (tmp_path / "factdesk.db").exists()
    # A server URL selects PostgreSQL: a clear one-line error when the driver or the server is missing.
    with pytest.raises(StoreError, match="PostgreSQL support is not installed|cannot connect to library postgresql://"):
        open_store("postgresql://db.invalid/factdesk")
    closed = open_store(str(tmp_path / "c.db"))
    closed.close()
    with pytest.raises(StoreError, match="closed"):
        closed.count()
