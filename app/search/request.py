"""What a search asks for: the raw query string plus filters and paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.search.settings import DEFAULT_SEARCH_SETTINGS, SearchSettings

Sort = Literal["relevance", "updated"]


@dataclass(frozen=True, kw_only=True)
class SearchRequest:
    """A validated search: the raw query string plus filters and paging."""

    query: str
    limit: int = 10
    offset: int = 0
    article_slug: str | None = None
    language: str | None = None
    is_question: bool | None = None
    cursor: str | None = None  # opaque next_cursor of a previous page; wins over offset
    # Counts to return over every match: any of FACETS.
    facets: tuple[str, ...] = ()
    # relevance: best answer first; updated: most recently updated article first (then
    # relevance within it).
    sort: Sort = "relevance"
    # The search settings file's synonyms, stop words, typo rules and highlight defaults.
    settings: SearchSettings = DEFAULT_SEARCH_SETTINGS
    # Per request, over the settings' highlight defaults (None: the default). Only the
    # snippets change with them, not the hits: cursors do not bind them.
    highlight_pre: str | None = None
    highlight_post: str | None = None
    crop_length: int | None = None


# What a search can count its matches by.
FACETS = ("language", "article", "is_question")
