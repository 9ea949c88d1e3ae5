"""Every error the API answers, as RFC 9457 application/problem+json; the one place that maps
domain exceptions and framework errors to HTTP."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.api.observability import request_id_of
from app.errors import (
    AmbiguousSectionSlug,
    ArticleNotFound,
    Gone,
    Moved,
    PreconditionFailed,
    SectionNotFound,
    SourceConflict,
    StoreDamaged,
    StoreReadOnly,
    StoreUnavailable,
    UnreadableSource,
)
from app.models import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
# tag: URIs (RFC 4151) name a problem type without promising a page to dereference (RFC 9457 4.2)
TYPE_PREFIX = "tag:article-qa,2024:problem:"

logger = logging.getLogger("app.api")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    request: Request,
    *,
    status: int,
    detail: str,
    kind: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """One problem+json answer; `kind` names a specific problem type, else about:blank."""
    problem = Problem(
        type=f"{TYPE_PREFIX}{kind}" if kind else "about:blank",
        # With about:blank the title must be the status phrase (RFC 9457 4.2.1)
        title=title if (title and kind) else HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        **extensions,
    )
    body = problem.model_dump(mode="json")
    if (request_id := request_id_of(request.scope)) is not None:
        body["request_id"] = request_id  # the X-Request-ID of the answer (observability.py)
    return ProblemResponse(body, status_code=status, headers=headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        detail = f"Nothing is served at {request.url.path}."
    elif status == 405:
        # Every GET route answers HEAD too (api/head.py), which the router does not know.
        methods = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        headers["Allow"] = ", ".join(methods)
        detail = f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}."
    else:
        detail = str(exc.detail)
    return problem_response(request, status=status, detail=detail, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = invalid_params(exc.errors())
    names = ", ".join(sorted({error["name"] for error in errors})) or "the request"
    return problem_response(
        request,
        status=422,
        kind="invalid-parameters",
        title="Invalid request parameters",
        detail=f"Invalid value for {names}.",
        errors=errors,
    )


def invalid_params(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic error dicts -> [{"in", "name", "reason"}]; the raw input is not echoed back."""
    params: list[dict[str, Any]] = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        params.append(
            {
                "in": location[0] if location else "request",
                "name": ".".join(location[1:]) or (location[0] if location else "request"),
                "reason": str(error.get("msg", "invalid")),
            }
        )
    return params


@dataclass(frozen=True)
class DomainProblem:
    """How one domain exception reads as a problem: status, type, title, extension member."""

    status: int
    kind: str
    title: str
    member: str | None = None  # the exception attribute carried over as an extension member


DOMAIN_PROBLEMS: dict[type[Exception], DomainProblem] = {
    ArticleNotFound: DomainProblem(404, "article-not-found", "Article not found", "suggestions"),
    SectionNotFound: DomainProblem(404, "section-not-found", "Section not found", "suggestions"),
    AmbiguousSectionSlug: DomainProblem(
        409, "ambiguous-section-slug", "Section slug is ambiguous", "candidates"
    ),
    Gone: DomainProblem(410, "gone", "Removed"),
    SourceConflict: DomainProblem(409, "owned-by-file", "Article is owned by a file", "source"),
    PreconditionFailed: DomainProblem(412, "stale-version", "Article has changed"),
    UnreadableSource: DomainProblem(422, "unreadable-article", "Article cannot be read"),
}


async def _domain_problem(request: Request, exc: Exception) -> Response:
    problem = DOMAIN_PROBLEMS[type(exc)]
    members = {problem.member: getattr(exc, problem.member)} if problem.member else {}
    return problem_response(
        request,
        status=problem.status,
        kind=problem.kind,
        title=problem.title,
        detail=str(exc),
        **members,
    )


async def _moved(request: Request, exc: Exception) -> Response:
    """301 to where a URL served once has moved; the rest of a longer path follows it."""
    assert isinstance(exc, Moved)
    path = request.url.path
    location = exc.location + path[len(exc.path) :] if path.startswith(exc.path) else exc.location
    if request.url.query:
        location += f"?{request.url.query}"
    return Response(status_code=301, headers={"Location": location, "Cache-Control": "no-cache"})


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    logger.warning("store unavailable: %s", exc)
    return problem_response(
        request,
        status=503,
        kind="store-unavailable",
        title="Store unavailable",
        detail="The article store cannot be reached; try again later.",
        headers={"Retry-After": "5"},
    )


async def _store_damaged(request: Request, exc: Exception) -> Response:
    # Not a 503 "try later": the fault lasts until someone rebuilds the store.
    logger.error("store damaged: %s", exc)
    return problem_response(
        request, status=500, kind="store-damaged", title="Store damaged", detail=str(exc)
    )


async def _store_read_only(request: Request, exc: Exception) -> Response:
    return problem_response(
        request,
        status=405,
        kind="read-only-store",
        title="Store is read-only",
        detail=f"{exc} Only GET and HEAD are served.",
        headers={"Allow": "GET, HEAD"},
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Logged in full for operators; the client gets nothing internal (no message, no trace).
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, status=500, detail="The server failed to answer; the error was logged."
    )


HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    StarletteHTTPException: _http_exception,
    RequestValidationError: _validation_error,
    **dict.fromkeys(DOMAIN_PROBLEMS, _domain_problem),
    Moved: _moved,
    StoreUnavailable: _store_unavailable,
    StoreDamaged: _store_damaged,
    StoreReadOnly: _store_read_only,
    Exception: _unexpected,
}


PROBLEM_DESCRIPTIONS: dict[int, str] = {
    401: "No bearer token was sent (`WWW-Authenticate: Bearer`).",
    403: "The bearer token is not the write token.",
    404: "Not found; `suggestions` lists the nearest existing slugs.",
    409: "Several sections have this slug; `candidates` lists their canonical URLs.",
    410: "It was served once and has been removed.",
    412: "`If-Match` names a version that is no longer the stored one.",
    413: "The body is larger than the server accepts.",
    415: "The body is not text/plain, text/markdown or text/html.",
    422: "Invalid parameters; `errors` lists each one (`in`, `name`, `reason`).",
    500: "Unexpected server error; the detail is generic.",
    503: "The store cannot be reached.",
}


def problem_responses(*statuses: int, store: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json answers (see openapi.py): the
    given statuses, 500, and 503 for every route that reads the store."""
    documented = {*statuses, 500, *((503,) if store else ())}
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": Problem, "description": PROBLEM_DESCRIPTIONS[status]}
        for status in sorted(documented)
    }
    if 410 in statuses:
        # Whatever can be gone can also have moved: a URL once served answers forever.
        responses[301] = {
            "description": "Moved: `Location` is where it lives now (a reworded heading, a "
            "retitled article).",
        }
    return dict(sorted(responses.items(), key=lambda item: str(item[0])))


def install_error_handlers(app: FastAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
