"""Domain exceptions raised by the library; the API maps each to one problem+json answer."""

from __future__ import annotations


class ArticleQAError(Exception):
    """Base of every error the library raises on purpose."""


class ArticleNotFound(ArticleQAError):
    def __init__(self, slug: str, suggestions: list[str] | None = None) -> None:
        super().__init__(f"No article has the slug {slug!r}.")
        self.slug = slug
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


class SlugConflict(ArticleQAError):
    """Two different source files produce the same article slug."""

    def __init__(self, slug: str, existing_source: str, new_source: str) -> None:
        super().__init__(
            f"Article slug {slug!r} from {new_source!r} is already used by {existing_source!r}; "
            "give one of the articles a different title."
        )
        self.slug = slug


class UnreadableSource(ArticleQAError):
    """A file that cannot be parsed as an article (binary, undecodable, empty)."""


class StoreUnavailable(ArticleQAError):
    """The store cannot be reached or opened."""
