"""Search paging for GET /search: cursor validation and the `Link: rel="next"` header."""

from __future__ import annotations

from urllib.parse import urlencode

from app.search.cursor import decode_cursor
from app.store.base import SearchRequest


def cursor_error(cursor: str | None) -> str | None:
    """Why `cursor` is not one this server issued, or None when it is valid (or absent).

    The store decodes cursors itself; checking first turns a bad one into a 422, not a 500.
    """
    if cursor is None:
        return None
    try:
        decode_cursor(cursor)
    except ValueError as exc:
        return str(exc)
    return None


def next_link(*, path: str, request: SearchRequest, next_cursor: str) -> str:
    """A `Link` header value pointing at the next page, keeping the query and filters."""
    params: dict[str, str | int] = {"q": request.query, "limit": request.limit}
    if request.article_slug is not None:
        params["article"] = request.article_slug
    if request.language is not None:
        params["language"] = request.language
    if request.is_question is not None:
        params["is_question"] = "true" if request.is_question else "false"
    params["cursor"] = next_cursor
    return f'<{path}?{urlencode(params)}>; rel="next"'
