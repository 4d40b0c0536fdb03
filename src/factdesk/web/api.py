"""The JSON API: the Library's verbs over HTTP, in the JSON shapes of DESIGN.md."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from factdesk.library import Library
from factdesk.report.render import as_dict
from factdesk.report.serialize import figure_dict, figures_payload, source_dict
from factdesk.web.intake import IntakeError, add_uploads, add_url, summary

router = APIRouter(prefix="/api", tags=["api"])
Kind = Literal["stock", "flow", "share", "rate", "change", "other"]


def library(request: Request) -> Library:
    return request.app.state.library


class AskIn(BaseModel):
    question: str = Field(max_length=2000, examples=["How many people were released each year?"])

    @field_validator("question")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class CheckIn(BaseModel):
    claim: str = Field(max_length=2000, examples=["More than 13,000 were released in 2024."])

    @field_validator("claim")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class UrlIn(BaseModel):
    url: str = Field(max_length=4000, examples=["https://example.org/article.html"])


@router.post("/ask", summary="Answer a question: the JSON report")
def ask(body: AskIn, request: Request) -> dict:
    return as_dict(library(request).ask(body.question))


@router.post("/check", summary="Check a claim: the JSON report with a verdict")
def check(body: CheckIn, request: Request) -> dict:
    return as_dict(library(request).check(body.claim))


@router.get("/sources", summary="List the library's sources (without their text)")
def list_sources(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict:
    lib = library(request)
    stats = lib.stats()
    page = lib.sources(limit=limit, offset=offset, with_text=False)
    return {
        "sources": [source_dict(s, offset + i) for i, s in enumerate(page, 1)],
        "total": stats["sources"],
        "offset": offset,
        "limit": limit,
        "stats": stats,
    }


_SOURCE_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                "required": ["file"],
            }
        },
        "application/json": {"schema": UrlIn.model_json_schema()},
    },
    "required": True,
}


@router.post(
    "/sources",
    summary="Add sources: upload files (multipart 'file' fields) or ingest a URL ({\"url\": ...})",
    openapi_extra={"requestBody": _SOURCE_BODY},
    status_code=201,
)
async def add_sources(request: Request, response: Response) -> dict:
    lib, app_state = library(request), request.app.state
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_files=50, max_fields=50) as form:
            files = [(f.filename, await f.read()) for f in form.getlist("file") if hasattr(f, "read")]
        outcomes = await run_in_threadpool(add_uploads, lib, files, app_state.max_upload)
    elif content_type.startswith("application/json"):
        try:
            url = UrlIn.model_validate_json(await request.body()).url
        except ValueError as err:
            raise IntakeError(422, "expected JSON {\"url\": \"https://...\"}: " + str(err).splitlines()[0])
        outcomes = await run_in_threadpool(add_url, lib, url, allow_private=app_state.allow_private)
    else:
        raise IntakeError(415 if content_type else 422,
                          "send multipart/form-data with 'file' fields, or JSON {\"url\": ...}")
    result = summary(outcomes)
    if not result["ingested"]:
        response.status_code = 200  # nothing new: every readable source was already stored
    return result


@router.get("/sources/{source_id}", summary="One source: its text and the figures found in it, with offsets")
def get_source(source_id: str, request: Request) -> dict:
    lib = library(request)
    source = lib.source(source_id)
    payload = source_dict(source, with_text=True)
    payload["figures"] = [figure_dict(f, None) for f in lib.figures(source=source.id)]
    return payload


@router.get("/figures", summary="Figures in the library, filtered")
def list_figures(
    request: Request,
    about: str | None = Query(None, max_length=500, description="words the figure's subject, scope or sentence match"),
    kind: Kind | None = None,
    source: str | None = Query(None, max_length=64, description="a source id (or unique prefix)"),
    limit: int = Query(500, ge=1, le=5000),
) -> dict:
    lib = library(request)
    # One more than asked tells whether more match, without reading every figure of a large library.
    figures = lib.figures(about=about or None, kind=kind, source=source or None, limit=limit + 1)
    shown = figures[:limit]
    source_ids = dict.fromkeys(f.source_id for f in shown)
    payload = figures_payload(shown, [lib.source(sid) for sid in source_ids])
    payload["more"] = len(figures) > limit
    return payload
