"""The behaviour every store must have, run against each implementation (SQLite, PostgreSQL)."""

import multiprocessing
import sqlite3
import threading

import pytest
from conftest import figure_at, make_source

from factdesk.model import Period, Source, Statement
from factdesk.store import SQLiteStore, StoreError, open_store


def location(store) -> str:
    return str(store.path) if isinstance(store, SQLiteStore) else store.url


def execute(store, sql: str) -> None:
    """Run raw SQL on the store's database behind its back (to set up odd states)."""
    if isinstance(store, SQLiteStore):
        conn = sqlite3.connect(store.path)
        conn.execute(sql)
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(store.url, autocommit=True) as conn:
            conn.execute(sql)


def snapshot(store) -> tuple:
    """Everything a library holds, as seen through the store interface."""
    sources = store.sources()
    return (
        sources,
        [store.sentences(s.id) for s in sources],
        [store.sources_by_url(s.url) for s in sources if s.url],
        store.figures(),
        store.statements(),
        store.count(),
    )


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


def test_unicode_and_odd_text_round_trips(store):
    text = "Café owners in Zürich counted 1 200 guests — “about 40%” more. Tab\there; emoji 🙂 too."
    source, sentences = make_source(text, title="Ünïcode ✓", authors=["Zoë"])
    store.add(source, sentences, [], [])
    assert store.source(source.id) == source and store.sentences(source.id) == sentences
    assert [h.source_id for h in store.search("cafe zurich")] == [source.id]


def test_duplicate_changes_nothing(store):
    source, sentences = make_source(DOCKET, "https://example.org/a")
    store.add(source, sentences, [], [])
    before = snapshot(store)
    again = store.add(Source(text=DOCKET, url="https://example.org/b"), sentences, [], [])
    assert again.added is False and again.source_id == source.id
    assert snapshot(store) == before


def test_same_url_with_new_text_is_a_new_version(store):
    first, first_sentences = make_source(DOCKET, "https://example.org/a")
    second, second_sentences = make_source(DOCKET + " A correction was added.", "https://example.org/a")
    third, third_sentences = make_source(DOCKET + " Two corrections.", "https://example.org/a")
    assert store.add(first, first_sentences, [], []).new_version_of is None
    assert store.add(second, second_sentences, [], []).new_version_of == first.id
    assert store.add(third, third_sentences, [], []).new_version_of == second.id
    assert [s.id for s in store.sources_by_url("https://example.org/a")] == [first.id, second.id, third.id]


def test_failure_midway_rolls_back_everything(store):
    kept, kept_sentences = make_source("An earlier source counted 12 cases.", "https://example.org/kept")
    store.add(kept, kept_sentences, [figure_at(kept, kept_sentences, "12")], [])
    before = snapshot(store)

    source, sentences = make_source(DOCKET)
    figures = [figure_at(source, sentences, "435,719"), figure_at(source, sentences, "7.5")]
    # A real constraint failure on the second figure: the same id twice.
    clash = figure_at(source, sentences, "7.5", id=figures[0].id)
    with pytest.raises(StoreError, match=source.id):
        store.add(source, sentences, [figures[0], clash], [])
    assert snapshot(store) == before

    # Any other exception midway (here: hedges that cannot be stored) also leaves nothing behind.
    unstorable = figure_at(source, sentences, "7.5", hedges=[object()])
    with pytest.raises(TypeError):
        store.add(source, sentences, [figures[0], unstorable], [])
    assert snapshot(store) == before
    assert not store.has_source(source.id) and store.search("docket") == []

    assert store.add(source, sentences, figures, []).added
    assert [f.id for f in store.figures(source_id=source.id)] == [f.id for f in figures]


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
    assert "A river runs near the town." not in results
    hits = searchable.search("yearly report border", limit=10)
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert searchable.search("the of and") == [] and searchable.search("") == []


def test_search_numbers_stemming_and_safety(searchable):
    released = "Officials released 435,719 records on Tuesday."
    assert hit_texts(searchable, "435719") == [released]
    assert hit_texts(searchable, "435,719") == [released]
    assert hit_texts(searchable, "435") == []
    assert hit_texts(searchable, "7.5 billion") == ["The border wall budget rose to 7.5 billion dollars."]
    assert hit_texts(searchable, "5.7 billion", limit=1) == []  # a decimal's digits are a phrase (AND only)
    assert set(hit_texts(searchable, "released", limit=2)) == {
        released,
        "The agency releases a yearly report on border arrests.",
    }
    assert hit_texts(searchable, "arrest") and len(hit_texts(searchable, "arrest", limit=2)) == 2
    for hostile in ['"', '" OR *', "river NEAR town", "NEAR(river town)", "-river", "body:river",
                    "river*", "(river", "river AND NOT town", "^river", "river'); DROP TABLE sources;--",
                    "river & !town", "river <-> town", "river:*", "'river'", "\\", "%_"]:
        searchable.search(hostile)  # must not raise
    assert hit_texts(searchable, "NEAR river") == ["A river runs near the town."]
    assert hit_texts(searchable, "river & !town") == ["A river runs near the town."]
    assert searchable.count()["sources"] == 5


def test_search_ties_keep_insertion_order(store):
    ids = []
    for n in range(4):
        source, sentences = make_source(f"Harbour ferries carried passengers in batch {n}.")
        store.add(source, sentences, [], [])
        ids.append(source.id)
    assert [h.source_id for h in store.search("harbour ferries")] == ids


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
    assert store.figures(about="1200") == [beds]
    assert store.figures(about="nothing matches zebra") == []
    assert store.figures(about="the of") == []
    assert len(store.figures(limit=2)) == 2
    # With a limit, the best matches are kept: the subject that names it beats a passing mention.
    assert store.figures(about="empty beds", limit=1) == [share]


def test_statements_by_source(store):
    a, a_sentences = make_source("A mayor said the plan works. Nobody else spoke.")
    b, b_sentences = make_source("A union leader said the plan fails.")
    said_a = Statement(a.id, 0, 0, a_sentences[0].end, a_sentences[0].text, "A mayor", "official")
    said_b = Statement(b.id, 0, 0, b_sentences[0].end, b_sentences[0].text, "A union leader", "advocacy")
    store.add(a, a_sentences, [], [said_a])
    store.add(b, b_sentences, [], [said_b])
    assert store.statements(source_ids=[a.id]) == [said_a]
    assert store.statements(source_ids=[]) == []
    assert sorted(store.statements(), key=lambda s: s.source_id) == sorted([said_a, said_b], key=lambda s: s.source_id)


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
    for text, published in [("Late.", "2024-05-01"), ("Undated.", None), ("Early.", "2023-01-02"),
                            ("Also early.", "2023-01-02")]:
        store.add(Source(text=text, published=published), [], [], [])
    listed = store.sources()
    assert [s.published for s in listed] == ["2023-01-02", "2023-01-02", "2024-05-01", None]
    assert listed[0].id < listed[1].id


def _add_many(location: str, tag: str, n: int) -> None:
    writer = open_store(location)
    try:
        for i in range(n):
            source, sentences = make_source(f"Writer {tag} stored item {i} with {i * 7} cases.")
            writer.add(source, sentences, [figure_at(source, sentences, str(i * 7))], [])
    finally:
        writer.close()


def test_concurrent_writers_from_threads_lose_nothing(store):
    errors = []

    def work(tag):
        try:
            _add_many(location(store), tag, 15)
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


def test_concurrent_writers_from_two_processes_lose_nothing(store):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_add_many, args=(location(store), f"p{n}", 30)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert store.count()["sources"] == 60 and store.count()["figures"] == 60
    assert len(store.search("writer stored item", limit=100)) == 60


def test_reopening_keeps_everything(store):
    source, sentences = make_source(DOCKET, "https://example.org/a")
    store.add(source, sentences, [figure_at(source, sentences, "435,719")], [])
    before = snapshot(store)
    again = open_store(location(store))
    try:
        assert again.schema_version == store.schema_version
        assert snapshot(again) == before
    finally:
        again.close()


def test_newer_and_foreign_libraries_are_refused_by_name(store):
    name = location(store) if isinstance(store, SQLiteStore) else store.name
    execute(store, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer factdesk") as refused:
        open_store(location(store))
    assert name in str(refused.value)
    execute(store, "DELETE FROM meta")
    with pytest.raises(StoreError, match="is not a factdesk library") as refused:
        open_store(location(store))
    assert name in str(refused.value) and "\n" not in str(refused.value)


def test_closed_store_says_so(store):
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count()


def test_unreachable_postgres_is_one_line_naming_it_without_password(tmp_path):
    pytest.importorskip("psycopg")
    url = f"postgresql://desk:secret@/library?host={tmp_path}/nowhere&port=5999"
    with pytest.raises(StoreError) as refused:
        open_store(url)
    message = str(refused.value)
    assert message.startswith(f"cannot connect to library postgresql://desk:***@/library?host={tmp_path}/nowhere")
    assert "secret" not in message and "\n" not in message


def test_sources_come_in_pages_and_without_text_when_asked(store):
    for day in range(1, 6):
        source, sentences = make_source(f"Item {day}: the depot logged {day * 11} deliveries.",
                                        published=f"2024-03-0{day}")
        store.add(source, sentences, [], [])
    everything = store.sources()
    page = store.sources(limit=2, offset=1, with_text=False)
    assert [s.id for s in page] == [s.id for s in everything[1:3]]
    assert all(s.text == "" and s.title == t.title for s, t in zip(page, everything[1:3]))
    assert store.sources(limit=10, offset=5) == []
