"""JSON responses with a strong ETag and Cache-Control, and 304 on a matching If-None-Match."""

from __future__ import annotations

import hashlib

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from app.api.fields import FieldSelection, selected_json

JSON_MEDIA_TYPE = "application/json"
NO_STORE = "no-store"


def etag_for(body: bytes) -> str:
    # A digest of the exact bytes: it changes exactly when the representation does, whatever
    # part of the content (article hash, ranking, paging) produced the change.
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 13.1.2 requires for If-None-Match."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in candidates


def json_response(
    request: Request,
    model: BaseModel,
    *,
    max_age: int,
    headers: dict[str, str] | None = None,
    media_type: str = JSON_MEDIA_TYPE,
    fields: FieldSelection | None = None,
    items: str | None = None,
) -> Response:
    """`model` as JSON (of `media_type`), or 304 Not Modified when the client already holds
    these bytes; with `fields`, only those fields (of each of its `items` on a list route)."""
    body = selected_json(model, fields, items=items)
    return conditional_response(
        request, body, content_type=media_type, max_age=max_age, headers=headers
    )


def conditional_response(
    request: Request,
    body: bytes,
    *,
    content_type: str,
    max_age: int,
    headers: dict[str, str] | None = None,
) -> Response:
    """`body` with its strong ETag and Cache-Control, or 304 Not Modified when the client
    already holds these bytes."""
    etag = etag_for(body)
    all_headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=content_type, headers=all_headers)
