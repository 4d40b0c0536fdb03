"""JSON Lines: one source per line.

Each line is an object with ``text`` (required) and optionally ``url``, ``title``,
``publisher``, ``published``, ``authors`` (a list or "A, B"), ``outlet_kind`` and
``retrieved``; other keys are ignored. ``text`` is stored verbatim (newlines unified), so
offsets into it match the file. A bad line is reported on its own; the others still load.
"""

from __future__ import annotations

import json
from typing import Iterator

from factdesk.ingest.common import OUTLET_KINDS, IngestError, normalise_date, split_authors
from factdesk.model import Source

_STRING_FIELDS = ("url", "title", "publisher")
_DATE_FIELDS = ("published", "retrieved")


def parse(text: str) -> Iterator[tuple[int, Source | IngestError]]:
    """(1-based line number, the Source or the reason it failed) for each non-blank line."""
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            yield number, parse_line(line)
        except IngestError as error:
            yield number, error


def parse_line(line: str) -> Source:
    """One JSON Lines record to a Source; IngestError names the bad field."""
    try:
        record = json.loads(line)
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise IngestError(f"invalid JSON at column {error.colno} ({error.msg})") from None
        raise IngestError(f"invalid JSON ({error})") from None
    if not isinstance(record, dict):
        raise IngestError("not a JSON object")
    if "text" not in record:
        raise IngestError("missing field 'text'")
    text = record["text"]
    if not isinstance(text, str):
        raise IngestError("field 'text' must be a string")
    if not text.strip():
        raise IngestError("field 'text' is empty")
    fields: dict = {}
    for name in _STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise IngestError(f"field '{name}' must be a string")
        fields[name] = value.strip() or None if value else None
    for name in _DATE_FIELDS:
        value = record.get(name)
        if value in (None, ""):
            continue
        date = normalise_date(value) if isinstance(value, str) else None
        if date is None:
            raise IngestError(f"field '{name}' is not a date: {value!r}")
        fields[name] = date
    authors = record.get("authors")
    if authors is not None:
        if not isinstance(authors, (str, list)) or any(not isinstance(a, str) for a in authors or []):
            raise IngestError("field 'authors' must be a string or a list of strings")
        fields["authors"] = split_authors(authors)
    outlet_kind = record.get("outlet_kind")
    if outlet_kind is not None:
        if outlet_kind not in OUTLET_KINDS:
            raise IngestError(f"field 'outlet_kind' must be one of {', '.join(OUTLET_KINDS)}")
        fields["outlet_kind"] = outlet_kind
    return Source(text=text.replace("\r\n", "\n"), **fields)
