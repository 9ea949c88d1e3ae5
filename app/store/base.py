"""The Store protocol every backend implements, and the factory that opens one."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.errors import StoreUnavailable
from app.models import Article, ArticlePage, ChangePage, SearchResults, Section, StoredArticle
from app.parsing.slugs import SlugMode
from app.search.documents import SearchDocument
from app.search.request import SearchRequest

if TYPE_CHECKING:
    from app.store.salvage import Salvage


class UpsertOutcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Upserted:
    """What an upsert did, and the slug the article is served under (the store settles
    slugs that several sources' titles share)."""

    outcome: UpsertOutcome
    slug: str
    article: StoredArticle  # as committed, read inside the write transaction


@dataclass(frozen=True, slots=True)
class RawSource:
    """The bytes an HTTP client sent, kept so that a new parser can read them again."""

    data: bytes
    media_type: str


# Runs inside the write transaction with the stored version (None: nothing stored yet). It
# aborts the write by raising (If-Match), or, for an upsert, may return a newer version of
# the same source to write instead ("the file changed since it was parsed: here it is now").
Precondition = Callable[[StoredArticle | None], Article | None]


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """One upsert of a batch; `documents` are the article's search documents when they
    were analysed already (in a worker process)."""

    article: Article
    precondition: Precondition | None = None
    documents: list[SearchDocument] | None = None


class Store(Protocol):
    """Articles, their sections and a full-text index; each write is one transaction that
    also settles shared slugs, retires URLs and appends to the change feed."""

    read_only: bool  # served as it is: writes raise StoreReadOnly
    slugs: SlugMode  # the slug mode its articles are parsed in (part of its fingerprint)

    def upsert_article(
        self,
        article: Article,
        *,
        raw: RawSource | None = None,
        precondition: Precondition | None = None,
    ) -> Upserted: ...

    def upsert_batch(self, items: Sequence[PendingWrite]) -> list[Upserted | Exception]:
        """Several upserts in one transaction (one commit for a bulk ingest); each article is
        still all or nothing: one that fails (its precondition, a slug conflict, a bug) is
        rolled back alone and its error returned in its place."""
        ...

    def delete_article(self, slug: str, *, precondition: Precondition | None = None) -> bool: ...

    def delete_source(
        self, source: str, *, precondition: Precondition | None = None
    ) -> str | None: ...

    def rename_source(
        self, old: str, new: str, *, precondition: Precondition | None = None
    ) -> str | None: ...

    def get_article(self, slug: str) -> Article: ...

    def get_stored_article(self, slug: str) -> StoredArticle: ...

    def list_articles(
        self, *, limit: int, offset: int, updated_since: str | None = None
    ) -> ArticlePage: ...

    def changes(self, *, since: int, limit: int) -> ChangePage: ...

    def raw_sources(self, *, stale_only: bool = True) -> list[tuple[str, RawSource]]: ...

    def stored_articles(self) -> Iterator[StoredArticle]: ...

    def restore_history(self, salvage: Salvage) -> None: ...

    def file_owning(self, slug: str) -> str | None:
        """The source of the file whose article holds `slug`, or None."""
        ...

    def check_retired_section_slug(self, section_slug: str) -> None:
        """Raise Moved or Gone for a bare section slug that was served once."""
        ...

    def get_section(self, *, article_slug: str, section_slug: str) -> Section: ...

    def find_sections_by_slug(self, section_slug: str) -> list[Section]: ...

    def suggest_section_slugs(
        self, slug: str, *, article_slug: str | None = None, limit: int = 3
    ) -> list[str]:
        """Existing section slugs nearest to `slug` (case ignored), best first; within
        `article_slug` when given. For a 404's suggestions."""
        ...

    def suggest_article_slugs(self, slug: str, *, limit: int = 3) -> list[str]:
        """Existing article slugs nearest to `slug`, best first; for a 404's suggestions."""
        ...

    def search(self, request: SearchRequest) -> SearchResults: ...

    def source_hashes(self) -> dict[str, tuple[str, str]]:
        """Map each stored file's path (relative to the articles folder) to (article slug,
        content hash)."""
        ...

    def check_integrity(self, *, full: bool) -> str | None:
        """Look for damage in the store; record and return it (None: none found)."""
        ...

    def warm_up(self) -> None:
        """Load what searches need in memory (the index view), ahead of the first one."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot answer."""
        ...

    def close(self) -> None: ...


def open_store(location: str | Path, *, create: bool = True, slugs: SlugMode = "ascii") -> Store:
    """Open the store at `location`: a postgresql:// URL, or a SQLite file path
    (`create=False` refuses a file that is not there). Other URL schemes are refused.
    `slugs`: the slug mode; a store written in another one re-ingests on the next sync."""
    text = str(location)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        if scheme in ("postgresql", "postgres"):
            from app.store.postgres import PostgresStore

            return PostgresStore(text, slugs=slugs)
        raise StoreUnavailable(
            f"{scheme}:// stores are not supported; use a postgresql:// URL or a SQLite file path"
        )
    if not create and text != ":memory:" and not Path(text).is_file():
        raise StoreUnavailable(f"no index at {text}: run `article-qa ingest` first")
    from app.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text), slugs=slugs)
