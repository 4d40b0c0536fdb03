"""What only the SQLite store does: migrating old library files, refusing files that are not
libraries, and choosing the library's location. The behaviour both stores share is tested once,
against each of them, in test_store_contract.py."""

import sqlite3

import pytest

from factdesk.store import SQLiteStore, StoreError, open_store
from factdesk.store import sqlite as sqlite_module


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
