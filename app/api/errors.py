"""Every error the API answers, as RFC 9457 application/problem+json; the one place that maps
domain exceptions and framework errors to HTTP."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

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
from app.ingest import split_media_type
from app.models import MAX_INSTANCE_CHARS, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
# tag: URIs (RFC 4151) name a problem type without promising a page to dereference (RFC 9457 4.2)
TYPE_PREFIX = "tag:article-qa,2024:problem:"
# A value taken from the request (a slug, a method) is shown in a detail percent-encoded and
# cut to this many characters; a whole detail to MAX_DETAIL_CHARS.
MAX_ECHO_CHARS = 80
MAX_DETAIL_CHARS = 400
# What a detail may hold as it is: printable ASCII but markup (`<`, `>`, `&`), double quotes
# and backslashes. Anything else (which can only have come from the request) is
# percent-encoded.
_UNSAFE_IN_DETAIL = re.compile(r"[^\x20-\x7e]|[<>\"&\\]")
# Methods in the order an Allow header lists them
METHOD_ORDER = ("GET", "HEAD", "PUT", "DELETE", "POST", "PATCH", "OPTIONS")

logger = logging.getLogger("app.api")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def _cut(encoded: str, limit: int) -> str:
    """`encoded` (percent-encoded text) cut to at most `limit` characters, never inside a
    %XX triplet; `...` marks a cut."""
    if len(encoded) <= limit:
        return encoded
    end = limit - 3
    triplet = encoded.rfind("%", max(0, end - 2), end)
    if triplet != -1:
        end = triplet
    return encoded[:end] + "..."


def echo(value: str, limit: int = MAX_ECHO_CHARS) -> str:
    """A value taken from the request, as a problem may show it: percent-encoded (RFC 3986,
    `/` kept) and bounded. `<script>` reads `%3Cscript%3E`; a slug reads as itself."""
    return _cut(quote(value[: limit * 2], safe="/"), limit)


def instance_of(request: Request) -> str:
    """The problem's `instance`: the request path, percent-encoded and bounded."""
    path = request.url.path
    return _cut(quote(path[: MAX_INSTANCE_CHARS * 2], safe="/"), MAX_INSTANCE_CHARS)


def scrub(text: str) -> str:
    """A detail with whatever is not plain printable ASCII (markup, quotes, control and
    non-ASCII characters, which only the request can have put there) percent-encoded, and
    bounded: the last line of defence behind `echo`, which leaves nothing here to encode."""
    text = text[: MAX_DETAIL_CHARS * 2]
    return _cut(_UNSAFE_IN_DETAIL.sub(lambda m: quote(m.group(), safe=""), text), MAX_DETAIL_CHARS)


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
    """One problem+json answer; `kind` names a specific problem type, else about:blank.

    Nothing of the request is echoed as sent: `instance` is the path percent-encoded, and a
    detail shows request values through `echo` (scrub checks the whole detail again)."""
    problem = Problem(
        type=f"{TYPE_PREFIX}{kind}" if kind else "about:blank",
        # With about:blank the title must be the status phrase (RFC 9457 4.2.1)
        title=title if (title and kind) else HTTPStatus(status).phrase,
        status=status,
        detail=scrub(detail),
        instance=instance_of(request),
        # the X-Request-ID of the answer (observability.py)
        request_id=request_id_of(request.scope),
        **extensions,
    )
    body = problem.model_dump(mode="json", by_alias=True, exclude_none=True)
    return ProblemResponse(body, status_code=status, headers=headers)


def allowed_methods(request: Request, allow: str) -> str:
    """The Allow header of a 405: every method some route serves this path with (the router
    names only the first matching route's), HEAD with GET (api/head.py answers it)."""
    methods = {method.strip().upper() for method in allow.split(",") if method.strip()}
    routes = getattr(getattr(request.scope.get("app"), "router", None), "routes", ())
    for method in METHOD_ORDER:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    ordered = [method for method in METHOD_ORDER if method in methods]
    return ", ".join(ordered + sorted(methods - set(METHOD_ORDER)))


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        # The path is in `instance`; the detail needs none of it.
        detail = "Nothing is served at this path; /openapi.json lists what is."
    elif status == 405:
        headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
        detail = f"{echo(request.method)} is not allowed here; use {headers['Allow']}."
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
    """Pydantic error dicts -> [{"in", "name", "reason"}]; the raw input is not echoed back
    (names are the declared parameters', reasons the validator's own words)."""
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


def domain_detail(exc: Exception, request: Request) -> str:
    """The detail of a domain problem, its request values (slugs, paths, a charset) through
    `echo`; the exceptions' own messages (app/errors.py) quote them as sent."""
    if isinstance(exc, ArticleNotFound):
        return f"No article has the slug '{echo(exc.slug)}'."
    if isinstance(exc, SectionNotFound):
        where = f" in article '{echo(exc.article_slug)}'" if exc.article_slug else ""
        return f"No section has the slug '{echo(exc.slug)}'{where}."
    if isinstance(exc, AmbiguousSectionSlug):
        return (
            f"{len(exc.candidates)} articles have a section with the slug '{echo(exc.slug)}'; "
            "use one of the canonical URLs."
        )
    if isinstance(exc, Gone):
        return f"The {exc.what} at {echo(exc.path)} was removed."
    if isinstance(exc, SourceConflict):
        return (
            f"The article '{echo(exc.slug)}' is read from the file '{echo(exc.source)}'; "
            "change the file instead."
        )
    if isinstance(exc, PreconditionFailed):
        version = (exc.current_etag or "").strip('"')
        state = f"is now at version {version}" if exc.current_etag else "does not exist"
        return f"The article '{echo(exc.slug)}' {state}; fetch it again before writing."
    message = str(exc)
    if isinstance(exc, UnreadableSource):
        # The parser's words, which may quote the charset the request's Content-Type named
        _, charset = split_media_type(request.headers.get("content-type", ""))
        if charset:
            message = message.replace(repr(charset), f"'{echo(charset)}'")
    # Anything else of the request left in it, scrub (problem_response) encodes
    return message


async def _domain_problem(request: Request, exc: Exception) -> Response:
    problem = DOMAIN_PROBLEMS[type(exc)]
    members = {problem.member: getattr(exc, problem.member)} if problem.member else {}
    return problem_response(
        request,
        status=problem.status,
        kind=problem.kind,
        title=problem.title,
        detail=domain_detail(exc, request),
        **members,
    )


async def _moved(request: Request, exc: Exception) -> Response:
    """301 to where a URL served once has moved; the rest of a longer path follows it."""
    assert isinstance(exc, Moved)
    # The rest of the path and the query come from the request: percent-encoded, so that no
    # character of theirs reaches the header as sent (stored paths are encoded alike).
    path = quote(request.url.path, safe="/")
    rest = path[len(exc.path) :] if path.startswith(exc.path) else ""
    location = exc.location + rest
    if request.url.query:
        location += "?" + quote(request.url.query, safe="=&+%/?:@!$'()*,;~")
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
    405: "The store is served read-only: only GET and HEAD are (`Allow`).",
    409: "Several sections have this slug; `candidates` lists their canonical URLs.",
    410: "It was served once and has been removed.",
    412: "`If-Match` names a version that is no longer the stored one.",
    413: "The body is larger than the server accepts.",
    406: "The Accept header allows none of the representations the resource has.",
    415: "The body is not text/plain, text/markdown or text/html.",
    422: "Invalid parameters; `errors` lists each one (`in`, `name`, `reason`).",
    500: "Unexpected server error (the detail is generic), or the store is damaged "
    "(`store-damaged`: rebuild it).",
    503: "The store cannot be reached; `Retry-After` says when to try again.",
}
# The articles and ids the examples of the document (openapi.py) are made of
EXAMPLE_SLUG = "why-is-irans-president-ebrahim-raisi-visiting-pakistan-in-2024"
REQUEST_ID = "5f0c6d1e9b7a4f3c8e2d1a0b9c8d7e6f"


def problem_example(
    status: int, kind: str | None, title: str | None, detail: str, instance: str, **members: Any
) -> dict[str, Any]:
    """An example problem body, shaped as problem_response shapes it."""
    return {
        "type": f"{TYPE_PREFIX}{kind}" if kind else "about:blank",
        "title": title if (title and kind) else HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": REQUEST_ID,
        **members,
    }


PROBLEM_EXAMPLES: dict[int, dict[str, Any]] = {
    401: problem_example(401, None, None, "This route needs a bearer token.", "/articles/returns"),
    403: problem_example(
        403, None, None, "The bearer token is not the write token.", "/articles/returns"
    ),
    404: problem_example(
        404,
        "article-not-found",
        "Article not found",
        "No article has the slug 'why-is-irans-president-visiting-pakistan'.",
        "/articles/why-is-irans-president-visiting-pakistan",
        suggestions=[EXAMPLE_SLUG],
    ),
    405: problem_example(
        405,
        "read-only-store",
        "Store is read-only",
        "The store at data/article-qa.db is read-only: it is served, not written. "
        "Only GET and HEAD are served.",
        "/articles/returns",
    ),
    409: problem_example(
        409,
        "ambiguous-section-slug",
        "Section slug is ambiguous",
        "2 articles have a section with the slug 'whats-the-status-of-iran-pakistan-ties'; "
        "use one of the canonical URLs.",
        "/sections/whats-the-status-of-iran-pakistan-ties",
        candidates=[
            "/articles/iran-and-pakistan-a-primer/sections/whats-the-status-of-iran-pakistan-ties",
            f"/articles/{EXAMPLE_SLUG}/sections/whats-the-status-of-iran-pakistan-ties",
        ],
    ),
    410: problem_example(
        410, "gone", "Removed", "The article at /articles/returns was removed.", "/articles/returns"
    ),
    412: problem_example(
        412,
        "stale-version",
        "Article has changed",
        "The article 'returns' is now at version 2c5cc9aa6c917e800c3cb735849c1566; fetch it "
        "again before writing.",
        "/articles/returns",
    ),
    413: problem_example(
        413, None, None, "The body is larger than 5000000 bytes.", "/articles/returns"
    ),
    406: problem_example(
        406,
        None,
        None,
        "This resource is available as application/json, text/markdown, text/html.",
        f"/articles/{EXAMPLE_SLUG}/sections/whats-the-status-of-iran-pakistan-ties",
    ),
    415: problem_example(
        415,
        None,
        None,
        "Send the article as one of text/plain, text/markdown, text/html.",
        "/articles/returns",
    ),
    422: problem_example(
        422,
        "invalid-parameters",
        "Invalid request parameters",
        "Invalid value for limit.",
        "/search",
        errors=[
            {"in": "query", "name": "limit", "reason": "Input should be less than or equal to 100"}
        ],
    ),
    500: problem_example(
        500, None, None, "The server failed to answer; the error was logged.", "/articles"
    ),
    503: problem_example(
        503,
        "store-unavailable",
        "Store unavailable",
        "The article store cannot be reached; try again later.",
        "/articles",
    ),
}
NOT_MODIFIED = {
    "description": "Not Modified: `If-None-Match` names the current `ETag` (either form, "
    "identity or `-gzip`); no body.",
}


def problem_responses(
    *statuses: int,
    store: bool = True,
    conditional: bool = False,
    descriptions: Mapping[int, str] | None = None,
    examples: Mapping[int, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json answers (see openapi.py): the
    given statuses, 500, and 503 for every route that reads the store, each with its
    description and an example (`descriptions` and `examples` override them per status);
    304 for a conditional GET (`conditional`)."""
    documented = {*statuses, 500, *((503,) if store else ())}
    given_descriptions = descriptions or {}
    given_examples = examples or {}
    responses: dict[int | str, dict[str, Any]] = {
        status: {
            "model": Problem,
            "description": given_descriptions.get(status, PROBLEM_DESCRIPTIONS[status]),
            # openapi.py moves this to application/problem+json with the model's schema
            "content": {
                "application/json": {
                    "example": given_examples.get(status, PROBLEM_EXAMPLES[status])
                }
            },
        }
        for status in sorted(documented)
    }
    if 410 in statuses:
        # Whatever can be gone can also have moved: a URL once served answers forever.
        responses[301] = {
            "description": "Moved: `Location` is where it lives now (a reworded heading, a "
            "retitled article).",
        }
    if conditional:
        responses[304] = dict(NOT_MODIFIED)
    return dict(sorted(responses.items(), key=lambda item: str(item[0])))


def install_error_handlers(app: FastAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
