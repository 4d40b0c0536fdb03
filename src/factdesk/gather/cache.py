"""The gather cache: every search answer and every fetched page, with when it was retrieved,
so that a report can be rebuilt offline from exactly the same pages.

Layout: ``searches/<key>.json`` (engine, query, time, results) and ``pages/<key>.json``
(the fetch's metadata) beside ``pages/<key>.body`` (the bytes as served). Keys are SHA-256
of the query or URL. Files are written whole and renamed into place, so an interrupted run
never leaves half a page behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from factdesk.gather.engines import SearchResult
from factdesk.ingest.common import utc_now
from factdesk.ingest.fetch import Fetched


def default_cache_dir(library_path: Path | str | None) -> Path:
    """$FACTDESK_CACHE, else ``<library file>.cache`` beside the library."""
    configured = os.environ.get("FACTDESK_CACHE", "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(f"{library_path or 'factdesk.db'}.cache")


class CacheError(Exception):
    """The cache cannot be written or read; the message is one line."""


class PageCache:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    # ---- searches -----------------------------------------------------------------------
    def save_results(self, engine: str, query: str, results: list[SearchResult]) -> None:
        record = {"engine": engine, "query": query, "searched": utc_now(),
                  "results": [asdict(r) for r in results]}
        self._write(self._path("searches", query, ".json"), json.dumps(record, ensure_ascii=False).encode())

    def results(self, query: str) -> tuple[str, list[SearchResult]] | None:
        """The engine and results cached for ``query``, or None if it was never searched."""
        record = self._read_json(self._path("searches", query, ".json"))
        if record is None:
            return None
        return record["engine"], [SearchResult(**r) for r in record["results"]]

    # ---- pages ----------------------------------------------------------------------------
    def save_page(self, fetched: Fetched) -> None:
        meta = {"url": fetched.url, "final_url": fetched.final_url, "status": fetched.status,
                "content_type": fetched.content_type, "charset": fetched.charset,
                "retrieved": fetched.retrieved, "bytes": len(fetched.body)}
        # body first: a metadata file is only ever present beside a complete body
        self._write(self._path("pages", fetched.url, ".body"), fetched.body)
        self._write(self._path("pages", fetched.url, ".json"), json.dumps(meta, ensure_ascii=False).encode())

    def page(self, url: str) -> Fetched | None:
        meta = self._read_json(self._path("pages", url, ".json"))
        if meta is None:
            return None
        try:
            body = self._path("pages", url, ".body").read_bytes()
        except OSError:
            return None
        if len(body) != meta.get("bytes"):
            return None
        return Fetched(meta["url"], meta["final_url"], meta["status"], meta["content_type"], body,
                       meta["retrieved"], meta.get("charset"))

    # ---- files ----------------------------------------------------------------------------
    def _path(self, folder: str, key: str, suffix: str) -> Path:
        return self.directory / folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + suffix)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError as error:
            raise CacheError(f"cannot write the gather cache {self.directory}: {error.strerror or error}") from None

    def _read_json(self, path: Path) -> dict | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise CacheError(f"unreadable gather cache file {path}: {error}") from None
        return record if isinstance(record, dict) else None
