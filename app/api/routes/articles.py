"""GET /articles, /articles/{slug}, and sections addressed through their article."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from app.api.deps import SettingsDep, StoreDep
from app.api.errors import problem_responses
from app.api.fields import FieldSelection, fields_of, fields_parameter, fields_query, parse_fields
from app.api.http import json_response
from app.api.jsonld import JSONLD_MEDIA_TYPE, FaqPage, faq_page, jsonld_response
from app.api.lookup import find_article
from app.api.params import reject_unknown_parameters
from app.api.representations import (
    ARTICLE_MEDIA_TYPES,
    HTML_CONTENT_TYPE,
    MARKDOWN_CONTENT_TYPE,
    SECTION_MEDIA_TYPES,
    format_parameter,
    represent,
)
from app.models import ArticlePage, Section, SectionList, StoredArticle

router = APIRouter(tags=["articles"])
# These routes are async although the store is synchronous: its lookups take tens of
# microseconds, less than a hop to the threadpool costs. Search is the exception (see there).

# ISO 8601 date and time, to the minute at least; a zone, else UTC.
ISO_DATE_TIME = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
)


# Larger offsets only find nothing; the bound keeps them inside SQLite's integer range.
MAX_LIST_OFFSET = 1_000_000_000
# Slugs are short; the bound keeps absurd paths out of the store and the suggestion search.
ArticleSlug = Annotated[str, Path(description="Article slug.", max_length=200)]
SectionSlug = Annotated[str, Path(description="Section slug.", max_length=200)]
# `fields` on the item routes: read by a dependency of the request, which the hot routes
# can call (FIELDS_PARAMETER documents it)
Fields = Annotated[FieldSelection | None, Depends(fields_of)]


@router.get(
    "/articles",
    dependencies=[Depends(reject_unknown_parameters)],
    response_model=ArticlePage,
    summary="List articles",
    responses=problem_responses(422, conditional=True),
)
async def list_articles(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_LIST_OFFSET, description="Articles to skip.")] = 0,
    updated_since: Annotated[
        str | None,
        Query(
            description="Only articles created or changed at or after this time "
            "(ISO 8601 date and time; without a zone, UTC). Deletions are in `GET /changes`.",
            pattern=ISO_DATE_TIME,
            max_length=40,
        ),
    ] = None,
    fields: Annotated[str | None, fields_query("each article")] = None,
) -> Response:
    since = None
    if updated_since is not None:
        try:
            # The pattern lets only digits and these letters through: "t" and "z" may be
            # written small (RFC 3339 allows it; fromisoformat does not).
            moment = datetime.fromisoformat(updated_since.upper())
            since = store_timestamp(moment)
        except (ValueError, OverflowError) as exc:  # Feb 30; 0001-01-01T00:00+05:00
            reason = "not a date and time that exists in UTC"
            error = {"loc": ("query", "updated_since"), "msg": reason}
            raise RequestValidationError([error]) from exc
    selection = parse_fields(fields)
    page = store.list_articles(limit=limit, offset=offset, updated_since=since)
    return json_response(
        request, page, max_age=settings.cache_max_age, fields=selection, items="items"
    )


def store_timestamp(moment: datetime) -> str:
    """A request's time as the store writes its timestamps (UTC, microseconds, 'Z')."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="microseconds").replace("+00:00", "Z")


# The other representations of an article or a section, documented beside the JSON.
FAQ_PAGE_CONTENT = {JSONLD_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/FaqPage"}}}
DOCUMENT_CONTENT = {
    MARKDOWN_CONTENT_TYPE.partition(";")[0]: {"schema": {"type": "string"}},
    HTML_CONTENT_TYPE.partition(";")[0]: {"schema": {"type": "string"}},
}
VARY_ACCEPT = {
    "description": "`Accept`: the representation is chosen by the Accept header; also "
    "`Accept-Encoding` where the answer may be gzipped (every 304, bodies over 1 kB).",
    "required": True,
    "schema": {"type": "string"},
    "example": "Accept, Accept-Encoding",
}
NEGOTIATION = (
    "By the Accept header (RFC 9110 12.5.1; JSON on a tie or without one): "
    "`application/json`; `text/markdown` (CommonMark: the heading, then the body with its "
    "emphasis, links, lists, quotes, code and tables); `text/html` (that Markdown rendered and "
    "sanitised: an HTML fragment to embed){jsonld}. 406 when the Accept header allows none "
    "of them. `format` chooses one whatever the Accept header says (a browser's asks for "
    "HTML). Each representation has its own ETag; `fields` shapes the JSON."
)


def negotiated_responses(
    *statuses: int, content: Mapping[str, object]
) -> dict[int | str, dict[str, Any]]:
    return {
        **problem_responses(*statuses, 406, 422, conditional=True),
        200: {"content": content, "headers": {"Vary": VARY_ACCEPT}},
        304: {"headers": {"Vary": VARY_ACCEPT}},
    }


@router.get(
    "/articles/{article_slug}",
    response_model=StoredArticle,
    summary="Get one article with all its sections",
    description=NEGOTIATION.format(
        jsonld="; `application/ld+json` (the article's schema.org FAQPage, as "
        "`GET /articles/{article_slug}/faq.jsonld` answers it)"
    ),
    openapi_extra={
        "parameters": [fields_parameter("the article"), format_parameter(ARTICLE_MEDIA_TYPES)]
    },
    responses=negotiated_responses(404, 410, content={**FAQ_PAGE_CONTENT, **DOCUMENT_CONTENT}),
)
async def get_article(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    article_slug: ArticleSlug,
    fields: Fields,
) -> Response:
    article = await find_article(store, lambda: store.get_stored_article(article_slug))
    return await represent(
        request,
        article,
        offered=ARTICLE_MEDIA_TYPES,
        max_age=settings.cache_max_age,
        fields=fields,
        jsonld=lambda: faq_page(article, base_url=settings.public_base_url),
    )


@router.get(
    "/articles/{article_slug}/faq.jsonld",
    # Documented by hand below: FastAPI would file the model under application/json
    response_class=Response,
    response_model=FaqPage,
    summary="Get an article's questions as a schema.org FAQPage (JSON-LD)",
    description=(
        "One `Question` per section whose heading is a question (`name`: the heading; "
        "`acceptedAnswer.text`: the body; `url`: the section's URL), in article order; other "
        "sections are left out. An article without question sections answers a FAQPage "
        "with an empty `mainEntity` (search engines want at least one Question: embed it "
        "only when it has one). URLs are absolute with `ARTICLE_QA_PUBLIC_BASE_URL`, else "
        "paths."
    ),
    responses={
        **problem_responses(404, 410, 422, conditional=True),
        200: {"description": "The article's FAQPage.", "content": FAQ_PAGE_CONTENT},
    },
)
async def get_article_faq(
    request: Request, store: StoreDep, settings: SettingsDep, article_slug: ArticleSlug
) -> Response:
    article = await find_article(store, lambda: store.get_article(article_slug))
    page = faq_page(article, base_url=settings.public_base_url)
    return jsonld_response(request, page, max_age=settings.cache_max_age)


@router.get(
    "/articles/{article_slug}/sections",
    response_model=SectionList,
    summary="List the sections of one article, in order",
    openapi_extra={"parameters": [fields_parameter("each section")]},
    responses=problem_responses(404, 410, 422, conditional=True),
)
async def list_article_sections(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    article_slug: ArticleSlug,
    fields: Fields,
) -> Response:
    article = await find_article(store, lambda: store.get_article(article_slug))
    sections = SectionList(items=article.sections)
    return json_response(
        request, sections, max_age=settings.cache_max_age, fields=fields, items="items"
    )


@router.get(
    "/articles/{article_slug}/sections/{section_slug}",
    response_model=Section,
    summary="Get one section by its canonical URL",
    description=NEGOTIATION.format(jsonld=""),
    openapi_extra={
        "parameters": [fields_parameter("the section"), format_parameter(SECTION_MEDIA_TYPES)]
    },
    responses=negotiated_responses(404, 410, content=DOCUMENT_CONTENT),
)
async def get_article_section(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    article_slug: ArticleSlug,
    section_slug: SectionSlug,
    fields: Fields,
) -> Response:
    section = await find_article(
        store, lambda: store.get_section(article_slug=article_slug, section_slug=section_slug)
    )
    return await represent(
        request, section, offered=SECTION_MEDIA_TYPES, max_age=settings.cache_max_age, fields=fields
    )
