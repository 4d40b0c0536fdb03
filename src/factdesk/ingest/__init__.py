"""Files and URLs to Sources: HTML, PDF, plain text, Markdown and JSON Lines.

``expand_targets`` turns what a user typed into a list of targets; ``read`` turns one
target into one or more ``Loaded`` results (a Source, or the one-line reason it failed);
``parse_fetched`` does the same for a response already fetched (or read from a cache).
Nothing here stores anything, and bad input never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from factdesk.ingest import fetch, html, jsonl, pdf, text
from factdesk.ingest.common import (
    IngestError,
    decode,
    html_declared_charset,
    outlet_kind_for,
    too_large,
    utc_now,
)
from factdesk.model import Source

# The fetcher lives in factdesk.ingest.fetch (fetch, Fetched, FetchError).
__all__ = ["Loaded", "expand_targets", "read", "parse_fetched", "SUPPORTED_EXTENSIONS"]

SUPPORTED_EXTENSIONS = (".html", ".htm", ".pdf", ".txt", ".md", ".markdown", ".jsonl")
_FORMAT_BY_EXTENSION = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_FORMAT_BY_MEDIA_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "markdown",
    "application/json": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
}
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_LOOKS_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)


@dataclass(slots=True)
class Loaded:
    origin: str  # file path, "file.jsonl:LINE", or URL
    source: Source | None  # None when it failed
    error: str | None  # one line: the reason it failed


def expand_targets(targets: list[str]) -> list[str]:
    """Paths and URLs as given, directories replaced by their supported files (recursively,
    sorted, hidden files and folders skipped). A missing path stays and fails in read()."""
    expanded: list[str] = []
    for target in targets:
        path = Path(target)
        if _URL_SCHEME.match(target) or not path.is_dir():
            expanded.append(target)
            continue
        for file in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
            if not hidden and file.is_file() and file.suffix.lower() in SUPPORTED_EXTENSIONS:
                expanded.append(str(file))
    return expanded


def read(target: str, *, allow_private: bool = False, max_bytes: int = 20_000_000) -> Iterator[Loaded]:
    """One target (a path or an http(s) URL) to one Loaded, or one per line for JSON Lines."""
    try:
        scheme = _URL_SCHEME.match(target)
        if scheme:
            if scheme.group(1).lower() not in ("http", "https"):
                raise IngestError(f"unsupported URL scheme '{scheme.group(1)}' (only http and https)")
            yield from parse_fetched(fetch.fetch(target, allow_private=allow_private, max_bytes=max_bytes))
        else:
            yield from _read_file(target, max_bytes=max_bytes)
    except Exception as error:
        yield _failed(target, error)


def parse_fetched(fetched: fetch.Fetched) -> Iterator[Loaded]:
    """A fetched response to Loaded results, as ``read`` makes them for its URL: the format
    from the media type (else sniffed from the body), ``fetched.url`` as the origin."""
    try:
        kind = _FORMAT_BY_MEDIA_TYPE.get(fetched.content_type) or _sniff(fetched.body)
        yield from _parse(
            fetched.body,
            kind,
            origin=fetched.url,
            url=fetched.final_url,
            retrieved=fetched.retrieved,
            charset=fetched.charset,
        )
    except Exception as error:
        yield _failed(fetched.url, error)


def _failed(origin: str, error: Exception) -> Loaded:
    """The one-line reason a target failed; an error other than ingest's own is a parser
    bug, reported as unexpected rather than ending a whole ingest run."""
    if isinstance(error, (IngestError, fetch.FetchError)):
        return Loaded(origin, None, str(error))
    return Loaded(origin, None, f"unexpected {type(error).__name__}: {' '.join(str(error).split())[:160]}")


def _read_file(target: str, *, max_bytes: int) -> Iterator[Loaded]:
    path = Path(target)
    if not path.exists():
        raise IngestError("no such file or directory")
    if path.is_dir():
        raise IngestError("is a directory (expand it with expand_targets)")
    if _FORMAT_BY_EXTENSION.get(path.suffix.lower()) == "jsonl":
        # A corpus can be far larger than one source: stream it, and cap each line instead.
        yield from _read_jsonl_file(path, target, max_bytes=max_bytes)
        return
    size = path.stat().st_size
    if size > max_bytes:
        raise too_large(size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(f"cannot read file ({error.strerror or error})") from None
    kind = _FORMAT_BY_EXTENSION.get(path.suffix.lower()) or _sniff(data)
    yield from _parse(data, kind, origin=target, url=None, retrieved=utc_now())


def _read_jsonl_file(path: Path, target: str, *, max_bytes: int) -> Iterator[Loaded]:
    retrieved = utc_now()
    seen_any = False
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                seen_any = True
                origin = f"{target}:{number}"
                if len(raw) > max_bytes:
                    yield Loaded(origin, None, str(too_large(len(raw), max_bytes)))
                    continue
                try:
                    result: Source | IngestError = jsonl.parse_line(decode(raw.rstrip(b"\r\n"), None))
                except IngestError as error:
                    result = error
                yield _finish(result, origin, url=None, kind="jsonl", retrieved=retrieved)
    except OSError as error:
        raise IngestError(f"cannot read file ({error.strerror or error})") from None
    if not seen_any:
        raise IngestError("empty file")


def _sniff(data: bytes) -> str:
    """The format of content with no telling extension or media type."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if _LOOKS_HTML.match(data[:4096]):
        return "html"
    return "text"


def _parse(
    data: bytes, kind: str, *, origin: str, url: str | None, retrieved: str, charset: str | None = None
) -> Iterator[Loaded]:
    """Bytes of a known format to Loaded results, with the fields every Source gets."""
    if not data.strip():
        raise IngestError("empty file")
    results: list[tuple[str, Source | IngestError]]
    if kind == "pdf":
        results = [(origin, pdf.parse(data))]
    elif kind == "html":
        page = decode(data, charset or html_declared_charset(data))
        results = [(origin, html.parse(page, base_url=url))]
    elif kind == "jsonl":
        results = [(f"{origin}:{line}", result) for line, result in jsonl.parse(decode(data, charset))]
    else:
        results = [(origin, text.parse(decode(data, charset), markdown=kind == "markdown"))]
    for result_origin, result in results:
        yield _finish(result, result_origin, url=url, kind=kind, retrieved=retrieved)


def _finish(result: Source | IngestError, origin: str, *, url: str | None, kind: str, retrieved: str) -> Loaded:
    """The fields every Source gets, whatever its format."""
    if isinstance(result, IngestError):
        return Loaded(origin, None, str(result))
    if url and kind != "jsonl":
        result.url = url  # what was actually fetched outranks what the page claims
    result.origin = origin
    result.retrieved = result.retrieved or retrieved
    result.outlet_kind = result.outlet_kind or outlet_kind_for(result.url)
    return Loaded(origin, result, None)
