"""Library stores: ``open_store`` picks the implementation from the location."""

from __future__ import annotations

import os

from factdesk.store.base import AddResult, SentenceHit, Store, StoreError
from factdesk.store.sqlite import SQLiteStore

DEFAULT_LOCATION = "./factdesk.db"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: str) -> bool:
    return location.startswith(POSTGRES_SCHEMES)


def open_store(location: str | None = None) -> Store:
    """Open (creating if needed) the library at ``location``: a ``postgresql://`` URL
    (a shared library on a PostgreSQL server; the database must exist) or an SQLite file path.

    Without a location, the environment variable FACTDESK_DB is used, then ./factdesk.db.
    """
    location = location or os.environ.get("FACTDESK_DB") or DEFAULT_LOCATION
    if is_postgres(location):
        from factdesk.store.postgres import PostgresStore

        return PostgresStore(location)
    return SQLiteStore(location)


__all__ = ["AddResult", "SentenceHit", "Store", "StoreError", "SQLiteStore", "is_postgres", "open_store"]
