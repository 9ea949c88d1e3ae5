"""The Store protocol every backend implements, and the factory that opens one."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol

from app.errors import StoreUnavailable
from app.models import Article, ArticlePage, SearchResults, Section
from app.search.request import SearchRequest


class UpsertOutcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class Store(Protocol):
    """Articles, their sections and a full-text index; each upsert is one transaction."""

    def upsert_article(self, article: Article) -> UpsertOutcome: ...

    def delete_article(self, slug: str) -> bool: ...

    def get_article(self, slug: str) -> Article: ...

    def list_articles(self, *, limit: int, offset: int) -> ArticlePage: ...

    def get_section(self, *, article_slug: str, section_slug: str) -> Section: ...

    def find_sections_by_slug(self, section_slug: str) -> list[Section]: ...

    def suggest_section_slugs(
        self, slug: str, *, article_slug: str | None = None, limit: int = 3
    ) -> list[str]:
        """Existing section slugs nearest to `slug` (case ignored), best first; within
        `article_slug` when given. For a 404's suggestions."""
        ...

    def search(self, request: SearchRequest) -> SearchResults: ...

    def source_hashes(self) -> dict[str, tuple[str, str]]:
        """Map each stored source file name to (article slug, content hash)."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot answer."""
        ...

    def close(self) -> None: ...


def open_store(location: str | Path, *, create: bool = True) -> Store:
    """Open the SQLite store at a file path; `create=False` refuses a file that is not there.

    Any other URL scheme is refused with a clear error: only SQLite is built so far.
    """
    text = str(location)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreUnavailable(f"{scheme}:// stores are not supported yet; use a SQLite file path")
    if not create and text != ":memory:" and not Path(text).is_file():
        raise StoreUnavailable(f"no index at {text}: run `article-qa ingest` first")
    from app.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text))
