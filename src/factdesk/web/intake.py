"""Adding sources over the web: uploaded files and URLs, shared by the JSON API and the pages.

Uploads are read by the same readers as `factdesk ingest` (Library.ingest_bytes: the format
comes from the file's extension, else its content); URLs go through the same safe fetcher,
private-address guard included. Each source is stored in its own transaction.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

from factdesk.library import IngestOutcome, Library

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+", re.I)
# The fetcher's refusals of the URL itself (as opposed to a remote server failing us).
_REFUSED = ("refused private address", "invalid URL", "unsupported URL scheme")


class IntakeError(Exception):
    """A request to add sources that added nothing; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str, outcomes: list[IngestOutcome] | None = None):
        super().__init__(message)
        self.status = status
        self.outcomes = outcomes or []


def safe_name(name: str | None) -> str:
    """An uploaded file's name without folders or odd characters (its extension kept)."""
    base = Path((name or "").replace("\\", "/")).name
    base = _UNSAFE_NAME.sub("_", base).strip("._") or "upload"
    return base[-120:]


def add_uploads(lib: Library, files: list[tuple[str, bytes]], max_bytes: int) -> list[IngestOutcome]:
    """Read and store each (name, content) pair; a failed file never stops the others."""
    if not files:
        raise IntakeError(422, "no file: send multipart/form-data with one or more 'file' fields, "
                               "or JSON {\"url\": ...}")
    outcomes: list[IngestOutcome] = []
    for name, data in files:
        outcomes.extend(lib.ingest_bytes(safe_name(name), data, max_bytes=max_bytes))
    if all(o.status == "failed" for o in outcomes):
        raise IntakeError(422, "; ".join(f"{o.origin}: {o.message}" for o in outcomes), outcomes)
    return outcomes


def add_url(lib: Library, url: str, *, allow_private: bool) -> list[IngestOutcome]:
    """Fetch, read and store one http(s) URL through the private-address guard."""
    url = (url or "").strip()
    if not _HTTP_URL.match(url):
        raise IntakeError(400, f"url: expected an http:// or https:// address, got {url[:80]!r}")
    outcomes = lib.ingest([url], allow_private=allow_private).outcomes
    if all(o.status == "failed" for o in outcomes):
        message = outcomes[0].message if outcomes else "nothing could be read"
        status = 400 if message.startswith(_REFUSED) else 502
        raise IntakeError(status, f"{url}: {message}", outcomes)
    return outcomes


def outcome_dict(outcome: IngestOutcome) -> dict:
    return asdict(outcome)


def summary(outcomes: list[IngestOutcome]) -> dict:
    """The API's answer to an intake: each outcome and the counts."""
    count = lambda *s: sum(o.status in s for o in outcomes)  # noqa: E731
    return {
        "outcomes": [outcome_dict(o) for o in outcomes],
        "ingested": count("ingested", "new_version"),
        "duplicates": count("duplicate"),
        "failed": count("failed"),
    }
