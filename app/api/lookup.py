"""Resolving a bare section slug: the one section, the candidates, or the nearest slugs."""

from __future__ import annotations

import difflib

from starlette.concurrency import run_in_threadpool

from app.errors import AmbiguousSectionSlug, SectionNotFound
from app.models import Section
from app.store.base import SearchRequest, Store

MAX_SUGGESTIONS = 3
# Slugs share many words ("whats-the-..."), so a fairly high cutoff keeps suggestions relevant.
SIMILARITY_CUTOFF = 0.6
SUGGESTION_SEARCH_HITS = 20


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
    # A search takes milliseconds: off the event loop, like GET /search.
    suggestions = await run_in_threadpool(section_suggestions, store, section_slug)
    raise SectionNotFound(section_slug, None, suggestions)


def section_suggestions(store: Store, section_slug: str) -> list[str]:
    """The existing section slugs nearest to `section_slug`, best first."""
    # No store call lists every section slug, so full-text search on the slug's words finds
    # the sections it probably meant; string similarity then orders and filters them.
    words = section_slug.replace("-", " ").replace("_", " ")
    hits = store.search(SearchRequest(query=words, limit=SUGGESTION_SEARCH_HITS)).hits
    slugs = sorted({hit.section_slug for hit in hits if hit.section_slug})
    return difflib.get_close_matches(
        section_slug, slugs, n=MAX_SUGGESTIONS, cutoff=SIMILARITY_CUTOFF
    )
