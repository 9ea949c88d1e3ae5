"""Opaque paging cursors: the next offset, bound to the query and filters they were issued for.

A cursor carries a short hash of the normalised query and filters, so replaying it with a
different query (or article, language, question filter) is rejected instead of silently
paging through someone else's results.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import unicodedata

from app.search.request import SearchRequest

_PREFIX = "o:"
MAX_OFFSET = 10_000
# What every cursor looks like: unpadded URL-safe base64 of "o:<offset>:<binding>".
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{20,28}$"
BINDING_CHARS = 12
# Bindings of recent short queries are kept: hashing and normalising cost ~20 microseconds.
_CACHED_BINDINGS = 4096
_CACHED_QUERY_CHARS = 256


def cursor_binding(
    *,
    query: str,
    article_slug: str | None = None,
    language: str | None = None,
    is_question: bool | None = None,
    sort: str = "relevance",
) -> str:
    """A short hash of what a cursor's pages depend on (page size excluded: paging by offset
    stays right when a client changes its limit)."""
    # Normalised the way results do not change: Unicode form, case and runs of spaces.
    normalised = " ".join(unicodedata.normalize("NFC", query).casefold().split())
    parts: list[object] = [normalised, article_slug, (language or "").casefold() or None]
    parts.append(is_question)
    if sort != "relevance":
        parts.append(sort)  # relevance cursors issued before sorting existed stay valid
    key = json.dumps(parts, ensure_ascii=False)
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=9).digest()
    return base64.urlsafe_b64encode(digest).decode()[:BINDING_CHARS]


@functools.lru_cache(maxsize=_CACHED_BINDINGS)
def _cached_binding(
    query: str,
    article_slug: str | None,
    language: str | None,
    is_question: bool | None,
    sort: str,
) -> str:
    return cursor_binding(
        query=query,
        article_slug=article_slug,
        language=language,
        is_question=is_question,
        sort=sort,
    )


def request_binding(request: SearchRequest) -> str:
    """The binding of the results a search request pages through."""
    short = all(
        len(value or "") <= _CACHED_QUERY_CHARS
        for value in (request.query, request.article_slug, request.language)
    )
    if short:
        return _cached_binding(
            request.query,
            request.article_slug,
            request.language,
            request.is_question,
            request.sort,
        )
    return cursor_binding(
        query=request.query,
        article_slug=request.article_slug,
        language=request.language,
        is_question=request.is_question,
        sort=request.sort,
    )


def encode_cursor(offset: int, binding: str) -> str:
    """A URL-safe token for the page that starts at `offset` of the results `binding` names."""
    text = f"{_PREFIX}{offset}:{binding}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, binding: str | None = None) -> int:
    """The offset a cursor stands for.

    ValueError for anything this module did not make, and, when `binding` is given, for a
    cursor issued for another query or other filters.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ValueError("not a search cursor") from error
    digits, _, bound_to = text[len(_PREFIX) :].partition(":")
    if (
        not text.startswith(_PREFIX)
        or not digits.isdigit()
        or len(digits) > 6
        or len(bound_to) != BINDING_CHARS
    ):
        raise ValueError("not a search cursor")
    offset = int(digits)
    if offset > MAX_OFFSET:
        raise ValueError("cursor beyond the last page that can be served")
    if binding is not None and bound_to != binding:
        raise ValueError("cursor was issued for a different query or filters")
    return offset
