"""GET /articles, /articles/{slug}, and sections addressed through their article."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from app.api.deps import SettingsDep, StoreDep
from app.api.errors import problem_responses
from app.api.http import json_response
from app.api.lookup import find_article
from app.models import ArticlePage, Section, SectionList, StoredArticle

router = APIRouter(tags=["articles"])
# These routes are async although the store is synchronous: its lookups take tens of
# microseconds, less than a hop to the threadpool costs. Search is the exception (see there).

# Larger offsets only find nothing; the bound keeps them inside SQLite's integer range.
MAX_LIST_OFFSET = 1_000_000_000
# Slugs are short; the bound keeps absurd paths out of the store and the suggestion search.
ArticleSlug = Annotated[str, Path(description="Article slug.", max_length=200)]
SectionSlug = Annotated[str, Path(description="Section slug.", max_length=200)]


@router.get(
    "/articles",
    response_model=ArticlePage,
    summary="List articles",
    responses=problem_responses(422),
)
async def list_articles(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_LIST_OFFSET, description="Articles to skip.")] = 0,
    updated_since: Annotated[
        datetime | None,
        Query(
            description="Only articles created or changed at or after this time "
            "(ISO 8601; without a zone, UTC). Deletions are in `GET /changes`."
        ),
    ] = None,
) -> Response:
    try:
        since = store_timestamp(updated_since) if updated_since is not None else None
    except OverflowError as exc:  # 0001-01-01T00:00+05:00 is before the first UTC moment
        reason = "out of the range of dates in UTC"
        raise RequestValidationError([{"loc": ("query", "updated_since"), "msg": reason}]) from exc
    page = store.list_articles(limit=limit, offset=offset, updated_since=since)
    return json_response(request, page, max_age=settings.cache_max_age)


def store_timestamp(moment: datetime) -> str:
    """A request's time as the store writes its timestamps (UTC, microseconds, 'Z')."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="microseconds").replace("+00:00", "Z")


@router.get(
    "/articles/{article_slug}",
    response_model=StoredArticle,
    summary="Get one article with all its sections",
    responses=problem_responses(404, 410, 422),
)
async def get_article(
    request: Request, store: StoreDep, settings: SettingsDep, article_slug: ArticleSlug
) -> Response:
    article = await find_article(store, lambda: store.get_stored_article(article_slug))
    return json_response(request, article, max_age=settings.cache_max_age)


@router.get(
    "/articles/{article_slug}/sections",
    response_model=SectionList,
    summary="List the sections of one article, in order",
    responses=problem_responses(404, 410, 422),
)
async def list_article_sections(
    request: Request, store: StoreDep, settings: SettingsDep, article_slug: ArticleSlug
) -> Response:
    article = await find_article(store, lambda: store.get_article(article_slug))
    sections = SectionList(items=article.sections)
    return json_response(request, sections, max_age=settings.cache_max_age)


@router.get(
    "/articles/{article_slug}/sections/{section_slug}",
    response_model=Section,
    summary="Get one section by its canonical URL",
    responses=problem_responses(404, 410, 422),
)
async def get_article_section(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    article_slug: ArticleSlug,
    section_slug: SectionSlug,
) -> Response:
    section = await find_article(
        store, lambda: store.get_section(article_slug=article_slug, section_slug=section_slug)
    )
    return json_response(request, section, max_age=settings.cache_max_age)
