"""The desk's pages, rendered on the server with Jinja2 (autoescaped: source text is data)."""

from __future__ import annotations

import hmac
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader
from starlette.concurrency import run_in_threadpool

from factdesk import __version__
from factdesk.library import Library
from factdesk.model import FIGURE_KINDS
from factdesk.web import views
from factdesk.web.intake import IntakeError, add_uploads, add_url
from factdesk.web.security import COOKIE, session_value

router = APIRouter(include_in_schema=False)
_env = Environment(
    loader=PackageLoader("factdesk.web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(version=__version__, kinds=FIGURE_KINDS, source_href=views.source_href)
SOURCES_PER_PAGE = 50
FIGURES_SHOWN = 500


def library(request: Request) -> Library:
    return request.app.state.library


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    context.update(path=request.url.path, login=bool(request.app.state.token))
    return HTMLResponse(_env.get_template(template).render(**context), status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html.j2", status, status=status, message=message)


@router.get("/", response_class=HTMLResponse)
def desk(
    request: Request,
    q: str = Query("", max_length=2000),
    mode: Literal["question", "claim"] = "question",
) -> HTMLResponse:
    q = q.strip()
    if not q:
        return render(request, "desk.html.j2", q="", mode=mode, r=None, stats=library(request).stats())
    lib = library(request)
    report = lib.ask(q) if mode == "question" else lib.check(q)
    cites = views.Citations(report)
    by_id = {f.id: f for f in report.figures}
    charts = [
        (m, svg) for m in report.measures
        if (svg := views.timeline_svg(m, by_id, cites)) is not None
    ]
    rows = [(i, f, cites.figure(f)) for i, f in enumerate(report.figures, 1)]
    return render(request, "desk.html.j2", q=q, mode=mode, r=report, cite=cites, charts=charts,
                  rows=rows, figure_index={f.id: i for i, f, _ in rows})


@router.get("/figures", response_class=HTMLResponse)
def figures_page(
    request: Request,
    about: str = Query("", max_length=500),
    kind: str = "",
    source: str = Query("", max_length=64),
) -> HTMLResponse:
    lib = library(request)
    if kind and kind not in FIGURE_KINDS:
        return error_page(request, 422, f"kind: expected one of {', '.join(FIGURE_KINDS)}")
    figures = lib.figures(about=about.strip() or None, kind=kind or None, source=source.strip() or None,
                          limit=FIGURES_SHOWN + 1)
    shown = figures[:FIGURES_SHOWN]
    titles = {sid: lib.source(sid) for sid in dict.fromkeys(f.source_id for f in shown)}
    return render(request, "figures.html.j2", figures=shown, more=len(figures) > FIGURES_SHOWN, titles=titles,
                  about=about, kind=kind, source=source)


def _sources_page(request: Request, page: int = 1, status: int = 200, **context) -> HTMLResponse:
    lib = library(request)
    stats = lib.stats()
    pages = max(1, -(-stats["sources"] // SOURCES_PER_PAGE))
    page = min(max(page, 1), pages)
    first = (page - 1) * SOURCES_PER_PAGE
    sources = lib.sources(limit=SOURCES_PER_PAGE, offset=first, with_text=False)
    return render(request, "sources.html.j2", status, sources=sources,
                  first=first, page=page, pages=pages, stats=stats,
                  max_upload=request.app.state.max_upload, **context)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, page: int = Query(1, ge=1)) -> HTMLResponse:
    return _sources_page(request, page)


@router.post("/sources", response_class=HTMLResponse)
async def sources_add(request: Request) -> HTMLResponse:
    """The forms' target when JavaScript is off (with it, the page uses /api/sources)."""
    lib, state = library(request), request.app.state
    async with request.form(max_files=50, max_fields=50) as form:
        files = [(f.filename, await f.read()) for f in form.getlist("file") if getattr(f, "filename", "")]
        url = str(form.get("url") or "").strip()
    try:
        if url:
            outcomes = await run_in_threadpool(add_url, lib, url, allow_private=state.allow_private)
        else:
            outcomes = await run_in_threadpool(add_uploads, lib, files, state.max_upload)
    except IntakeError as err:
        return await run_in_threadpool(_sources_page, request, 1, err.status,
                                       outcomes=err.outcomes, problem=str(err))
    return await run_in_threadpool(_sources_page, request, 1, 200, outcomes=outcomes)


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(request: Request, source_id: str, mark: str = Query("", max_length=40)) -> HTMLResponse:
    lib = library(request)
    source = lib.source(source_id)
    figures = lib.figures(source=source.id)
    span = views.parse_mark(mark, len(source.text))
    return render(request, "source.html.j2", s=source, figures=figures, mark=span,
                  body=views.marked_text(source.text, figures, span))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    if not request.app.state.token:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html.j2", next=_local(next), problem="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> HTMLResponse:
    token = request.app.state.token
    async with request.form(max_files=0, max_fields=5) as form:
        given, next_page = str(form.get("token") or ""), _local(str(form.get("next") or "/"))
    if not token:
        return RedirectResponse("/", status_code=303)
    if not hmac.compare_digest(given.encode(), token.encode()):
        return render(request, "login.html.j2", 401, next=next_page, problem="wrong token")
    response = RedirectResponse(next_page, status_code=303)
    response.set_cookie(COOKIE, session_value(token), httponly=True, samesite="strict")
    return response


def _local(target: str) -> str:
    """Only same-site paths after login (no open redirect to another host)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"
