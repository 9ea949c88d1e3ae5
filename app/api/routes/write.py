"""PUT and DELETE /articles/{slug}: the write API, mounted only when a write token is set.

Articles written here are identified by their slug (`origin: http`) and keep the bytes sent,
so a new parser can read them again; articles read from the articles folder belong to their
files and answer 409 here.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.api.deps import SettingsDep, StoreDep
from app.api.errors import EXAMPLE_SLUG, REQUEST_ID, TYPE_PREFIX, problem_responses
from app.api.http import JSON_MEDIA_TYPE, NO_STORE, etag_for
from app.errors import ArticleNotFound, PreconditionFailed, SourceConflict
from app.ingest import MEDIA_TYPE_FORMATS, http_article, split_media_type
from app.models import ArticlePreview, StoredArticle
from app.search.documents import article_url
from app.store.base import Precondition, RawSource, UpsertOutcome

# Slugs a client may choose: what the parser itself makes from a title.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
WritableSlug = Annotated[
    str,
    Path(
        description="Article slug: lowercase ASCII words joined by '-'.",
        pattern=SLUG_PATTERN,
        max_length=80,
    ),
]
bearer = HTTPBearer(
    auto_error=False, description="The server's ARTICLE_QA_WRITE_TOKEN.", bearerFormat="token"
)


async def require_writer(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """401 without a bearer token, 403 with a wrong one (compared in constant time)."""
    if credentials is None:
        raise HTTPException(
            401, "This route needs a bearer token.", headers={"WWW-Authenticate": "Bearer"}
        )
    expected = settings.write_token
    given = credentials.credentials.encode()
    if expected is None or not hmac.compare_digest(given, expected.get_secret_value().encode()):
        raise HTTPException(403, "The bearer token is not the write token.")


router = APIRouter(tags=["articles"], dependencies=[Depends(require_writer)])

# What the parser reads as an article: text with something visible in it (not only spaces,
# no-break spaces or a byte-order mark) and no control characters (binary files have them).
_CONTROL = r"\x00-\x08\x0e-\x1f\x7f"
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
ARTICLE_TEXT = {
    "type": "string",
    "pattern": f"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$",
    "description": "The article's bytes: some visible text, no control characters.",
}
REQUEST_BODY = {
    "required": True,
    "description": "The article as text/plain, text/markdown or text/html (with its charset "
    "in Content-Type, else detected); at most ARTICLE_QA_MAX_ARTICLE_BYTES (413 beyond).",
    "content": {media_type: {"schema": ARTICLE_TEXT} for media_type in MEDIA_TYPE_FORMATS},
}
OWNED_BY_FILE = (
    "The article is read from a file in the articles folder (`source`): change the file."
)
OWNED_BY_FILE_EXAMPLE = {
    "type": f"{TYPE_PREFIX}owned-by-file",
    "title": "Article is owned by a file",
    "status": 409,
    "detail": f"The article '{EXAMPLE_SLUG}' is read from the file 'raisi-visit-pakistan.txt'; "
    "change the file instead.",
    "instance": f"/articles/{EXAMPLE_SLUG}",
    "request_id": REQUEST_ID,
    "source": "raisi-visit-pakistan.txt",
}
IfMatch = Annotated[
    str | None,
    Header(description="ETag of the version this write replaces (412 when it is stale)."),
]


def if_match_precondition(slug: str, if_match: str | None) -> Precondition:
    """Checked inside the write transaction: If-Match must name the stored version's ETag
    (strong comparison, RFC 9110 13.1.1); `*` asks only that a version exists."""

    def check(stored: StoredArticle | None) -> None:
        if if_match is None:
            return
        if stored is None:
            raise PreconditionFailed(slug, None)
        if if_match.strip() == "*":
            return
        etag = etag_for(stored.model_dump_json().encode())
        if etag not in (tag.strip() for tag in if_match.split(",")):
            raise PreconditionFailed(slug, etag)

    return check


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"The body is larger than {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"The body is larger than {limit} bytes.")
    return bytes(body)


def media_type_of(request: Request) -> str:
    """The body's media type, with its charset when it names one (kept with the bytes)."""
    main, charset = split_media_type(request.headers.get("content-type", ""))
    if main not in MEDIA_TYPE_FORMATS:
        accepted = ", ".join(MEDIA_TYPE_FORMATS)
        raise HTTPException(415, f"Send the article as one of {accepted}.")
    return f"{main}; charset={charset}" if charset else main


def stored_response(article: StoredArticle, *, status: int) -> Response:
    body = article.model_dump_json().encode()
    headers = {"ETag": etag_for(body), "Cache-Control": NO_STORE}
    if status == 201:
        headers["Location"] = article_url(article.slug)
    return Response(body, status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers)


@router.put(
    "/articles/{article_slug}",
    # Documentation only (the route answers a Response): a replaced article, or a preview
    response_model=StoredArticle | ArticlePreview,
    summary="Create or replace an article",
    description=(
        "Parses the body (`text/plain`, `text/markdown` or `text/html`) into an article served "
        "under this slug: 201 with `Location` when new, 200 when replaced. `?dry_run=true` "
        "answers what would be stored, with the parser's warnings, and stores nothing. "
        "Articles read from the articles folder answer 409: change their file instead."
    ),
    responses={
        200: {
            "description": "Replaced (the stored article), or with `?dry_run=true` what would "
            "be stored and the parser's warnings.",
        },
        201: {"model": StoredArticle, "description": "Created; `Location` is its URL."},
        **problem_responses(
            401,
            403,
            405,
            409,
            412,
            413,
            415,
            422,
            descriptions={
                409: OWNED_BY_FILE,
                422: "Invalid parameters (`errors`), or a body that cannot be read as an "
                "article (`unreadable-article`: empty, binary, undecodable).",
            },
            examples={409: OWNED_BY_FILE_EXAMPLE},
        ),
    },
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def put_article(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    article_slug: WritableSlug,
    if_match: IfMatch = None,
    dry_run: Annotated[bool, Query(description="Parse only; store nothing.")] = False,
) -> Response:
    media_type = media_type_of(request)
    data = await read_body(request, settings.max_article_bytes)
    parsed = await run_in_threadpool(
        http_article, slug=article_slug, data=data, media_type=media_type, slugs=store.slugs
    )
    if dry_run:
        owner = await run_in_threadpool(store.file_owning, article_slug)
        if owner is not None:
            raise SourceConflict(article_slug, owner)
        preview = ArticlePreview(article=parsed.article, warnings=parsed.warnings)
        return Response(
            preview.model_dump_json(),
            media_type=JSON_MEDIA_TYPE,
            headers={"Cache-Control": NO_STORE},
        )
    upserted = await run_in_threadpool(
        store.upsert_article,
        parsed.article,
        raw=RawSource(data, media_type),
        precondition=if_match_precondition(article_slug, if_match),
    )
    status = 201 if upserted.outcome is UpsertOutcome.INSERTED else 200
    return stored_response(upserted.article, status=status)


@router.delete(
    "/articles/{article_slug}",
    status_code=204,
    summary="Delete an article",
    description=(
        "Its URLs then answer 410 Gone and `GET /changes` lists the deletion. Articles read "
        "from the articles folder answer 409: delete their file instead."
    ),
    responses={
        204: {"description": "Deleted."},
        **problem_responses(
            401,
            403,
            404,
            405,
            409,
            412,
            422,
            descriptions={404: "No article has this slug.", 409: OWNED_BY_FILE},
            examples={
                404: {
                    "type": f"{TYPE_PREFIX}article-not-found",
                    "title": "Article not found",
                    "status": 404,
                    "detail": "No article has the slug 'returns'.",
                    "instance": "/articles/returns",
                    "request_id": REQUEST_ID,
                    "suggestions": [],
                },
                409: OWNED_BY_FILE_EXAMPLE,
            },
        ),
    },
)
async def delete_article(
    store: StoreDep, article_slug: WritableSlug, if_match: IfMatch = None
) -> Response:
    matches = if_match_precondition(article_slug, if_match)

    def check(stored: StoredArticle | None) -> None:
        if stored is None:
            raise ArticleNotFound(article_slug)
        if stored.origin == "file":
            raise SourceConflict(article_slug, stored.source)
        matches(stored)

    await run_in_threadpool(store.delete_article, article_slug, precondition=check)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE})
