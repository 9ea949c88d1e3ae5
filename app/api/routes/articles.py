"""GET /articles, /articles/{slug}, and sections addressed through their article."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import SettingsDep, StoreDep
from app.api.errors import problem_responses
from app.api.http import json_response
from app.models import Article, ArticlePage, Section, SectionList

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
) -> Response:
    page = store.list_articles(limit=limit, offset=offset)
    return json_response(request, page, max_age=settings.cache_max_age)


@router.get(
    "/articles/{article_slug}",
    response_model=Article,
    summary="Get one article with all its sections",
    responses=problem_responses(404, 422),
)
async def get_article(
    request: Request, store: StoreDep, settings: SettingsDep, article_slug: ArticleSlug
) -> Response:
    article = store.get_article(article_slug)
    return json_response(request, article, max_age=settings.cache_max_age)


@router.get(
    "/articles/{article_slug}/sections",
    response_model=SectionList,
    summary="List the sections of one article, in order",
    responses=problem_responses(404, 422),
)
async def list_article_sections(
    request: Request, store: StoreDep, settings: SettingsDep, article_slug: ArticleSlug
) -> Response:
    article = store.get_article(article_slug)
    sections = SectionList(items=article.sections)
    return json_response(request, sections, max_age=settings.cache_max_age)


@router.get(
    "/articles/{article_slug}/sections/{section_slug}",
    response_model=Section,
    summary="Get one section by its canonical URL",
    responses=problem_responses(404, 422),
)
async def get_article_section(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    article_slug: ArticleSlug,
    section_slug: SectionSlug,
) -> Response:
    section = store.get_section(article_slug=article_slug, section_slug=section_slug)
    return json_response(request, section, max_age=settings.cache_max_age)
