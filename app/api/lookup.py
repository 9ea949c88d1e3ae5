"""Resolving a bare section slug: the one section, the candidates, or the nearest slugs."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from app.errors import AmbiguousSectionSlug, SectionNotFound
from app.models import Section
from app.store.base import Store

MAX_SUGGESTIONS = 3


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
    suggestions = await run_in_threadpool(section_suggestions, store, section_slug)
    raise SectionNotFound(section_slug, None, suggestions)


def section_suggestions(store: Store, section_slug: str) -> list[str]:
    """The existing section slugs nearest to `section_slug`, best first."""
    return store.suggest_section_slugs(section_slug, limit=MAX_SUGGESTIONS)
