"""Search paging for GET /search: cursor validation and the `Link: rel="next"` header."""

from __future__ import annotations

from urllib.parse import urlencode

from app.search.cursor import decode_cursor, request_binding
from app.search.request import SearchRequest


def cursor_error(request: SearchRequest) -> str | None:
    """Why the request's cursor is not one this server issued for this query and these
    filters, or None when it is valid (or absent). Checked here so that a bad cursor is a
    422 rather than a silently different page."""
    if request.cursor is None:
        return None
    try:
        decode_cursor(request.cursor, binding=request_binding(request))
    except ValueError as exc:
        return str(exc)
    return None


def next_link(
    *, path: str, request: SearchRequest, next_cursor: str, fields: str | None = None
) -> str:
    """A `Link` header value pointing at the next page, keeping the query, the filters and
    the shape of the answer (`fields`, highlight tags, snippet length)."""
    params: dict[str, str | int] = {"q": request.query, "limit": request.limit}
    if request.article_slug is not None:
        params["article"] = request.article_slug
    if request.language is not None:
        params["language"] = request.language
    if request.is_question is not None:
        params["is_question"] = "true" if request.is_question else "false"
    # The cursor is bound to the sort: without it the next page would be refused (422).
    if request.sort != "relevance":
        params["sort"] = request.sort
    if request.facets:
        params["facets"] = ",".join(request.facets)
    # The next page's snippets look like this one's (these do not change the hits).
    if request.highlight_pre is not None and request.highlight_post is not None:
        params["highlight_pre"] = request.highlight_pre
        params["highlight_post"] = request.highlight_post
    if request.crop_length is not None:
        params["crop_length"] = request.crop_length
    if fields is not None:
        params["fields"] = fields
    params["cursor"] = next_cursor
    return f'<{path}?{urlencode(params)}>; rel="next"'
