"""Plain text and Markdown, with metadata in front matter or leading header lines.

Front matter::

    ---
    url: https://example.org/story
    title: A story
    publisher: Example News
    published: 2024-09-28
    authors: A. Writer, B. Writer
    ---

or the same ``Key: value`` lines at the very top, ended by a blank line. Only the keys
below count as header lines, so a body that happens to start with "Note: ..." stays body.
Markdown is stored as the plain text a reader sees: link targets, emphasis markers and
heading hashes are removed (offsets are into this stored text).
"""

from __future__ import annotations

import re

from factdesk.ingest.common import OUTLET_KINDS, IngestError, normalise_date, split_authors
from factdesk.model import Source

_KEYS = {
    "url": "url",
    "title": "title",
    "publisher": "publisher",
    "published": "published",
    "date": "published",
    "authors": "authors",
    "author": "authors",
    "retrieved": "retrieved",
    "outlet_kind": "outlet_kind",
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_KEY_LINE = re.compile(r"^([A-Za-z][\w -]*?)\s*:\s*(.*)$")
_LIST_ITEM = re.compile(r"^\s*-\s+(.*)$")


def parse(text: str, *, markdown: bool) -> Source:
    meta, body = _split_metadata(text)
    if markdown:
        body = markdown_to_text(body)
    body = "\n".join(line.rstrip() for line in body.strip().split("\n"))
    if not body:
        raise IngestError("empty file (metadata but no text)")
    fields = _fields(meta)
    title = fields.pop("title", None) or _guess_title(body)
    return Source(text=body, title=title, **fields)


def _split_metadata(text: str) -> tuple[dict[str, str | list[str]], str]:
    match = _FRONT_MATTER.match(text)
    if match:
        return _front_matter(match.group(1)), text[match.end() :]
    lines = text.lstrip("\n").split("\n")
    meta: dict[str, str | list[str]] = {}
    for n, line in enumerate(lines):
        if not line.strip():
            return (meta, "\n".join(lines[n:])) if meta else ({}, text)
        key_line = _KEY_LINE.match(line)
        if not key_line or key_line.group(1).lower() not in _KEYS:
            return {}, text  # not a header block: all of it is body
        meta[key_line.group(1).lower()] = key_line.group(2)
    return {}, text  # only "Key: value" lines and no body: treat them as the text


def _front_matter(block: str) -> dict[str, str | list[str]]:
    """YAML-like ``key: value`` lines; ``[a, b]`` and ``- item`` lines make lists."""
    meta: dict[str, str | list[str]] = {}
    key = None
    for line in block.split("\n"):
        item = _LIST_ITEM.match(line)
        if item and key is not None:
            previous = meta.get(key)
            meta[key] = (previous if isinstance(previous, list) else []) + [_unquote(item.group(1))]
            continue
        key_line = _KEY_LINE.match(line)
        if key_line:
            key, value = key_line.group(1).lower(), key_line.group(2).strip()
            if value.startswith("[") and value.endswith("]"):
                meta[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
            else:
                meta[key] = _unquote(value)
    return meta


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _fields(meta: dict[str, str | list[str]]) -> dict:
    """Known metadata keys as Source fields; a bad date or outlet kind is an error."""
    fields: dict = {}
    for key, value in meta.items():
        name = _KEYS.get(key)
        if name is None or not value:
            continue
        if name == "authors":
            fields["authors"] = split_authors(value)
            continue
        if isinstance(value, list):
            value = ", ".join(value)
        if name in ("published", "retrieved"):
            date = normalise_date(value)
            if date is None:
                raise IngestError(f"metadata field '{key}' is not a date: {value!r}")
            value = date
        if name == "outlet_kind" and value not in OUTLET_KINDS:
            raise IngestError(f"metadata field 'outlet_kind' must be one of {', '.join(OUTLET_KINDS)}")
        fields[name] = value
    return fields


def _guess_title(body: str) -> str | None:
    first = body.split("\n", 1)[0].strip()
    return first if len(first) <= 200 else None


# --- Markdown to the text a reader sees ---------------------------------------------------

_MARKDOWN_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"^[ \t]*```.*$\n?", re.M), ""),  # code fences (their content stays)
    (re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$\n?", re.M), ""),  # reference link definitions
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images: their alt text is not the article's
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # <https://...>
    (re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),  # headings
    (re.compile(r"^ {0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # rules, setext underlines
    (re.compile(r"^ {0,3}>[ \t]?", re.M), ""),  # block quotes
    (re.compile(r"^([ \t]*)[*+][ \t]+", re.M), r"\1- "),  # bullets as "- "
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *italic*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),  # _italic_
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # inline code
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])"), r"\1"),  # backslash escapes
    (re.compile(r"\n{3,}"), "\n\n"),
]


def markdown_to_text(markdown: str) -> str:
    for pattern, replacement in _MARKDOWN_RULES:
        markdown = pattern.sub(replacement, markdown)
    return markdown
