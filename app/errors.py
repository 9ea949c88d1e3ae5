"""Domain exceptions raised by the library; the API maps each to one problem+json answer."""

from __future__ import annotations


class ArticleQAError(Exception):
    """Base of every error the library raises on purpose."""


class ArticleNotFound(ArticleQAError):
    def __init__(self, slug: str, suggestions: list[str] | None = None) -> None:
        super().__init__(f"No article has the slug {slug!r}.")
        self.slug = slug
        # Filled in by whoever can afford the search (the API does it off the event loop).
        self.suggestions = suggestions or []


class SectionNotFound(ArticleQAError):
    def __init__(self, slug: str, article_slug: str | None, suggestions: list[str]) -> None:
        where = f" in article {article_slug!r}" if article_slug else ""
        super().__init__(f"No section has the slug {slug!r}{where}.")
        self.slug = slug
        self.article_slug = article_slug
        self.suggestions = suggestions


class AmbiguousSectionSlug(ArticleQAError):
    def __init__(self, slug: str, candidates: list[str]) -> None:
        super().__init__(
            f"{len(candidates)} articles have a section with the slug {slug!r}; "
            "use one of the canonical URLs."
        )
        self.slug = slug
        self.candidates = candidates


class Moved(ArticleQAError):
    """A URL that was served once now lives elsewhere (301)."""

    def __init__(self, path: str, location: str) -> None:
        super().__init__(f"{path} has moved to {location}.")
        self.path = path
        self.location = location


class Gone(ArticleQAError):
    """A URL that was served once names an article or section that no longer exists (410)."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"The {what} at {path} was removed.")
        self.path = path
        self.what = what


class SourceConflict(ArticleQAError):
    """A write over HTTP to an article that a file in the articles folder owns."""

    def __init__(self, slug: str, source: str) -> None:
        super().__init__(
            f"The article {slug!r} is read from the file {source!r}; change the file instead."
        )
        self.slug = slug
        self.source = source


class PreconditionFailed(ArticleQAError):
    """If-Match named a version of the article that is no longer the stored one."""

    def __init__(self, slug: str, current_etag: str | None) -> None:
        state = "does not exist" if current_etag is None else f"is now at {current_etag}"
        super().__init__(f"The article {slug!r} {state}; fetch it again before writing.")
        self.slug = slug
        self.current_etag = current_etag


class SourceChanged(ArticleQAError):
    """The source changed while it was being parsed: this version must not be written."""


class UnreadableSource(ArticleQAError):
    """A file that cannot be parsed as an article (binary, undecodable, empty)."""


class StoreUnavailable(ArticleQAError):
    """The store cannot be reached or opened."""


class StoreDamaged(ArticleQAError):
    """The store file is corrupt: a lasting fault that only a rebuild repairs."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The store is damaged ({reason}); rebuild it from its sources with "
            "`article-qa rebuild`."
        )
        self.reason = reason


class StoreReadOnly(ArticleQAError):
    """A write to a store that is served read-only (its file is not writable)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"The store at {path} is read-only: it is served, not written.")
