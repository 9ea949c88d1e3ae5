"""GET /search: full-text search over sections (and leads), paged by offset or cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from app.api.deps import SearchSettingsDep, SettingsDep, StoreDep
from app.api.errors import problem_responses
from app.api.fields import fields_query, parse_fields
from app.api.http import json_response
from app.api.paging import cursor_error, next_link
from app.models import SearchResults
from app.search.cursor import CURSOR_PATTERN, MAX_OFFSET
from app.search.query import MAX_QUERY_CHARS
from app.search.request import FACETS, SearchRequest, Sort
from app.search.settings import (
    CLOSING_TAG,
    MAX_CROP_LENGTH,
    MIN_CROP_LENGTH,
    PostTag,
    PreTag,
)

router = APIRouter(tags=["search"])
# Facet names separated by commas: what the schema promises, the route accepts.
_FACET = "|".join(FACETS)
FACETS_PATTERN = f"^({_FACET})(,({_FACET}))*$"


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Search sections",
    description=(
        "Every string is a valid query: it is never passed to the engine's query syntax. "
        'An empty `q` matches nothing. A `Link: <...>; rel="next"` header points at the '
        "next page when there is one.\n\n"
        "| you type | it means |\n|---|---|\n"
        "| `raisi pakistan trade` | plain words: sections with all of them first, then the"
        " best partial matches |\n"
        '| `"gas pipeline"` | an exact phrase |\n'
        "| `-israel` | leave out sections with this word |\n"
        "| `pipe*` | any word starting with `pipe` |\n"
        "| anything else | literal text: open quotes, `AND`, `NEAR(`, `:` are just words |\n\n"
        "Misspelled words are corrected (`corrections` says how). Each hit's `confidence`"
        " is the probability that it answers the query: below 0.5, treat it as no answer.\n\n"
        "Synonyms, extra stop words, typo tolerance and the snippet defaults come from the"
        " server's search settings file (`ARTICLE_QA_SEARCH_SETTINGS`); `highlight_pre`,"
        " `highlight_post` and `crop_length` change the snippets of one request."
    ),
    responses={
        200: {
            "description": "A page of hits; `Link` names the next page when there is one.",
            "headers": {"Link": {"$ref": "#/components/headers/Link-optional"}},
        },
        **problem_responses(
            422,
            conditional=True,
            descriptions={
                422: "Invalid parameters (`errors`): among them a `cursor` this server did not "
                "issue for this query and these filters (a cursor is bound to them)."
            },
        ),
    },
)
# A plain `def`, so it runs in the threadpool: a search is usually sub-millisecond, but the
# first one after a write loads the index view (most of a second at 100k sections), and that
# must not stall /healthz and every other request on the event loop.
def search_sections(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    search_settings: SearchSettingsDep,
    q: Annotated[
        str,
        Query(description=f"Any text; the first {MAX_QUERY_CHARS} characters are searched."),
    ],
    limit: Annotated[int, Query(ge=1, le=100, description="Hits per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Hits to skip.")] = 0,
    cursor: Annotated[
        str | None,
        Query(
            description="Opaque `next_cursor` of a previous page; replaces offset.",
            pattern=CURSOR_PATTERN,
        ),
    ] = None,
    article: Annotated[str | None, Query(description="Only this article's slug.")] = None,
    language: Annotated[str | None, Query(description="Only this language (e.g. en).")] = None,
    is_question: Annotated[
        bool | None, Query(description="Only question headings (true) or others (false).")
    ] = None,
    sort: Annotated[
        Sort,
        Query(
            description="`relevance` (best answer first) or `updated` (the most recently"
            " updated articles first, the best answer first within each)."
        ),
    ] = "relevance",
    facets: Annotated[
        str | None,
        Query(
            description="Comma-separated counts to return over every match: "
            + ", ".join(f"`{name}`" for name in FACETS)
            + " (e.g. `language,is_question`); the response's `facets` maps each to"
            " {value: count}.",
            max_length=100,
            pattern=FACETS_PATTERN,
        ),
    ] = None,
    highlight_pre: Annotated[
        PreTag | None,
        Query(
            description="Tag before each matched word in `snippet`: `<mark>`, `<em>`, "
            "`<strong>` or `<b>` (nothing else, so the snippet stays safe HTML); give "
            "`highlight_post` with it. Default: the search settings' (`<mark>`).",
            openapi_examples={"em": {"summary": "Emphasis", "value": "<em>"}},
        ),
    ] = None,
    highlight_post: Annotated[
        PostTag | None,
        Query(
            description="Tag after each matched word: the closing tag of `highlight_pre` "
            "(`</em>` for `<em>`).",
            openapi_examples={"em": {"summary": "Emphasis", "value": "</em>"}},
        ),
    ] = None,
    crop_length: Annotated[
        int | None,
        Query(
            ge=MIN_CROP_LENGTH,
            le=MAX_CROP_LENGTH,
            description="Snippet length in characters (a window around the best match). "
            "Default: the search settings' (220).",
            openapi_examples={"short": {"summary": "A short snippet", "value": 120}},
        ),
    ] = None,
    fields: Annotated[str | None, fields_query("each hit")] = None,
) -> Response:
    _check_tags(highlight_pre, highlight_post)
    selection = parse_fields(fields)
    counted = _facet_names(facets)
    search = SearchRequest(
        # Only this much is searched, so only this much is echoed (body, Link, cursor).
        query=q[:MAX_QUERY_CHARS],
        limit=limit,
        offset=offset,
        article_slug=article,
        language=language,
        is_question=is_question,
        cursor=cursor,
        facets=counted,
        sort=sort,
        settings=search_settings,
        highlight_pre=highlight_pre,
        highlight_post=highlight_post,
        crop_length=crop_length,
    )
    if (reason := cursor_error(search)) is not None:
        # The same 422 shape as any other invalid parameter.
        raise RequestValidationError([{"loc": ("query", "cursor"), "msg": reason}])
    results = store.search(search)
    headers = {}
    if results.next_cursor is not None:
        headers["Link"] = next_link(
            path=request.url.path, request=search, next_cursor=results.next_cursor, fields=fields
        )
    return json_response(
        request,
        results,
        max_age=settings.cache_max_age,
        headers=headers,
        fields=selection,
        items="hits",
    )


def _check_tags(pre: str | None, post: str | None) -> None:
    """Highlight tags come in matching pairs (`<em>` and `</em>`); a 422 naming the one
    missing or wrong."""
    if pre is None and post is None:
        return
    if pre is None:
        raise RequestValidationError(
            [{"loc": ("query", "highlight_pre"), "msg": "give highlight_pre with highlight_post"}]
        )
    if post != CLOSING_TAG[pre]:
        # Both come from the allow-list, so naming them echoes nothing arbitrary.
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "highlight_post"),
                    "msg": f"highlight_pre {pre} needs highlight_post {CLOSING_TAG[pre]}",
                }
            ]
        )


def _facet_names(value: str | None) -> tuple[str, ...]:
    """The facets asked for, in order, each once; an unknown one is a 422 naming it."""
    if not value:
        return ()
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if any(name not in FACETS for name in names):
        # Named by position, not echoed: problem bodies never repeat client input.
        known = ", ".join(FACETS)
        raise RequestValidationError(
            [{"loc": ("query", "facets"), "msg": f"unknown facet; the facets are {known}"}]
        )
    return names
