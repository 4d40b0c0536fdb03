"""`factdesk serve`: the web desk (server-rendered pages) and the JSON API over one Library.

One Library is shared by all requests; FastAPI runs the plain-``def`` endpoints in its
thread pool, and the SQLite store gives each thread its own connection (WAL, busy timeout),
so concurrent asks and uploads are safe. The Guard (security.py) in front of everything
enforces the safety rules.
"""

from __future__ import annotations

import importlib.resources
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from factdesk import __version__
from factdesk.library import Library, LibraryError
from factdesk.store.base import StoreError
from factdesk.web import api, pages
from factdesk.web.intake import IntakeError, summary
from factdesk.web.security import Guard

DEFAULT_MAX_UPLOAD = 20_000_000  # bytes per upload request, the same cap as `factdesk ingest`


def _validation_message(err: RequestValidationError) -> str:
    parts = []
    for e in err.errors()[:3]:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path")]
        if e.get("type") == "json_invalid":
            parts.append("request body is not valid JSON")
        else:
            parts.append(f"{'.'.join(loc) or 'body'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def create_app(db: str | None, token: str | None, allow_private: bool = False,
               *, max_upload_bytes: int = DEFAULT_MAX_UPLOAD) -> FastAPI:
    """The desk over the library at ``db`` (None: $FACTDESK_DB, else ./factdesk.db).

    With ``token``, every page and API call needs it (bearer header, or the cookie set by
    /login); without, only loopback Host names are served. ``allow_private`` lets URL ingest
    reach private addresses, as `factdesk ingest --allow-private` does."""
    library = Library(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        library.close()

    app = FastAPI(
        title="factdesk",
        version=__version__,
        description="Answer contested factual questions and check claims from a library of "
        "sources; every figure is traced to the exact characters of its source.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.library = library
    app.state.allow_private = allow_private
    app.state.max_upload = max_upload_bytes
    app.state.token = token
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("factdesk.web", "static")]), name="static")
    swagger_assets = importlib.resources.files("fastapi_offline") / "static"
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_assets)), name="docs-assets")
    app.add_middleware(Guard, token=token, max_upload=max_upload_bytes)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # Swagger UI from the bundled copy (fastapi-offline's assets): no CDN needed.
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="factdesk API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    if token:
        default_openapi = app.openapi

        def openapi_with_bearer() -> dict:
            schema = default_openapi()  # built once, then cached by FastAPI
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}}
            schema["security"] = [{"bearer": []}]
            return schema

        app.openapi = openapi_with_bearer

    def respond(request: Request, status: int, message: str, extra: dict | None = None):
        if request.url.path.startswith("/api/") or not pages.wants_html(request):
            return JSONResponse({"error": message, "status": status, **(extra or {})}, status_code=status)
        return pages.error_page(request, status, message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException):
        return respond(request, err.status_code, str(err.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError):
        malformed = any(e.get("type") == "json_invalid" for e in err.errors())
        return respond(request, 400 if malformed else 422, _validation_message(err))

    @app.exception_handler(LibraryError)
    async def library_error(request: Request, err: LibraryError):
        return respond(request, 404, str(err))

    @app.exception_handler(IntakeError)
    async def intake_error(request: Request, err: IntakeError):
        return respond(request, err.status, str(err), summary(err.outcomes))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, err: StoreError):
        return respond(request, 503, str(err))

    return app


def app_from_env() -> FastAPI:
    """The app of each worker process of `factdesk serve --workers N`, built from the
    environment that the command sets (FACTDESK_DB, FACTDESK_TOKEN, ...)."""
    return create_app(
        os.environ.get("FACTDESK_DB") or None,
        os.environ.get("FACTDESK_TOKEN") or None,
        allow_private=os.environ.get("FACTDESK_ALLOW_PRIVATE") == "1",
        max_upload_bytes=int(os.environ.get("FACTDESK_MAX_UPLOAD") or DEFAULT_MAX_UPLOAD),
    )
