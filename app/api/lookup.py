"""Lookups whose failures suggest what was meant: a bare section slug (the one section, the
candidates, or the nearest slugs) and an article slug.

Nearest-slug searches run in the threadpool, at most SUGGESTION_SLOTS at a time: a flood of
requests for missing slugs gets its 404s at once, without suggestions, and never slows
other requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from app.errors import AmbiguousSectionSlug, ArticleNotFound, SectionNotFound
from app.models import Section
from app.store.base import Store

MAX_SUGGESTIONS = 3
SUGGESTION_SLOTS = 2
_slots = threading.BoundedSemaphore(SUGGESTION_SLOTS)
_Found = TypeVar("_Found")


async def suggested(search: Callable[[str], list[str]], slug: str) -> list[str]:
    """`search(slug)` in the threadpool, or no suggestions when every slot is taken."""
    if not _slots.acquire(blocking=False):
        return []
    try:
        return await run_in_threadpool(search, slug)
    finally:
        _slots.release()


async def find_article(store: Store, lookup: Callable[[], _Found]) -> _Found:
    """`lookup()`, with the nearest article slugs added to its ArticleNotFound."""
    try:
        return lookup()
    except ArticleNotFound as missing:
        missing.suggestions = await suggested(store.suggest_article_slugs, missing.slug)
        raise


async def resolve_section(*, store: Store, section_slug: str) -> Section:
    """The one section with this slug in any article.

    Raises AmbiguousSectionSlug (listing canonical URLs) when several articles have it, and
    SectionNotFound with the nearest existing section slugs when none has.
    """
    sections = store.find_sections_by_slug(section_slug)
    if len(sections) == 1:
        return sections[0]
    if sections:
        raise AmbiguousSectionSlug(section_slug, sorted(section.url for section in sections))
    store.check_retired_section_slug(section_slug)  # 301 or 410 for a slug served once
    # The first lookup after a write indexes every slug: off the event loop, like GET /search.
    suggestions = await suggested(
        lambda slug: store.suggest_section_slugs(slug, limit=MAX_SUGGESTIONS), section_slug
    )
    raise SectionNotFound(section_slug, None, suggestions)
