"""Library stores: ``open_store`` picks the implementation from the location."""

from __future__ import annotations

import os

from factdesk.store.base import AddResult, SentenceHit, Store, StoreError
from factdesk.store.sqlite import SQLiteStore

DEFAULT_LOCATION = "./factdesk.db"


def open_store(location: str | None = None) -> Store:
    """Open (creating if needed) the library at ``location``: an SQLite file path.

    Without a location, the environment variable FACTDESK_DB is used, then ./factdesk.db.
    """
    location = location or os.environ.get("FACTDESK_DB") or DEFAULT_LOCATION
    if location.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "PostgreSQL support is not installed yet; use an SQLite file path as the library"
        )
    return SQLiteStore(location)


__all__ = ["AddResult", "SentenceHit", "Store", "StoreError", "SQLiteStore", "open_store"]
