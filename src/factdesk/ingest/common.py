"""Helpers every format shares: the error type, decoding, dates, sizes and outlet kinds."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

OUTLET_KINDS = ("government", "official", "advocacy", "researcher", "media")


class IngestError(Exception):
    """Input that cannot become a Source; the message is one line, the reason only."""


def utc_now() -> str:
    """Now as an ISO UTC timestamp to the second, e.g. 2024-09-28T13:30:05Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_size(n: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if n >= scale:
            return f"{n / scale:.0f} {unit}" if n >= 10 * scale else f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def too_large(size: int, limit: int) -> IngestError:
    shown = (human_size(size), human_size(limit))
    if shown[0] == shown[1]:  # too close to tell apart when rounded
        shown = (f"{size:,} bytes", f"{limit:,} bytes")
    return IngestError(f"file too large ({shown[0]} > {shown[1]})")


# --- decoding -----------------------------------------------------------------------------

_BOMS = (("\ufeff".encode("utf-8"), "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# C0 control characters that never occur in text (tab, newlines and form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def html_declared_charset(data: bytes) -> str | None:
    """The charset a HTML page declares in a <meta> tag within its first 4 kB."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: a BOM, else UTF-8, else the declared charset or Windows-1252 when
    either decodes cleanly. Newlines are unified to "\\n". Raises IngestError for binary,
    undecodable or empty input."""
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], encoding)
            if text is None:
                raise IngestError(f"cannot decode text (invalid {encoding.upper()} after its BOM)")
            break
    if text is None:
        if b"\x00" in data:
            raise IngestError("binary file")
        text = _strict(data, "utf-8")
        for encoding in (declared, "cp1252"):
            if text is None and encoding:
                text = _strict(data, encoding)
        if text is None:
            raise IngestError("cannot decode text (not UTF-8, the declared charset or Windows-1252)")
    # A handful of stray control characters happen in real text; many mean it is not text.
    if len(_CONTROL.findall(text)) > max(2, len(text) // 200):
        raise IngestError("binary file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("empty file")
    return text


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


# --- dates --------------------------------------------------------------------------------

_PARTIAL_ISO = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d\s*[ap]\.?m\b", re.I)
# dateparser does not know these abbreviations with their dots.
_ABBREVIATIONS = {"sept.": "sep", "sept": "sep", "a.m.": "am", "p.m.": "pm"}


def normalise_date(value: str) -> str | None:
    """A date string as ISO ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM`` when it gives a time of
    day other than midnight (the wall-clock time as published; the offset is dropped so
    the date stays the outlet's date). A year or a month alone keeps that precision
    (``YYYY``, ``YYYY-MM``). None when unreadable."""
    value = value.strip()
    if not value:
        return None
    if _PARTIAL_ISO.match(value):
        return value
    try:
        parsed: date | datetime = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        parsed = _dateparser(value, ["day", "month", "year"])
        if parsed is None:
            month = _dateparser(value, ["month", "year"])
            return month.strftime("%Y-%m") if month else None
    # Midnight exactly is what most sites emit when they know only the day.
    if _HAS_TIME.search(value) and isinstance(parsed, datetime) and (parsed.hour or parsed.minute):
        return parsed.strftime("%Y-%m-%dT%H:%M")
    return parsed.strftime("%Y-%m-%d")


def _dateparser(value: str, parts: list[str]) -> datetime | None:
    import dateparser  # slow to import; only needed for non-ISO dates

    cleaned = re.sub(
        r"\b(" + "|".join(re.escape(k) for k in _ABBREVIATIONS) + r")(?=\s|,|$)",
        lambda m: _ABBREVIATIONS[m.group(1).lower()],
        value,
        flags=re.I,
    )
    return dateparser.parse(
        cleaned,
        languages=["en"],
        settings={
            "REQUIRE_PARTS": parts,
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


# --- outlets ------------------------------------------------------------------------------


def outlet_kind_for(url: str | None) -> str | None:
    """"government" for hosts under .gov or .mil (also gov.uk-style country domains); None
    otherwise, because no other domain suffix says what kind of outlet a site is."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    labels = host.split(".")
    if labels[-1] in ("gov", "mil"):
        return "government"
    if len(labels) >= 2 and labels[-2] in ("gov", "mil") and len(labels[-1]) == 2:
        return "government"
    return None


def split_authors(value: str | list | None) -> list[str]:
    """Authors from a list or a string "A, B and C" / "A; B"; empty names dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        separator = ";" if ";" in value else ","
        parts = [p for chunk in value.split(separator) for p in re.split(r"\s+(?:and|&)\s+", chunk)]
    else:
        parts = [str(p) for p in value]
    names: list[str] = []
    for part in parts:
        name = re.sub(r"^\s*by\s+", "", part.strip(), flags=re.I).strip()
        if name and name not in names:
            names.append(name)
    return names
