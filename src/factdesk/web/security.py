"""The desk's guard: what every request passes before it reaches a page or the API.

Without a token the desk answers only to loopback Host names (so a web page elsewhere
cannot reach it through DNS rebinding); with one, every page and API call needs it, as a
bearer header or as the cookie that /login sets. Bodies are capped (uploads at the upload
limit, everything else small), and every response carries headers that keep a source's
text from ever running as script (Content-Security-Policy without inline scripts).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

MAX_OTHER_BODY = 256_000  # bytes for any other request (questions, claims, the login form)
COOKIE = "factdesk_session"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
PUBLIC_PREFIXES = ("/static/", "/docs-assets/", "/login")
UPLOAD_PATHS = ("/api/sources", "/sources")
# Pages allow only their own scripts and styles: a source's text can never run as script.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def session_value(token: str) -> str:
    """The login cookie's value: derived from the token, never the token itself."""
    return hmac.new(token.encode(), b"factdesk-session", hashlib.sha256).hexdigest()


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0]
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"request body too large (limit {limit:,} bytes)")


class Guard:
    """ASGI middleware: Host check, authentication, body size limit and security headers."""

    def __init__(self, app, token: str | None, max_upload: int):
        self.app = app
        self.token = token
        self.session = session_value(token) if token else None
        self.max_upload = max_upload

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, headers = scope["path"], Headers(scope=scope)
        if self.token is None and _host_name(headers.get("host", "")) not in LOOPBACK_HOSTS:
            # Without a token the desk is for this machine only (this also defeats DNS rebinding).
            return await _error(scope, send, 400, f"host {headers.get('host', '')!r} not allowed: "
                                "without --token the desk answers only on loopback names")
        if self.token and not path.startswith(PUBLIC_PREFIXES) and not self._authorized(headers):
            if _wants_json(path, headers):
                return await _error(scope, send, 401, "missing or wrong bearer token "
                                    "(send 'Authorization: Bearer TOKEN')",
                                    {"www-authenticate": 'Bearer realm="factdesk"'})
            target = path + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
            return await _redirect(send, "/login?next=" + quote(target, safe=""))
        limit = self.max_upload + 1_000_000 if path in UPLOAD_PATHS else MAX_OTHER_BODY
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await _error(scope, send, 413, f"request body too large ({int(declared):,} bytes; "
                                f"limit {limit:,})")
        received = 0

        async def capped_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        async def secured_send(message):
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY")]
                if not path.startswith(("/docs", "/docs-assets/")):
                    extra.append((b"content-security-policy", CSP.encode()))
                message = dict(message, headers=list(message.get("headers", [])) + extra)
            await send(message)

        await self.app(scope, capped_receive, secured_send)

    def _authorized(self, headers: Headers) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return True
        cookies = dict(
            part.strip().partition("=")[::2] for part in headers.get("cookie", "").split(";") if "=" in part
        )
        return hmac.compare_digest(cookies.get(COOKIE, "").encode(), self.session.encode())


def _wants_json(path: str, headers: Headers) -> bool:
    return path.startswith("/api/") or path == "/openapi.json" or "text/html" not in headers.get("accept", "")


async def _error(scope, send, status: int, message: str, headers: dict | None = None) -> None:
    response = JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    await response(scope, None, send)


async def _redirect(send, location: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode()), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
