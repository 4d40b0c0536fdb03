"""Fetching a URL safely: no private addresses, every redirect checked, a size cap.

Each hop's host is resolved once with getaddrinfo; if any address is private, loopback,
link-local, reserved, multicast or unspecified (IPv4 or IPv6, including IPv4-mapped IPv6)
the fetch is refused unless ``allow_private``. The request then goes to the checked
address itself (the URL's host travels in the Host header and, for HTTPS, as the TLS
server name, so certificates are still verified against the host name): a DNS answer
that changes between the check and the connection cannot redirect us (DNS rebinding).
Environment proxies are ignored for the same reason. Redirects are followed by hand so
that every hop gets the same check.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from factdesk import __version__
from factdesk.ingest.common import human_size, utc_now

USER_AGENT = f"factdesk/{__version__} (fact-checking source ingest)"
ALLOWED_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/markdown",
    "application/pdf",
    "application/json",
    "application/x-ndjson",
    "application/jsonl",
)
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that could not be fetched; the message is one line."""


@dataclass(slots=True)
class Fetched:
    url: str  # as given
    final_url: str  # after redirects
    status: int
    content_type: str  # the media type, lowercased, without parameters ("" when absent)
    body: bytes
    retrieved: str  # ISO UTC time of the fetch
    charset: str | None = None  # from the Content-Type header


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 15.0,
    max_bytes: int = 20_000_000,
    max_redirects: int = 5,
) -> Fetched:
    """GET ``url`` under the rules above; raises FetchError with a one-line reason."""
    deadline = time.monotonic() + timeout
    current = url
    with httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _hop in range(max_redirects + 1):
            target = _checked_target(current, allow_private)
            try:
                with client.stream(
                    "GET", target.pinned_url, headers={"Host": target.host_header},
                    extensions={"sni_hostname": target.host},
                ) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if not 200 <= response.status_code < 300:
                        raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                    media_type, charset = _content_type(response.headers.get("content-type", ""))
                    if media_type and media_type not in ALLOWED_TYPES:
                        raise FetchError(f"unsupported content type {media_type}")
                    body = _read_capped(response, max_bytes, deadline, timeout)
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {timeout:g} s") from None
            except httpx.HTTPError as error:
                raise FetchError(f"cannot fetch {target.host}: {_reason(error)}") from None
            return Fetched(url, current, response.status_code, media_type, body, utc_now(), charset)
    raise FetchError(f"too many redirects (more than {max_redirects})")


@dataclass(slots=True)
class _Target:
    host: str
    host_header: str
    pinned_url: str  # the URL with its host replaced by the checked address


def _checked_target(url: str, allow_private: bool) -> _Target:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid URL ({error})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme '{parsed.scheme}' (only http and https)")
    host = parsed.raw_host.decode("ascii")  # international names in their IDNA (xn--) form
    if not host:
        raise FetchError("invalid URL (no host)")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve host {host} ({error.args[-1]})") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not allow_private:
        # Refuse if ANY answer is private: we must not pick a public one that a later
        # resolution might swap for the private one.
        for address in addresses:
            if _is_private(address):
                shown = getattr(address, "ipv4_mapped", None) or address
                raise FetchError(f"refused private address {shown}")
    address = addresses[0]
    default_port = port == (443 if parsed.scheme == "https" else 80)
    return _Target(
        host=host,
        host_header=(f"[{host}]" if ":" in host else host) + ("" if default_port else f":{port}"),
        pinned_url=str(parsed.copy_with(host=str(address))),
    )


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:10.0.0.1 reaches 10.0.0.1
            return _is_private(address.ipv4_mapped)
        tunnelled = address.sixtofour or (address.teredo or (None, None))[1]
        if tunnelled is not None and _is_private(tunnelled):
            return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global  # shared address space (100.64/10) and the like
    )


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float, timeout: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"response too large ({human_size(int(declared))} > {human_size(max_bytes)})")
    chunks, size = [], 0
    for chunk in response.iter_bytes():  # decoded bytes: the cap also bounds gzip bombs
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response too large (more than {human_size(max_bytes)})")
        if time.monotonic() > deadline:  # a server dripping bytes must not hold us forever
            raise FetchError(f"timed out after {timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(error: Exception) -> str:
    message = " ".join(str(error).split())
    return message[:120] or type(error).__name__
